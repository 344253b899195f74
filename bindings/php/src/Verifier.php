<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Verifies signed requests: required headers, known key id, timestamp window, signature
 * (constant time, every active secret of the key), then the nonce.
 *
 * Under PHP-FPM every worker is its own process, so they must share one nonce store. Without
 * `nonceStore`, a verifier in a multi-process SAPI (FPM, CGI, mod_php, LiteSpeed) uses
 * `host://`, this host's SQLite file for this user, so a replay is refused whichever worker
 * it reaches; `memory://` only in the CLI and a one-worker `php -S`. Name a store for a fixed path
 * (`'sqlite:///var/lib/app/nonces.db'`) or several hosts (`'redis://host:6379/0'`).
 *
 * ```php
 * $verifier = new Signwire\Verifier('hopnow', keys: ['k1' => getenv('HOPNOW_SECRET')], maxAge: 300,
 *     nonceStore: 'sqlite:///var/lib/app/nonces.db', allowedIps: ['10.0.0.0/8'], trustedProxies: ['172.16.0.0/12']);
 * try {
 *     $keyId = $verifier->verifyGlobals(publicOrigin: 'https://api.example.com');
 * } catch (Signwire\VerificationException $e) {
 *     error_log("signwire: {$e->getStatusName()}: {$e->getMessage()}");
 *     http_response_code(401);
 *     exit('authentication failed');
 * }
 * ```
 */
final class Verifier
{
    private ?CData $handle = null;
    /** The library calls it for as long as the handle lives. */
    private ?\Closure $nonceCallback = null;
    private bool $diagnostics = false;
    /** @var array<string,mixed> the scheme's document: its name and header names, for logs */
    private array $schemeDoc = [];

    /**
     * @param array<string, string|list<string>> $keys key id => secret, or key id => [old, new]
     *        secrets while rotating
     * @param int|null $maxAge oldest accepted timestamp, seconds before now (default: the scheme's)
     * @param int|null $maxFutureSkew furthest accepted timestamp, seconds after now (default: the scheme's)
     * @param bool $diagnostics every VerificationException carries getDiagnostic(), a line for
     *        the server's log that names what this server rebuilt (no secret, no signature)
     * @param string|null $nonceStore store URL: default `host://` in FPM/CGI/mod_php (this host's
     *        SQLite file, shared by every worker) and `memory://` in the CLI and `php -S`;
     *        `memory://?max_entries=N` (this process only), `sqlite:///abs/path.db` (every FPM worker on a host), `redis://[[user]:password@]host[:port][/db]`
     *        (several hosts). Opened now: NonceStoreUnavailableException when it cannot be.
     *        Or a Closure `fn (string $keyId, string $nonce, int $ttlSeconds): bool` for a store
     *        signwire does not ship (APCu, Memcached…): atomically record the pair and return
     *        true, or return false when it was recorded before; anything else, an exception
     *        included, refuses the request (NonceStoreUnavailableException).
     * @param list<string> $allowedIps CIDR ranges; once set, REMOTE_ADDR (or the client a trusted
     *        proxy reports) must be inside one, else IpNotAllowedException
     * @param list<string> $trustedProxies CIDR ranges of proxies whose X-Forwarded-For is believed
     *        (none by default: the header is ignored)
     * @throws StatusException an unknown scheme, a weak secret, an out-of-range option, a bad
     *         CIDR range or store URL (InvalidArgumentException), an unreachable store
     */
    public function __construct(
        string $scheme,
        array $keys = [],
        ?int $maxAge = null,
        ?int $maxFutureSkew = null,
        bool $diagnostics = false,
        string|\Closure|null $nonceStore = null,
        array $allowedIps = [],
        array $trustedProxies = []
    ) {
        $ffi = Library::ffi();
        $schemeHandle = Scheme::open($scheme);
        try {
            $out = $ffi->new('signwire_verifier*');
            Library::check($ffi->signwire_verifier_new($schemeHandle, FFI::addr($out)));
            $this->schemeDoc = json_decode(Library::output(
                static fn (CData $o, int $cap, CData $written): int => $ffi->signwire_scheme_to_json($schemeHandle, $o, $cap, $written),
                4096
            ), true, 16, JSON_THROW_ON_ERROR);
        } finally {
            $ffi->signwire_scheme_free($schemeHandle);
        }
        $this->handle = $out;
        try {
            if ($maxAge !== null) {
                Library::check($ffi->signwire_verifier_set_max_age($out, self::seconds($maxAge, 'maxAge')));
            }
            if ($maxFutureSkew !== null) {
                Library::check($ffi->signwire_verifier_set_max_future_skew($out, self::seconds($maxFutureSkew, 'maxFutureSkew')));
            }
            if ($diagnostics) {
                Library::check($ffi->signwire_verifier_set_diagnostics($out, 1));
                $this->diagnostics = true;
            }
            if ($nonceStore instanceof \Closure) {
                $this->setNonceCallback($out, $nonceStore);
            } elseif (($nonceStore ??= self::defaultNonceStore()) !== null) {
                Library::check($ffi->signwire_verifier_set_nonce_store($out, Library::text($nonceStore, 'nonceStore')));
            }
            foreach (self::ranges($allowedIps, 'allowedIps') as $cidr) {
                Library::check($ffi->signwire_verifier_allow_ip($out, $cidr));
            }
            foreach (self::ranges($trustedProxies, 'trustedProxies') as $cidr) {
                Library::check($ffi->signwire_verifier_trust_proxy($out, $cidr));
            }
            foreach ($keys as $keyId => $secrets) {
                foreach (self::secretsOf((string) $keyId, $secrets) as $secret) {
                    $this->addSecret((string) $keyId, $secret);
                }
            }
        } catch (\Throwable $e) {
            // PHP skips __destruct for an object whose constructor threw: release here.
            $this->__destruct();
            throw $e;
        }
    }

    /** Accept one more secret for a key id (rotation: add the new one, later retire the old). */
    public function addSecret(string $keyId, string $secret): void
    {
        Library::check(Library::ffi()->signwire_verifier_add_secret(
            $this->handle(),
            Library::text($keyId, 'keyId'),
            $secret,
            strlen($secret)
        ));
    }

    /**
     * Accept a public key (PEM or JWK) for a key id of an HTTP Message Signatures scheme with
     * an asymmetric algorithm (several per key id while rotating).
     */
    public function addPublicKey(string $keyId, string $publicKey): void
    {
        Library::check(Library::ffi()->signwire_verifier_add_public_key(
            $this->handle(),
            Library::text($keyId, 'keyId'),
            $publicKey,
            strlen($publicKey)
        ));
    }

    /** Stop accepting every public key of a key id. @throws UnknownKeyException when it had none */
    public function removePublicKey(string $keyId): void
    {
        Library::check(Library::ffi()->signwire_verifier_remove_public_key($this->handle(), Library::text($keyId, 'keyId')));
    }

    /** Stop accepting a secret. @throws UnknownKeyException when it was not active for that key id */
    public function retireSecret(string $keyId, string $secret): void
    {
        Library::check(Library::ffi()->signwire_verifier_retire_secret(
            $this->handle(),
            Library::text($keyId, 'keyId'),
            $secret,
            strlen($secret)
        ));
    }

    /**
     * Verify a request; returns the key id that signed it.
     *
     * `$url` is the complete URL the client signed (`https://host/path?query`), `$body` the raw
     * bytes received (before any JSON or form decoding). `$now` (unix seconds) is for tests
     * and replaying logs.
     *
     * @param array<string, string|list<string>> $headers the request's headers, e.g. getallheaders()
     * @throws VerificationException the request failed: answer 401, log getStatusName()
     */
    public function verify(
        string $method,
        string $url,
        array $headers,
        string $body = '',
        ?string $remoteAddr = null,
        ?int $now = null
    ): string {
        $ffi = Library::ffi();
        $handle = $this->handle();
        $method = Library::text($method, 'method');
        $url = Library::text($url, 'url');
        $block = Library::headerBlock($headers);
        $remoteAddr = $remoteAddr === null ? null : Library::text($remoteAddr, 'remoteAddr');
        try {
            return $this->verifyCall($ffi, $handle, $method, $url, $block, $body, $remoteAddr, $now);
        } catch (VerificationException $e) {
            if ($this->diagnostics) {
                // Thread-local in the library: read it right after the failed call.
                $e->setDiagnostic(Library::output(
                    static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_last_diagnostic($out, $cap, $written),
                    strlen($url) + 1024
                ));
            }
            $e->setContext(self::context($this->schemeDoc, $headers, $e->getDiagnostic()));
            throw $e;
        }
    }

    /** The scheme's name (`hopnow`, `stripe`...), for logs and `WWW-Authenticate`. */
    public function schemeName(): string
    {
        return (string) ($this->schemeDoc['name'] ?? '');
    }

    /**
     * What a server logs about a refused request, never a secret or a signature: `key_id`
     * as the client claimed it (null where the format has none), the scheme's authentication
     * `headers` as received with the signature's value replaced by `<not logged>`, and the
     * `diagnostic` line (with `diagnostics: true`).
     *
     * @param array<string,mixed> $doc
     * @param array<string|int,mixed> $headers
     * @return array{key_id: ?string, headers: array<string,string>, diagnostic: ?string}
     */
    private static function context(array $doc, array $headers, ?string $diagnostic): array
    {
        $roles = [];
        foreach (($doc['headers'] ?? []) as $role => $name) {
            if ($name !== '') {
                $roles[strtolower((string) $name)] = (string) $role;
            }
        }
        $found = [];
        $keyId = null;
        foreach ($headers as $name => $values) {
            $name = (string) $name;
            $role = $roles[strtolower($name)] ?? null;
            $value = (string) (is_array($values) ? (reset($values) ?: '') : $values);
            if ($role === null || isset($found[$name])) {
                continue;
            }
            if ($role === 'signature') {
                if (($doc['kind'] ?? '') === 'aws-sigv4' && preg_match('~Credential=([^/,\s]+)~', $value, $m)) {
                    $keyId = $m[1];
                }
                $found[$name] = '<not logged>';
                continue;
            }
            if ($role === 'key_id') {
                $keyId = $value;
            }
            $found[$name] = $value;
        }
        return ['key_id' => $keyId, 'headers' => $found, 'diagnostic' => $diagnostic];
    }

    /**
     * A keyring entry's secrets, refused as PHP refuses a wrong argument type.
     *
     * @return list<string>
     */
    private static function secretsOf(string $keyId, mixed $secrets): array
    {
        if (is_string($secrets)) {
            return [$secrets];
        }
        if (!is_array($secrets)) {
            throw new \TypeError(sprintf('the secret for key id %s must be a string or a list of strings, %s given', json_encode($keyId), get_debug_type($secrets)));
        }
        if ($secrets === []) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', sprintf('key id %s has an empty list of secrets: give at least one', json_encode($keyId)));
        }
        foreach ($secrets as $secret) {
            if (!is_string($secret)) {
                throw new \TypeError(sprintf('the secrets for key id %s must be strings, %s given', json_encode($keyId), get_debug_type($secret)));
            }
        }
        return array_values($secrets);
    }

    private function verifyCall(FFI $ffi, CData $handle, string $method, string $url, string $block, string $body, ?string $remoteAddr, ?int $now): string
    {
        return Library::output(
            static function (CData $out, int $cap, CData $written) use ($ffi, $handle, $method, $url, $body, $block, $remoteAddr, $now): int {
                if ($now === null) {
                    return $ffi->signwire_verifier_verify($handle, $method, $url, $body, strlen($body), $block, $remoteAddr, $out, $cap, $written);
                }
                return $ffi->signwire_verifier_verify_at(
                    $handle, $method, $url, $body, strlen($body), $block, $remoteAddr, $now, $out, $cap, $written
                );
            },
            (int) $ffi->signwire_key_id_max()
        );
    }

    /**
     * Verify the request this PHP script is serving: method, URL, headers and remote address
     * from `$_SERVER`, the raw body from `php://input`.
     *
     * Behind a TLS terminator or proxy the URL PHP sees (`http://internal:8080/…`) is not the
     * one the client signed: pass the origin clients use, e.g. `https://api.example.com`, and
     * the URL becomes that origin plus the request's path and query (REQUEST_URI, as sent).
     * Without it the origin comes from HTTPS/REQUEST_SCHEME and the Host header.
     *
     * `$server` and `$body` replace `$_SERVER` and `php://input` for frameworks that captured
     * them already.
     *
     * @param array<string,mixed>|null $server
     * @throws VerificationException
     */
    public function verifyGlobals(?string $publicOrigin = null, ?array $server = null, ?string $body = null): string
    {
        [$method, $url, $headers, $body, $remoteAddr] = self::globalsRequest($publicOrigin, $server, $body);
        return $this->verify($method, $url, $headers, body: $body, remoteAddr: $remoteAddr);
    }

    /**
     * {@see verifyGlobals()} for a sealed body (encrypt-then-sign): verify the request this
     * script serves, and only if it passes, open its body with `$keys`.
     *
     * ```php
     * $keys = new Signwire\OpeningKeys(rsa: ['bank-2026' => file_get_contents('/etc/keys/bank.pem')]);
     * [$keyId, $json] = $verifier->verifyGlobalsAndOpen($keys, publicOrigin: 'https://api.example.com');
     * ```
     *
     * @param array<string,mixed>|null $server
     * @return array{0: string, 1: string} [key id, plaintext body]
     * @throws VerificationException
     */
    public function verifyGlobalsAndOpen(OpeningKeys $keys, ?string $publicOrigin = null, ?array $server = null, ?string $body = null): array
    {
        [$method, $url, $headers, $body, $remoteAddr] = self::globalsRequest($publicOrigin, $server, $body);
        return $keys->verifyAndOpen($this, $method, $url, $headers, $body, $remoteAddr);
    }

    /**
     * Method, URL, headers, body and remote address of the request this script serves.
     *
     * @param array<string,mixed>|null $server
     * @return array{0: string, 1: string, 2: array<string,string>, 3: string, 4: string|null}
     */
    private static function globalsRequest(?string $publicOrigin, ?array $server, ?string $body): array
    {
        $raw = $server === null ? self::rawHeaders() : null;
        $server ??= $_SERVER;
        $body ??= (string) file_get_contents('php://input');
        $method = (string) ($server['REQUEST_METHOD'] ?? '');
        $target = (string) ($server['REQUEST_URI'] ?? '');
        if ($publicOrigin !== null) {
            if (!preg_match('~^https?://[^/?#\s]+$~i', $publicOrigin)) {
                throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT',
                    "publicOrigin must be scheme://host[:port] without a path or trailing slash, got " . json_encode($publicOrigin));
            }
            $origin = $publicOrigin;
        } else {
            $https = (string) ($server['HTTPS'] ?? '');
            $scheme = ($https !== '' && strtolower($https) !== 'off') ? 'https' : (string) ($server['REQUEST_SCHEME'] ?? 'http');
            $host = (string) ($server['HTTP_HOST'] ?? '');
            if ($host === '') {
                $host = (string) ($server['SERVER_NAME'] ?? '') . (isset($server['SERVER_PORT']) ? ':' . $server['SERVER_PORT'] : '');
            }
            $origin = "$scheme://$host";
        }
        $remoteAddr = isset($server['REMOTE_ADDR']) ? (string) $server['REMOTE_ADDR'] : null;
        return [$method, $origin . $target, $raw ?? self::headersFromServer($server), $body, $remoteAddr];
    }

    /**
     * The store when none is named: `host://` (one SQLite file per host and user) where one
     * request's process is not the next one's, so a per-process memory store would let each
     * worker accept a replay once; null (the library's memory store) in the CLI and `php -S`.
     */
    private static function defaultNonceStore(): ?string
    {
        $multi = in_array(PHP_SAPI, ['fpm-fcgi', 'cgi-fcgi', 'cgi', 'apache2handler', 'litespeed'], true)
            || (PHP_SAPI === 'cli-server' && (int) getenv('PHP_CLI_SERVER_WORKERS') > 1);
        return $multi ? 'host://' : null;
    }

    /**
     * The request's headers under the names the client sent, where the SAPI keeps them
     * (php -S, mod_php), without names containing `_`. `$_SERVER` maps both `X-Forwarded-For`
     * and a client's `X_Forwarded_For` to `HTTP_X_FORWARDED_FOR`, so the client's could stand
     * in for the proxy's and pass an IP allowlist; Apache 2.4, nginx, gunicorn and werkzeug
     * drop such names for the same reason. Under FPM/CGI `$_SERVER` is all PHP gets and the
     * web server must drop them (nginx and Apache 2.4 do by default): null there.
     *
     * @return array<string,string>|null
     */
    private static function rawHeaders(): ?array
    {
        if (!in_array(PHP_SAPI, ['cli-server', 'apache2handler'], true) || !function_exists('getallheaders')) {
            return null;
        }
        $headers = [];
        foreach (getallheaders() as $name => $value) {
            if (!str_contains((string) $name, '_')) {
                $headers[(string) $name] = (string) $value;
            }
        }
        return $headers;
    }

    /**
     * Request headers from a `$_SERVER`-style array (`HTTP_X_API_KEY` becomes `X-API-KEY`;
     * names are case-insensitive to the library).
     *
     * @param array<string,mixed> $server
     * @return array<string,string>
     */
    public static function headersFromServer(array $server): array
    {
        $headers = [];
        foreach ($server as $key => $value) {
            $key = (string) $key;
            if (str_starts_with($key, 'HTTP_')) {
                $headers[str_replace('_', '-', substr($key, 5))] = (string) $value;
            } elseif ($key === 'CONTENT_TYPE' || $key === 'CONTENT_LENGTH') {
                $headers[str_replace('_', '-', $key)] = (string) $value;
            }
        }
        return $headers;
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->signwire_verifier_free($this->handle);
            $this->handle = null;
        }
    }

    /** A verifier owns a native handle: a copy would free it twice. */
    private function __clone()
    {
    }

    /**
     * The native handle, for {@see OpeningKeys::verifyAndOpen()}.
     *
     * @internal
     */
    public function handle(): CData
    {
        return $this->handle ?? throw new \LogicException('Signwire\Verifier: used after release');
    }

    /** @return list<string> */
    private static function ranges(array $ranges, string $what): array
    {
        $out = [];
        foreach ($ranges as $cidr) {
            if (!is_string($cidr)) {
                throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', "$what must be a list of CIDR strings, got " . get_debug_type($cidr));
            }
            $out[] = Library::text($cidr, $what);
        }
        return $out;
    }

    /**
     * Route the library's nonce checks to a PHP closure. An exception must not unwind into C
     * (PHP's FFI aborts the request), so any Throwable becomes "store error": refused.
     */
    private function setNonceCallback(CData $handle, \Closure $store): void
    {
        $ffi = Library::ffi();
        [$fresh, $replayed, $error] = [$ffi->SIGNWIRE_NONCE_FRESH, $ffi->SIGNWIRE_NONCE_REPLAYED, $ffi->SIGNWIRE_NONCE_STORE_ERROR];
        $this->nonceCallback = static function ($userData, $keyId, $nonce, $ttl) use ($store, $fresh, $replayed, $error): int {
            try {
                $result = $store((string) $keyId, (string) $nonce, (int) $ttl);
            } catch (\Throwable $e) {
                error_log('signwire: nonce store closure failed: ' . get_class($e) . ': ' . $e->getMessage());
                return $error;
            }
            return $result === true ? $fresh : ($result === false ? $replayed : $error);
        };
        Library::check($ffi->signwire_verifier_set_nonce_store_callback($handle, $this->nonceCallback, null));
    }

    private static function seconds(int $value, string $what): int
    {
        if ($value < 0) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', "$what must not be negative, got $value");
        }
        return $value;
    }
}
