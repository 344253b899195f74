<?php

declare(strict_types=1);

namespace Signwire\Symfony;

use Psr\Log\LoggerInterface;
use Signwire\Library;
use Signwire\Refusal;
use Signwire\VerificationException;
use Signwire\Verifier;
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;

/**
 * Verifies a Symfony HttpFoundation `Request` (Symfony controllers and listeners, Laravel,
 * Drupal, Silex...): the raw body (`getContent()`), the target as the client sent it
 * (`REQUEST_URI`, not the re-encoded `getUri()`), the headers, and `REMOTE_ADDR` (signwire's
 * own `trustedProxies` decide about `X-Forwarded-For`).
 *
 * ```php
 * $guard = new Signwire\Symfony\RequestVerifier($verifier, publicOrigin: 'https://api.example.com', log: $logger);
 * $refused = $guard->check($request);          // null, or the 401 Response to return
 * if ($refused !== null) { return $refused; }
 * $keyId = $request->attributes->get('signwire.key_id');
 * ```
 */
final class RequestVerifier
{
    /** The request attribute that carries the verified key id. */
    public const KEY_ID_ATTRIBUTE = 'signwire.key_id';

    private LoggerInterface|\Closure|null $log;

    /**
     * @param string|null $publicOrigin the origin clients sign, behind a TLS terminator or proxy
     * @param LoggerInterface|callable|null $log a PSR-3 logger, a callable
     *        `fn (VerificationException $e, array $fields)`, or null for `error_log`
     */
    public function __construct(
        private Verifier $verifier,
        private ?string $publicOrigin = null,
        LoggerInterface|callable|null $log = null,
        private string $realm = 'api'
    ) {
        if ($publicOrigin !== null && !preg_match('~^https?://[^/?#\s]+$~i', $publicOrigin)) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT',
                'publicOrigin must be scheme://host[:port] without a path or trailing slash, got ' . json_encode($publicOrigin));
        }
        Refusal::checkRealm($realm);
        $this->log = $log === null || $log instanceof LoggerInterface ? $log : \Closure::fromCallable($log);
    }

    /** The complete URL the client signed: the public origin (or the one seen) + the raw target. */
    public function url(Request $request): string
    {
        $target = $request->server->get('REQUEST_URI');
        if (!is_string($target) || $target === '') {
            $target = $request->getRequestUri();
        } elseif (!str_starts_with($target, '/')) {
            // absolute-form (`GET http://host/path HTTP/1.1`): keep the path and query
            $parts = parse_url($target);
            $target = ($parts['path'] ?? '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
        }
        return ($this->publicOrigin ?? $request->getSchemeAndHttpHost()) . $target;
    }

    /**
     * The key id that signed `$request`; also set as its `signwire.key_id` attribute.
     *
     * @throws VerificationException
     */
    public function verify(Request $request): string
    {
        $remote = $request->server->get('REMOTE_ADDR');
        $keyId = $this->verifier->verify(
            $request->getMethod(),
            $this->url($request),
            $request->headers->all(),
            body: (string) $request->getContent(),
            remoteAddr: is_string($remote) ? $remote : null
        );
        $request->attributes->set(self::KEY_ID_ATTRIBUTE, $keyId);
        return $keyId;
    }

    /** Null when `$request` is verified, else the 401 to send (after logging why). */
    public function check(Request $request): ?Response
    {
        try {
            $this->verify($request);
            return null;
        } catch (VerificationException $e) {
            $remote = $request->server->get('REMOTE_ADDR');
            Refusal::log($this->log, $e, $this->verifier->schemeName(), $request->getMethod(), $this->url($request), is_string($remote) ? $remote : null);
            return $this->deny($e);
        }
    }

    /** The generic 401 for a refusal: `{"error":"authentication failed"}` and `WWW-Authenticate`. */
    public function deny(?VerificationException $e = null): Response
    {
        return new Response('{"error":"authentication failed"}', 401, [
            'Content-Type' => 'application/json',
            'Cache-Control' => 'no-store',
            'WWW-Authenticate' => Refusal::challenge($this->verifier->schemeName(), $this->realm, $e),
        ]);
    }
}
