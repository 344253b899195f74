<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE`: The signed timestamp is further ahead than the max future skew. */
final class TimestampInFutureException extends VerificationException
{
}
