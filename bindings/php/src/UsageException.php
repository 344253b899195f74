<?php

declare(strict_types=1);

namespace Signwire;

/**
 * The caller's arguments are wrong (an invalid scheme, a weak key, an impossible option):
 * a bug or a configuration error, not something a client sent.
 *
 * ```php
 * try { new Signwire\Verifier('hopnow', keys: ['k1' => 's'], maxAge: 0); }
 * catch (Signwire\UsageException $e) { echo $e->getMessage(); } // max_age must be ...
 * ```
 */
class UsageException extends StatusException
{
}
