<?php
// A PHP client of `signwire serve`: Guzzle with the binding's signing middleware.
//
//   SECRET=... php -d ffi.enable=1 client.php BASE_URL KEY_ID ok|tamper FP_FILE
//
// Posts a JSON body to BASE_URL/v1/orders?currency=EUR. With `tamper`, a middleware that
// runs after signing changes the query (a proxy or framework rewriting the URL). Writes the
// client-side fingerprint of what was signed (Scheme::explain) to FP_FILE and prints the
// endpoint's answer body; exit 0 when an answer arrived.
declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';
require_once stream_resolve_include_path('GuzzleHttp/autoload.php') ?: '/usr/share/php/GuzzleHttp/autoload.php';

use GuzzleHttp\Client;
use GuzzleHttp\HandlerStack;
use Psr\Http\Message\RequestInterface;
use Signwire\GuzzleMiddleware;
use Signwire\Scheme;
use Signwire\Signer;

[, $base, $keyId, $mode, $fpFile] = $argv;

$stack = HandlerStack::create();
// Guzzle runs the middleware in the order pushed: sign, then record what was signed, then
// (tamper mode) change the request on its way to the wire.
$stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: $keyId, secret: getenv('SECRET'))));
$stack->push(static fn (callable $h): callable => static function (RequestInterface $r, array $o) use ($h, $fpFile) {
    $headers = [];
    foreach (['X-API-Key', 'X-Signature', 'X-Timestamp', 'X-Nonce'] as $n) {
        $headers[$n] = $r->getHeaderLine($n);
    }
    file_put_contents($fpFile, Scheme::explain('hopnow', $r->getMethod(), (string) $r->getUri(), $headers, (string) $r->getBody()) . "\n");
    return $h($r, $o);
});
if ($mode === 'tamper') {
    $stack->push(static fn (callable $h): callable => static fn (RequestInterface $r, array $o) =>
        $h($r->withUri($r->getUri()->withQuery('currency=USD')), $o));
}

$client = new Client(['handler' => $stack, 'http_errors' => false]);
$r = $client->post("$base/v1/orders?currency=EUR", ['body' => '{"item":"book","qty":2}', 'headers' => ['Content-Type' => 'application/json']]);
fwrite(STDERR, "php client: HTTP {$r->getStatusCode()}\n");
echo $r->getBody();
