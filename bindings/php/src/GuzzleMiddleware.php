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
