<?php

declare(strict_types=1);

namespace Signwire\Laravel;

use Illuminate\Http\Request;
use Signwire\Symfony\RequestVerifier;
use Signwire\Verifier;

/**
 * Laravel route middleware: only verified requests reach the route; the key id is the
 * request attribute `signwire.key_id` (`$request->attributes->get('signwire.key_id')`).
 * Refusals get a generic 401 with `WWW-Authenticate` and one log record.
 *
 * Bind the verifier once (a service provider's `register()`), then name the middleware on
 * the routes to protect:
 *
 * ```php
 * $this->app->singleton(Signwire\Verifier::class, fn () => new Signwire\Verifier('hopnow',
 *     keys: ['k1' => env('HOPNOW_SECRET')], nonceStore: 'sqlite://' . storage_path('nonces.db')));
 * $this->app->singleton(Signwire\Laravel\VerifySignature::class, fn ($app) => new Signwire\Laravel\VerifySignature(
 *     $app->make(Signwire\Verifier::class), publicOrigin: env('SIGNWIRE_PUBLIC_ORIGIN'), log: $app->make('log')));
 *
 * Route::post('/v1/pay', PayController::class)->middleware(Signwire\Laravel\VerifySignature::class);
 * ```
 */
final class VerifySignature
{
    private RequestVerifier $guard;

    /** Options as {@see RequestVerifier}: Laravel's Request is a Symfony Request. */
    public function __construct(Verifier $verifier, ?string $publicOrigin = null, mixed $log = null, string $realm = 'api')
    {
        $this->guard = new RequestVerifier($verifier, $publicOrigin, $log, $realm);
    }

    /** @return mixed the route's response, or the 401 */
    public function handle(Request $request, \Closure $next): mixed
    {
        return $this->guard->check($request) ?? $next($request);
    }
}
