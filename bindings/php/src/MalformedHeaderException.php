<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_MALFORMED_HEADER`: An authentication header is malformed, repeated, or too long. */
final class MalformedHeaderException extends VerificationException
{
}
