<?php

declare(strict_types=1);

namespace Signwire;

/**
 * The request failed verification. Answer the client with one generic 401 whatever the
 * subclass; log `getStatusName()` and `getMessage()` on the server.
 *
 * ```php
 * try { $keyId = $verifier->verifyGlobals(publicOrigin: 'https://api.example.com'); }
 * catch (Signwire\VerificationException $e) {
 *     error_log("signwire: {$e->getStatusName()}: {$e->getMessage()}");
 *     http_response_code(401); exit('authentication failed');
 * }
 * ```
 */
class VerificationException extends StatusException
{
}
