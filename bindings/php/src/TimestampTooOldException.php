<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_TIMESTAMP_TOO_OLD`: The signed timestamp is older than the max age (stale or replayed request, or a slow clock). */
final class TimestampTooOldException extends VerificationException
{
}
