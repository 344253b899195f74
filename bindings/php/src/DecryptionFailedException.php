<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_DECRYPTION_FAILED`: A sealed body could not be decrypted (wrong key, altered ciphertext). */
final class DecryptionFailedException extends VerificationException
{
}
