<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM`: The algorithm is not supported. */
final class UnsupportedAlgorithmException extends UsageException
{
}
