<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_INVALID_UTF8`: Text that must be UTF-8 is not (request headers and URLs can cause this). */
final class InvalidUtf8Exception extends VerificationException
{
}
