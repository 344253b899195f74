<?php

declare(strict_types=1);

namespace Signwire;

use GuzzleHttp\Psr7\Utils;
use Psr\Http\Message\RequestInterface;

/**
 * Guzzle middleware that signs every outgoing request with a {@see Signer}.
 *
 * It signs the request exactly as Guzzle sends it: the method, the full URI string and the
 * body bytes (a non-seekable body is buffered so that it can be both signed and sent).
 * Push it last, so that it runs after Guzzle's own middleware has set the final body; a
 * redirect passes through it again and is signed for its new URL.
 *
 * ```php
 * $stack = GuzzleHttp\HandlerStack::create();
 * $stack->push(Signwire\GuzzleMiddleware::sign(new Signwire\Signer('hopnow', keyId: 'k1', secret: $secret)));
 * $client = new GuzzleHttp\Client(['handler' => $stack]);
 * $client->post('https://api.example.com/v1/pay', ['body' => '{"amount":100}']);
 * ```
 */
final class GuzzleMiddleware
{
    /**
     * Sign and retry: a request answered with one of `$statuses` (or failing to connect) is
     * sent again after an exponential backoff (`$baseDelayMs * 2^(n-1)`, or the server's
     * `Retry-After`), each attempt signed afresh: new timestamp, new nonce. (Guzzle's own
     * `Middleware::retry` pushed after `sign()` would resend the same signature, which the
     * server refuses as a replay.)
     *
     * ```php
     * $stack->push(Signwire\GuzzleMiddleware::retrying($signer, retries: 3));
     * ```
     *
     * @param list<int> $statuses
     * @return callable(callable): callable a Guzzle middleware
     */
    public static function retrying(Signer $signer, int $retries = 3, array $statuses = [429, 502, 503, 504], int $baseDelayMs = 200): callable
    {
        if ($retries < 0 || $baseDelayMs < 0) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'retries and baseDelayMs must not be negative');
        }
        $decide = static function (int $attempt, $request, $response = null, $error = null) use ($retries, $statuses): bool {
            if ($attempt > $retries) {
                return false;
            }
            if ($error instanceof \GuzzleHttp\Exception\ConnectException) {
                return true;
            }
            return $response !== null && in_array($response->getStatusCode(), $statuses, true);
        };
        $delay = static function (int $attempt, $response = null) use ($baseDelayMs): int {
            $after = $response?->getHeaderLine('Retry-After') ?? '';
            if ($after !== '' && ctype_digit($after)) {
                return min((int) $after, 60) * 1000;
            }
            return $baseDelayMs * 2 ** max(0, $attempt - 1);
        };
        $retry = \GuzzleHttp\Middleware::retry($decide, $delay);
        $sign = self::sign($signer);
        // retry outside, sign inside: every attempt passes through the signer again.
        return static fn (callable $handler): callable => $retry($sign($handler));
    }

    /** @return callable(callable): callable a Guzzle middleware */
    public static function sign(Signer $signer): callable
    {
        return static function (callable $handler) use ($signer): callable {
            return static function (RequestInterface $request, array $options) use ($handler, $signer) {
                $stream = $request->getBody();
                if ($stream->isSeekable()) {
                    $stream->rewind();
                    $body = $stream->getContents();
                    $stream->rewind();
                } else {
                    $body = $stream->getContents();
                    $request = $request->withBody(Utils::streamFor($body));
                }
                $headers = $signer->sign($request->getMethod(), (string) $request->getUri(), body: $body);
                foreach ($headers as $name => $value) {
                    $request = $request->withHeader($name, $value);
                }
                return $handler($request, $options);
            };
        };
    }
}
