<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Scheme loading and the canonical payload, for debugging "Invalid signature": it shows the
 * exact bytes a scheme signs, to compare with what the other side signed.
 *
 * ```php
 * $bytes = Signwire\Scheme::canonicalPayload('hopnow', 'POST', 'https://api.example.com/v1/pay',
 *     body: '{}', keyId: 'k1', timestamp: 1700000000, nonce: str_repeat('ab', 16));
 * // "POSThttps://api.example.com/v1/pay1700000000abab…{}"
 * ```
 */
final class Scheme
{
    /**
     * The bytes `$scheme` signs for a request (may contain NUL bytes).
     *
     * @param array<string, string|list<string>> $headers
     */
    public static function canonicalPayload(
        string $scheme,
        string $method,
        string $url,
        string $body = '',
        string $keyId = '',
        int $timestamp = 0,
        string $nonce = '',
        array $headers = []
    ): string {
        $ffi = Library::ffi();
        $handle = self::open($scheme);
        try {
            $method = Library::text($method, 'method');
            $url = Library::text($url, 'url');
            $keyId = Library::text($keyId, 'keyId');
            $nonce = Library::text($nonce, 'nonce');
            $block = $headers === [] ? null : Library::headerBlock($headers);
            return Library::output(
                static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_canonical_payload(
                    $handle, $method, $url, $body, strlen($body), $block, $keyId, (string) $timestamp, $nonce, $out, $cap, $written
                ),
                strlen($method) + strlen($url) + strlen($body) + strlen($nonce) + 1024
            );
        } finally {
            $ffi->signwire_scheme_free($handle);
        }
    }

    /**
     * The client-side fingerprint line (`signwire-fp …`) of a request as sent with `$headers`
     * (at least its authentication headers): method, URL, timestamp, nonce in clear, the
     * body as length + SHA-256 prefix, no secret. Log it when a server answers "Invalid
     * signature" and compare it with the server's diagnostic line ({@see Scheme::diff()}).
     *
     * @param array<string, string|list<string>> $headers
     */
    public static function explain(string $scheme, string $method, string $url, array $headers, string $body = ''): string
    {
        $ffi = Library::ffi();
        $handle = self::open($scheme);
        try {
            $method = Library::text($method, 'method');
            $url = Library::text($url, 'url');
            $block = Library::headerBlock($headers);
            return Library::output(
                static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_fingerprint(
                    $handle, $method, $url, $body, strlen($body), $block, $out, $cap, $written
                ),
                strlen($url) + 1024
            );
        } finally {
            $ffi->signwire_scheme_free($handle);
        }
    }

    /**
     * One sentence naming the first signed component that differs between a client's
     * fingerprint text and a server's diagnostic text (each may be a whole log), e.g.
     * `URL: client signed https://api.example.com/v1/pay, server rebuilt http://10.0.0.5/v1/pay`.
     */
    public static function diff(string $client, string $server): string
    {
        $ffi = Library::ffi();
        $client = Library::text($client, 'client');
        $server = Library::text($server, 'server');
        return Library::output(
            static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_diagnostic_diff($client, $server, $out, $cap, $written),
            1024
        );
    }

    /**
     * A scheme handle; the caller frees it (signers and verifiers copy the scheme).
     *
     * @internal
     */
    public static function open(string $scheme): CData
    {
        $ffi = Library::ffi();
        $out = $ffi->new('signwire_scheme*');
        Library::check($ffi->signwire_scheme_new(Library::text($scheme, 'scheme'), FFI::addr($out)));
        return $out;
    }
}
