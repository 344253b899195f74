<?php

declare(strict_types=1);

namespace Signwire;

/**
 * Implemented by every exception signwire throws.
 *
 * ```php
 * try { $keyId = $verifier->verify('POST', $url, $headers, body: $body); }
 * catch (Signwire\SignwireException $e) { error_log($e->getMessage()); }
 * ```
 */
interface SignwireException extends \Throwable
{
}
