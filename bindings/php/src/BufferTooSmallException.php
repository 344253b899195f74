<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_BUFFER_TOO_SMALL`: An output buffer was too small (the binding retries once; seeing this is a bug). */
final class BufferTooSmallException extends UsageException
{
}
