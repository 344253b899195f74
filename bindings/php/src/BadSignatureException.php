<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_BAD_SIGNATURE`: The signature does not match the request. */
final class BadSignatureException extends VerificationException
{
}
