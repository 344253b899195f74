<?php

declare(strict_types=1);

namespace Signwire;

use Psr\Http\Message\ResponseFactoryInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Log\LoggerInterface;

/**
 * Verifies PSR-7 server requests (nyholm/psr7, guzzlehttp/psr7, Slim, ...) and answers a
 * failed one with a generic 401 carrying `WWW-Authenticate`: the client learns nothing about
 * why; the reason goes to one log record (a PSR-3 logger, a closure, or `error_log`).
 *
 * {@see Psr15Middleware} is the same as a PSR-15 `MiddlewareInterface`. This class works
 * without the PSR-15 interfaces installed: `process($request, $next)` takes a callable.
 *
 * ```php
 * $factory = new Nyholm\Psr7\Factory\Psr17Factory();
 * $guard = new Signwire\Psr7Verifier($verifier, $factory, publicOrigin: 'https://api.example.com',
 *     exempt: ['/healthz'], log: $psr3Logger);
 * $response = $guard->process($request, fn ($r) => $app->handle($r));
 * // the handler sees $r->getAttribute('signwire.key_id')
 * ```
 */
final class Psr7Verifier
{
    /** The request attribute that carries the verified key id. */
    public const KEY_ID_ATTRIBUTE = 'signwire.key_id';

    private LoggerInterface|\Closure|null $log;

    /**
     * @param string|null $publicOrigin the origin clients sign (`https://api.example.com`),
     *        when this server sits behind a TLS terminator or proxy
     * @param LoggerInterface|callable|null $log a PSR-3 logger (one warning per refusal, its
     *        context: status, code, key_id, client, scheme, method, url, diagnostic), or a
     *        callable `fn (VerificationException $e, ServerRequestInterface $r, array $fields)`,
     *        or null for `error_log`
     * @param bool $serverTimeHeader add `X-Server-Time: <unix seconds>` to the 401 of a stale
     *        or future timestamp (as Hawk does), so clients can correct their clock
     * @param list<string> $exempt paths passed on unverified (`/healthz`; `/static/*` for a
     *        prefix: never a path with `.`/`..` segments or an encoded slash)
     * @param list<string> $include when not empty, only these paths are verified (same syntax)
     */
    public function __construct(
        private Verifier $verifier,
        private ResponseFactoryInterface $responses,
        private ?string $publicOrigin = null,
        LoggerInterface|callable|null $log = null,
        private bool $serverTimeHeader = false,
        private array $exempt = [],
        private array $include = [],
        private string $realm = 'api'
    ) {
        if ($publicOrigin !== null && !preg_match('~^https?://[^/?#\s]+$~i', $publicOrigin)) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT',
                'publicOrigin must be scheme://host[:port] without a path or trailing slash, got ' . json_encode($publicOrigin));
        }
        foreach ([...$exempt, ...$include] as $path) {
            if (!is_string($path) || !str_starts_with($path, '/')) {
                throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'exempt and include are lists of paths starting with "/", got ' . json_encode($path));
            }
        }
        Refusal::checkRealm($realm);
        $this->log = $log === null || $log instanceof LoggerInterface ? $log : \Closure::fromCallable($log);
    }

    /** True when a request to `$path` must carry a valid signature (`include` minus `exempt`). */
    public function verifies(string $path): bool
    {
        if ($this->include !== [] && !self::matches($this->include, $path)) {
            return false;
        }
        return !self::matches($this->exempt, $path);
    }

    /** @param list<string> $rules */
    private static function matches(array $rules, string $path): bool
    {
        foreach ($rules as $rule) {
            if ($rule === $path) {
                return true;
            }
            if (str_ends_with($rule, '*') && str_starts_with($path, substr($rule, 0, -1))) {
                $segments = explode('/', $path);
                if (!in_array('.', $segments, true) && !in_array('..', $segments, true) && stripos($path, '%2f') === false) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The key id that signed the request. The body stream is read and rewound.
     *
     * @throws VerificationException
     */
    public function verify(ServerRequestInterface $request): string
    {
        [$url, $body, $remote] = $this->parts($request);
        return $this->verifier->verify($request->getMethod(), $url, $request->getHeaders(), body: $body, remoteAddr: $remote);
    }

    /** @return array{0: string, 1: string, 2: ?string} URL as signed, raw body, client address */
    private function parts(ServerRequestInterface $request): array
    {
        $uri = $request->getUri();
        $origin = $this->publicOrigin
            ?? $uri->getScheme() . '://' . $uri->getAuthority();
        // The target exactly as the client sent it, where the server kept it.
        $target = $request->getServerParams()['REQUEST_URI'] ?? null;
        $target = is_string($target) && str_starts_with($target, '/') ? $target : $request->getRequestTarget();
        $stream = $request->getBody();
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $body = $stream->getContents();
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $remote = $request->getServerParams()['REMOTE_ADDR'] ?? null;
        return [$origin . $target, $body, $remote === null ? null : (string) $remote];
    }

    /**
     * Call `$next` with the verified request (key id in the `signwire.key_id` attribute), or
     * answer 401 "authentication failed" with `WWW-Authenticate`. Exempt paths go straight on.
     *
     * @param callable(ServerRequestInterface): ResponseInterface $next
     */
    public function process(ServerRequestInterface $request, callable $next): ResponseInterface
    {
        if (!$this->verifies($request->getUri()->getPath() ?: '/')) {
            return $next($request);
        }
        [$url, $body, $remote] = $this->parts($request);
        try {
            $keyId = $this->verifier->verify($request->getMethod(), $url, $request->getHeaders(), body: $body, remoteAddr: $remote);
        } catch (VerificationException $e) {
            $log = $this->log;
            if ($log instanceof \Closure) {
                $user = $log;
                $log = static fn (VerificationException $e, array $fields) => $user($e, $request, $fields);
            }
            Refusal::log($log, $e, $this->verifier->schemeName(), $request->getMethod(), $url, $remote);
            $response = $this->responses->createResponse(401)
                ->withHeader('Content-Type', 'text/plain; charset=utf-8')
                ->withHeader('Cache-Control', 'no-store')
                ->withHeader('WWW-Authenticate', Refusal::challenge($this->verifier->schemeName(), $this->realm, $e));
            $response->getBody()->write("authentication failed\n");
            if ($this->serverTimeHeader && ($e instanceof TimestampTooOldException || $e instanceof TimestampInFutureException)) {
                $response = $response->withHeader('X-Server-Time', (string) time());
            }
            return $response;
        }
        return $next($request->withAttribute(self::KEY_ID_ATTRIBUTE, $keyId));
    }
}
