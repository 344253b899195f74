<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_NONCE_REPLAYED`: The nonce was seen before: a replay. */
final class NonceReplayedException extends VerificationException
{
}
