<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * The receiver's keys for sealed bodies, by key id (`kid`): RSA private keys for
 * `RSA-OAEP-256` tokens, 32-byte AES keys for `dir` tokens.
 *
 * Verify, then decrypt: {@see verifyAndOpen()} checks the signature over the token as
 * received and opens it only if the request passed.
 *
 * ```php
 * $keys = new Signwire\OpeningKeys(rsa: ['bank-2026' => file_get_contents('/etc/keys/bank.pem')]);
 * try {
 *     [$keyId, $json] = $keys->verifyAndOpen($verifier, 'POST', $url, getallheaders(), file_get_contents('php://input'));
 * } catch (Signwire\StatusException $e) {   // BadSignature, NonceReplayed, …, DecryptionFailed, UnsupportedAlgorithm
 *     error_log("signwire: {$e->getStatusName()}: {$e->getMessage()}");
 *     http_response_code(401); exit('authentication failed');
 * }
 * ```
 */
final class OpeningKeys
{
    private ?CData $handle = null;

    /**
     * @param array<string,string> $rsa kid => RSA private key (PEM or DER, not password-protected)
     * @param array<string,string> $shared kid => 32-byte AES key
     * @param int $maxTokenLen refuse longer tokens before any work (0: the library's limit, 16 MiB)
     */
    public function __construct(array $rsa = [], array $shared = [], int $maxTokenLen = 0)
    {
        $ffi = Library::ffi();
        if ($maxTokenLen < 0) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'maxTokenLen must not be negative');
        }
        $out = $ffi->new('signwire_seal_keys*');
        Library::check($ffi->signwire_seal_keys_new($maxTokenLen, FFI::addr($out)));
        $this->handle = $out;
        try {
            foreach ($rsa as $kid => $pem) {
                $this->addRsa((string) $kid, (string) $pem);
            }
            foreach ($shared as $kid => $key) {
                $this->addShared((string) $kid, (string) $key);
            }
        } catch (\Throwable $e) {
            $this->__destruct();
            throw $e;
        }
    }

    /** @throws WeakKeyException a key under 2048 bits */
    public function addRsa(string $kid, string $privateKey): void
    {
        Library::check(Library::ffi()->signwire_seal_keys_add_rsa($this->handle(), Library::text($kid, 'kid'), $privateKey, strlen($privateKey)));
    }

    /** @throws WeakKeyException a key shorter than 32 bytes */
    public function addShared(string $kid, string $key): void
    {
        Library::check(Library::ffi()->signwire_seal_keys_add_shared($this->handle(), Library::text($kid, 'kid'), $key, strlen($key)));
    }

    /** Forget a key (rotation). @throws UnknownKeyException when there is none for `$kid` */
    public function remove(string $kid): void
    {
        Library::check(Library::ffi()->signwire_seal_keys_remove($this->handle(), Library::text($kid, 'kid')));
    }

    /**
     * The plaintext of a token, only if the whole token authenticates.
     *
     * @throws MalformedTokenException|DecryptionFailedException|UnknownKeyException|UnsupportedAlgorithmException|InputTooLargeException
     */
    public function open(string $token): string
    {
        $ffi = Library::ffi();
        $handle = $this->handle();
        return Library::output(
            static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_open($handle, $token, strlen($token), $out, $cap, $written),
            strlen($token) + 1
        );
    }

    /** The query with its sealed parameter `$param` opened back into the original pairs. */
    public function openQuery(string $query, string $param = 'sealed'): string
    {
        $ffi = Library::ffi();
        $handle = $this->handle();
        $query = Library::text($query, 'query');
        $param = Library::text($param, 'param');
        return Library::output(
            static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_open_query($handle, $query, $param, $out, $cap, $written),
            strlen($query) + 1
        );
    }

    /**
     * Verify the request (its body is the token as received), then open the body.
     * A request that fails verification is never decrypted.
     *
     * @param array<string, string|list<string>> $headers
     * @return array{0:string,1:string} [key id that signed, plaintext body]
     * @throws StatusException a VerificationException for the request or token, or
     *         UnsupportedAlgorithmException for a token whose alg/enc signwire refuses
     */
    public function verifyAndOpen(Verifier $verifier, string $method, string $url, array $headers, string $body, ?string $remoteAddr = null): array
    {
        $ffi = Library::ffi();
        $cap = strlen($body) + 1;
        $out = $ffi->new("char[$cap]");
        $written = $ffi->new('size_t');
        $keyCap = (int) $ffi->signwire_key_id_max();
        $keyId = $ffi->new("char[$keyCap]");
        $keyWritten = $ffi->new('size_t');
        Library::check($ffi->signwire_verify_and_open(
            $verifier->handle(),
            $this->handle(),
            Library::text($method, 'method'),
            Library::text($url, 'url'),
            $body,
            strlen($body),
            Library::headerBlock($headers),
            $remoteAddr === null ? null : Library::text($remoteAddr, 'remoteAddr'),
            $out,
            $cap,
            FFI::addr($written),
            $keyId,
            $keyCap,
            FFI::addr($keyWritten)
        ));
        $plain = FFI::string($out, $written->cdata);
        FFI::memset($out, 0, $cap);
        return [FFI::string($keyId, $keyWritten->cdata), $plain];
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->signwire_seal_keys_free($this->handle);
            $this->handle = null;
        }
    }

    /** Opening keys own a native handle: a copy would free it twice. */
    private function __clone()
    {
    }

    private function handle(): CData
    {
        return $this->handle ?? throw new \LogicException('Signwire\OpeningKeys: used after release');
    }
}
