<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_INPUT_TOO_LARGE`: An input exceeds a size limit (requests can cause this). */
final class InputTooLargeException extends VerificationException
{
}
