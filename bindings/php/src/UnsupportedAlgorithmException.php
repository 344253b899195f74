<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM`: an algorithm signwire refuses: a caller asking for one, or a request carrying one (a sealed token with `alg: none`, a `$2x$` bcrypt hash). */
final class UnsupportedAlgorithmException extends VerificationException
{
}
