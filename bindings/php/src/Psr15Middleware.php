<?php

declare(strict_types=1);

namespace Signwire;

use Psr\Http\Message\ResponseFactoryInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\MiddlewareInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Psr\Log\LoggerInterface;

/**
 * A PSR-15 middleware (Slim 4, Mezzio, any PSR-15 pipeline): verified requests reach the
 * handler with the key id in the `signwire.key_id` attribute; others get a generic 401 with
 * `WWW-Authenticate`, and one log record.
 *
 * Needs `psr/http-server-middleware` (the PSR-15 interfaces; Composer installs it). The
 * options are {@see Psr7Verifier}'s.
 *
 * ```php
 * $app->add(new Signwire\Psr15Middleware($verifier, $responseFactory,
 *     publicOrigin: 'https://api.example.com', exempt: ['/healthz'], log: $logger));
 * ```
 */
final class Psr15Middleware implements MiddlewareInterface
{
    private Psr7Verifier $guard;

    /**
     * @param list<string> $exempt
     * @param list<string> $include
     */
    public function __construct(
        Verifier $verifier,
        ResponseFactoryInterface $responses,
        ?string $publicOrigin = null,
        LoggerInterface|callable|null $log = null,
        bool $serverTimeHeader = false,
        array $exempt = [],
        array $include = [],
        string $realm = 'api'
    ) {
        $this->guard = new Psr7Verifier($verifier, $responses, $publicOrigin, $log, $serverTimeHeader, $exempt, $include, $realm);
    }

    public function process(ServerRequestInterface $request, RequestHandlerInterface $handler): ResponseInterface
    {
        return $this->guard->process($request, static fn (ServerRequestInterface $r): ResponseInterface => $handler->handle($r));
    }
}
