<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Who a body is sealed for: a key id (`kid`) plus an RSA public key (`RSA-OAEP-256`) or a
 * shared 32-byte AES key (`dir`). Tokens are standard JWE compact (`A256GCM`), so the
 * receiver may use signwire or any JOSE library.
 *
 * Encrypt, then sign: seal the body, then sign the token as the body.
 *
 * ```php
 * $to = Signwire\Recipient::rsa('bank-2026', file_get_contents('/etc/keys/bank-pub.pem'));
 * $token = $to->seal(json_encode(['card' => '4111111111111111']));
 * $headers = $signer->sign('POST', $url, body: $token) + ['Content-Type' => 'application/jose'];
 * ```
 */
final class Recipient
{
    private ?CData $handle = null;

    private function __construct(CData $handle)
    {
        $this->handle = $handle;
    }

    /**
     * Seal for an RSA public key (PEM `PUBLIC KEY` / `RSA PUBLIC KEY`, or DER), 2048 bits or more.
     *
     * @throws WeakKeyException a key under 2048 bits
     * @throws InvalidArgumentException not a public key (a private key is refused too)
     */
    public static function rsa(string $kid, string $publicKey): self
    {
        $ffi = Library::ffi();
        $out = $ffi->new('signwire_seal_recipient*');
        Library::check($ffi->signwire_seal_recipient_new_rsa(Library::text($kid, 'kid'), $publicKey, strlen($publicKey), FFI::addr($out)));
        return new self($out);
    }

    /**
     * Seal with a shared AES-256 key: exactly 32 raw bytes (e.g. `random_bytes(32)`).
     *
     * @throws WeakKeyException a shorter key
     */
    public static function shared(string $kid, string $key): self
    {
        $ffi = Library::ffi();
        $out = $ffi->new('signwire_seal_recipient*');
        Library::check($ffi->signwire_seal_recipient_new_shared(Library::text($kid, 'kid'), $key, strlen($key), FFI::addr($out)));
        return new self($out);
    }

    /** The JWE compact token for `$body` (binary-safe). */
    public function seal(string $body): string
    {
        $ffi = Library::ffi();
        $handle = $this->handle();
        $needed = $ffi->new('size_t');
        Library::check($ffi->signwire_seal_len($handle, strlen($body), FFI::addr($needed)));
        return Library::output(
            static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_seal($handle, $body, strlen($body), $out, $cap, $written),
            (int) $needed->cdata
        );
    }

    /**
     * Seal the pairs of `$query` named in `$names` (as they appear in the query) into one
     * parameter `$param`, in place of the first of them; sign the resulting URL afterwards.
     *
     * ```php
     * $to->sealQuery('amount=100&card=4111111111111111&cvv=123', ['card', 'cvv']);
     * // 'amount=100&sealed=eyJhbGciOi…'
     * ```
     *
     * @param list<string> $names
     */
    public function sealQuery(string $query, array $names, string $param = 'sealed'): string
    {
        $ffi = Library::ffi();
        $handle = $this->handle();
        foreach ($names as $n) {
            if (str_contains((string) $n, ',')) {
                throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'parameter names cannot contain a comma');
            }
        }
        $query = Library::text($query, 'query');
        $list = Library::text(implode(',', $names), 'names');
        $param = Library::text($param, 'param');
        $needed = $ffi->new('size_t');
        Library::check($ffi->signwire_seal_len($handle, strlen($query), FFI::addr($needed)));
        return Library::output(
            static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_seal_query($handle, $query, $list, $param, $out, $cap, $written),
            strlen($query) + strlen($param) + (int) $needed->cdata + 2
        );
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->signwire_seal_recipient_free($this->handle);
            $this->handle = null;
        }
    }

    /** A recipient owns a native handle: a copy would free it twice. */
    private function __clone()
    {
    }

    private function handle(): CData
    {
        return $this->handle ?? throw new \LogicException('Signwire\Recipient: used after release');
    }
}
