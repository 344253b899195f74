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
    private ?string $diagnostic = null;
    /** @var array<string,mixed> */
    private array $context = [];

    /**
     * The verifier's diagnostic line (`signwire-fp scheme=… reason=… server_time=… url=…`)
     * when it was built with `diagnostics: true`, else null: the reason, the server's clock
     * and a fingerprint of each signed component as this server rebuilt it. No secret, no
     * signature; for the server's log, never for the client. Compare it with the client's
     * {@see Scheme::explain()} line (`Scheme::diff()` or `signwire diff CLIENT SERVER`).
     */
    public function getDiagnostic(): ?string
    {
        return $this->diagnostic;
    }

    /**
     * What a server logs about the refused request: `key_id` as the client claimed it (null
     * where the format has none), the authentication `headers` as received with the
     * signature's value left out, and `diagnostic`. Never for the client.
     *
     * @return array{key_id: ?string, headers: array<string,string>, diagnostic: ?string}
     */
    public function getContext(): array
    {
        return $this->context + ['key_id' => null, 'headers' => [], 'diagnostic' => $this->diagnostic];
    }

    /** The key id the refused request claimed, or null. */
    public function getKeyId(): ?string
    {
        return $this->context['key_id'] ?? null;
    }

    /** @internal @param array{key_id: ?string, headers: array<string,string>, diagnostic: ?string} $context */
    public function setContext(array $context): void
    {
        $this->context = $context;
    }

    /** @internal */
    public function setDiagnostic(?string $line): void
    {
        $this->diagnostic = $line === '' ? null : $line;
    }
}
