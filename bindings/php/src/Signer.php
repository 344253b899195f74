<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Signs requests for one key id under a scheme (a preset such as "hopnow", a JSON scheme
 * document, or a path to one). Replaces a hand-rolled `hash_hmac('sha256', $method . $url ...)`.
 *
 * ```php
 * $signer = new Signwire\Signer('hopnow', keyId: 'k1', secret: getenv('HOPNOW_SECRET'));
 * $headers = $signer->sign('POST', 'https://api.example.com/v1/pay', body: $json);
 * // ['X-API-Key' => 'k1', 'X-Signature' => '…', 'X-Timestamp' => '…', 'X-Nonce' => '…']
 * ```
 */
final class Signer
{
    private ?CData $handle = null;

    /**
     * `$secret` for HMAC schemes; `$privateKey` (PEM or JWK) instead for an HTTP Message
     * Signatures scheme with an asymmetric algorithm (ed25519, ecdsa-p256-sha256,
     * ecdsa-p384-sha384, rsa-pss-sha512): `new Signer($doc, keyId: 'k1', privateKey: $pem)`.
     *
     * @throws StatusException an unknown scheme, an empty or weak secret or key, an invalid key id
     */
    public function __construct(string $scheme, string $keyId, ?string $secret = null, ?string $privateKey = null)
    {
        if (($secret === null) === ($privateKey === null)) {
            throw new \InvalidArgumentException('give exactly one of secret and privateKey');
        }
        $ffi = Library::ffi();
        $schemeHandle = Scheme::open($scheme);
        try {
            $out = $ffi->new('signwire_signer*');
            $key = $secret ?? $privateKey;
            $new = $secret !== null ? 'signwire_signer_new' : 'signwire_signer_new_private_key';
            Library::check($ffi->$new(
                $schemeHandle,
                Library::text($keyId, 'keyId'),
                $key,
                strlen($key),
                FFI::addr($out)
            ));
            $this->handle = $out;
        } finally {
            $ffi->signwire_scheme_free($schemeHandle);
        }
    }

    /**
     * The authentication headers for a request, to add to it as they are.
     *
     * `$url` is the complete URL as it will be sent (`https://host/path?query`), byte for byte.
     * `$timestamp` (unix seconds) and `$nonce` are for tests and replaying logs: leave them null
     * and the library takes the current time and a fresh random nonce. `$headers` are the
     * request's own headers, needed only by schemes that sign some of them.
     *
     * @param array<string, string|list<string>> $headers
     * @return array<string,string> header name => value
     * @throws StatusException e.g. InvalidArgumentException for a lowercase method
     */
    public function sign(
        string $method,
        string $url,
        string $body = '',
        ?int $timestamp = null,
        ?string $nonce = null,
        array $headers = []
    ): array {
        $ffi = Library::ffi();
        $method = Library::text($method, 'method');
        $url = Library::text($url, 'url');
        $block = $headers === [] ? null : Library::headerBlock($headers);
        $nonce = $nonce === null ? null : Library::text($nonce, 'nonce');
        $handle = $this->handle();
        $signed = Library::output(
            static function (CData $out, int $cap, CData $written) use ($ffi, $handle, $method, $url, $body, $block, $timestamp, $nonce): int {
                if ($timestamp === null && $nonce === null) {
                    return $ffi->signwire_signer_sign($handle, $method, $url, $body, strlen($body), $block, $out, $cap, $written);
                }
                return $ffi->signwire_signer_sign_at(
                    $handle, $method, $url, $body, strlen($body), $block, $timestamp ?? time(), $nonce, $out, $cap, $written
                );
            },
            (int) $ffi->signwire_signed_headers_max()
        );
        return Library::parseBlock($signed);
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->signwire_signer_free($this->handle);
            $this->handle = null;
        }
    }

    /** A signer owns a native handle: a copy would free it twice. */
    private function __clone()
    {
    }

    private function handle(): CData
    {
        return $this->handle ?? throw new \LogicException('Signwire\Signer: used after release');
    }
}
