<?php

declare(strict_types=1);

namespace Signwire;

use Psr\Http\Message\ResponseFactoryInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;

/**
 * Verifies PSR-7 server requests (nyholm/psr7, guzzlehttp/psr7, Slim, ...) and answers a
 * failed one with a generic 401: the client learns nothing about why; the reason goes to
 * the log callback (default `error_log`).
 *
 * Shaped like a PSR-15 middleware (`process($request, $next)`) without depending on
 * psr/http-server-middleware; wrap it in one line where a framework needs the interface.
 *
 * ```php
 * $factory = new Nyholm\Psr7\Factory\Psr17Factory();
 * $guard = new Signwire\Psr7Verifier($verifier, $factory, publicOrigin: 'https://api.example.com');
 * $response = $guard->process($request, fn ($r) => $app->handle($r));
 * // the handler sees $r->getAttribute('signwire.key_id')
 * ```
 */
final class Psr7Verifier
{
    /** The request attribute that carries the verified key id. */
    public const KEY_ID_ATTRIBUTE = 'signwire.key_id';

    /** @var callable(VerificationException, ServerRequestInterface): void */
    private $log;

    /**
     * @param string|null $publicOrigin the origin clients sign (`https://api.example.com`),
     *        when this server sits behind a TLS terminator or proxy
     * @param callable(VerificationException, ServerRequestInterface): void|null $log
     * @param bool $serverTimeHeader add `X-Server-Time: <unix seconds>` to the 401 of a stale
     *        or future timestamp (as Hawk does), so clients can correct their clock
     */
    public function __construct(
        private Verifier $verifier,
        private ResponseFactoryInterface $responses,
        private ?string $publicOrigin = null,
        ?callable $log = null,
        private bool $serverTimeHeader = false
    ) {
        if ($publicOrigin !== null && !preg_match('~^https?://[^/?#\s]+$~i', $publicOrigin)) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT',
                'publicOrigin must be scheme://host[:port] without a path or trailing slash, got ' . json_encode($publicOrigin));
        }
        $this->log = $log ?? static function (VerificationException $e, ServerRequestInterface $r): void {
            error_log(sprintf('signwire: %s %s refused: %s: %s', $r->getMethod(), $r->getRequestTarget(), $e->getStatusName(), $e->getMessage()));
            if ($e->getDiagnostic() !== null) {
                error_log('signwire: diagnostic ' . $e->getDiagnostic());
            }
        };
    }

    /**
     * The key id that signed the request. The body stream is read and rewound.
     *
     * @throws VerificationException
     */
    public function verify(ServerRequestInterface $request): string
    {
        $uri = $request->getUri();
        $origin = $this->publicOrigin
            ?? $uri->getScheme() . '://' . $uri->getAuthority();
        $stream = $request->getBody();
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $body = $stream->getContents();
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $remote = $request->getServerParams()['REMOTE_ADDR'] ?? null;
        return $this->verifier->verify(
            $request->getMethod(),
            $origin . $request->getRequestTarget(),
            $request->getHeaders(),
            body: $body,
            remoteAddr: $remote === null ? null : (string) $remote
        );
    }

    /**
     * Call `$next` with the verified request (key id in the `signwire.key_id` attribute), or
     * answer 401 "authentication failed".
     *
     * @param callable(ServerRequestInterface): ResponseInterface $next
     */
    public function process(ServerRequestInterface $request, callable $next): ResponseInterface
    {
        try {
            $keyId = $this->verify($request);
        } catch (VerificationException $e) {
            ($this->log)($e, $request);
            $response = $this->responses->createResponse(401)->withHeader('Content-Type', 'text/plain; charset=utf-8');
            $response->getBody()->write("authentication failed\n");
            if ($this->serverTimeHeader && ($e instanceof TimestampTooOldException || $e instanceof TimestampInFutureException)) {
                $response = $response->withHeader('X-Server-Time', (string) time());
            }
            return $response;
        }
        return $next($request->withAttribute(self::KEY_ID_ATTRIBUTE, $keyId));
    }
}
