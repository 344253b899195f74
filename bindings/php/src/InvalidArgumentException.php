<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_INVALID_ARGUMENT`: An argument is out of range or malformed (e.g. an unknown scheme, a NUL byte in text). */
final class InvalidArgumentException extends UsageException
{
}
