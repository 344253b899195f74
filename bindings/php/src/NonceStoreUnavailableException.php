<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE`: The nonce store could not answer, so the request was refused (fail closed). */
final class NonceStoreUnavailableException extends VerificationException
{
}
