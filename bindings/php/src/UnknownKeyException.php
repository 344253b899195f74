<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_UNKNOWN_KEY`: The key id is not in the keyring. */
final class UnknownKeyException extends VerificationException
{
}
