<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_MISSING_HEADER`: A required authentication header is missing. */
final class MissingHeaderException extends VerificationException
{
}
