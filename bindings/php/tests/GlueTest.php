<?php

declare(strict_types=1);

namespace Signwire\Tests;

use GuzzleHttp\Client;
use GuzzleHttp\Handler\MockHandler;
use GuzzleHttp\HandlerStack;
use GuzzleHttp\Middleware;
use GuzzleHttp\Psr7\Response;
use Nyholm\Psr7\Factory\Psr17Factory;
use Nyholm\Psr7\ServerRequest;
use PHPUnit\Framework\TestCase;
use Psr\Http\Message\ServerRequestInterface;
use Signwire\GuzzleMiddleware;
use Signwire\Psr7Verifier;
use Signwire\Signer;
use Signwire\Verifier;

/** The Guzzle middleware and the PSR-7 verifier, in process (HttpTest runs them over HTTP). */
final class GlueTest extends TestCase
{
    private string $secret;

    protected function setUp(): void
    {
        $this->secret = 'sk_' . bin2hex(random_bytes(16));
    }

    public function testGuzzleMiddlewareSignsWhatIsSent(): void
    {
        $sent = [];
        $stack = HandlerStack::create(new MockHandler([new Response(200), new Response(200), new Response(200)]));
        $stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: 'k1', secret: $this->secret)));
        $stack->push(Middleware::history($sent));
        $client = new Client(['handler' => $stack]);
        $client->post('https://api.example.com/v1/pay?x=1', ['body' => '{"amount":1}']);
        $client->get('https://api.example.com/v1/balance', ['query' => ['account' => 'a b']]);
        $client->post('https://api.example.com/v1/form', ['form_params' => ['a' => '1', 'b' => 'ü']]);

        $v = new Verifier('hopnow', keys: ['k1' => $this->secret]);
        $this->assertCount(3, $sent);
        foreach ($sent as ['request' => $r]) {
            $body = (string) $r->getBody();
            $url = (string) $r->getUri();
            $h = $r->getHeaders();
            $this->assertSame(hash_hmac('sha256', $r->getMethod() . $url . $r->getHeaderLine('X-Timestamp') . $r->getHeaderLine('X-Nonce') . $body, $this->secret),
                $r->getHeaderLine('X-Signature'), $url);
            $this->assertSame('k1', $v->verify($r->getMethod(), $url, $h, body: $body));
        }
        $this->assertSame('https://api.example.com/v1/balance?account=a%20b', (string) $sent[1]['request']->getUri());
        $this->assertSame('a=1&b=%C3%BC', (string) $sent[2]['request']->getBody());
    }

    public function testGuzzleMiddlewareBuffersANonSeekableBody(): void
    {
        $sent = [];
        $stack = HandlerStack::create(new MockHandler([new Response(200)]));
        $stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: 'k1', secret: $this->secret)));
        $stack->push(Middleware::history($sent));
        $body = new \GuzzleHttp\Psr7\NoSeekStream(\GuzzleHttp\Psr7\Utils::streamFor('streamed body'));
        (new Client(['handler' => $stack]))->put('https://api.example.com/v1/upload', ['body' => $body]);
        $r = $sent[0]['request'];
        $this->assertSame('streamed body', (string) $r->getBody());
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret]);
        $this->assertSame('k1', $v->verify('PUT', (string) $r->getUri(), $r->getHeaders(), body: 'streamed body'));
    }

    private function request(string $method, string $uri, string $body, array $headers, array $server = []): ServerRequestInterface
    {
        return new ServerRequest($method, $uri, $headers + ['Content-Type' => 'application/json'], $body, '1.1', $server + ['REMOTE_ADDR' => '127.0.0.1']);
    }

    public function testPsr7VerifierPassesASignedRequestOnWithTheKeyId(): void
    {
        $factory = new Psr17Factory();
        $guard = new Psr7Verifier(new Verifier('hopnow', keys: ['k1' => $this->secret]), $factory);
        $url = 'https://api.example.com/v1/pay?x=1';
        $h = Support::hopnowByHand($this->secret, 'k1', 'POST', $url, '{"a":1}', time(), bin2hex(random_bytes(16)));
        $request = $this->request('POST', $url, '{"a":1}', $h);
        $seen = null;
        $response = $guard->process($request, function (ServerRequestInterface $r) use ($factory, &$seen) {
            $seen = $r->getAttribute(Psr7Verifier::KEY_ID_ATTRIBUTE);
            $this->assertSame('{"a":1}', (string) $r->getBody(), 'the handler can still read the body');
            return $factory->createResponse(204);
        });
        $this->assertSame(204, $response->getStatusCode());
        $this->assertSame('k1', $seen);
    }

    public function testPsr7VerifierAnswersAGeneric401AndLogsTheReason(): void
    {
        $factory = new Psr17Factory();
        $logged = [];
        $guard = new Psr7Verifier(
            new Verifier('hopnow', keys: ['k1' => $this->secret]),
            $factory,
            publicOrigin: 'https://api.example.com',
            log: function (\Signwire\VerificationException $e) use (&$logged) { $logged[] = $e->getStatusName(); }
        );
        $next = fn () => $this->fail('the handler ran for a bad request');
        $internal = 'http://10.0.0.5:8080/v1/pay?x=1';
        $public = 'https://api.example.com/v1/pay?x=1';
        $ts = time();
        $cases = [
            'SIGNWIRE_ERR_BAD_SIGNATURE' => [Support::hopnowByHand($this->secret, 'k1', 'POST', $public, '{"a":1}', $ts, bin2hex(random_bytes(16))), '{"a":2}'],
            'SIGNWIRE_ERR_TIMESTAMP_TOO_OLD' => [Support::hopnowByHand($this->secret, 'k1', 'POST', $public, '{"a":1}', $ts - 3600, bin2hex(random_bytes(16))), '{"a":1}'],
            'SIGNWIRE_ERR_MISSING_HEADER' => [[], '{"a":1}'],
            'SIGNWIRE_ERR_UNKNOWN_KEY' => [Support::hopnowByHand($this->secret, 'k9', 'POST', $public, '{"a":1}', $ts, bin2hex(random_bytes(16))), '{"a":1}'],
        ];
        foreach ($cases as $status => [$headers, $body]) {
            $response = $guard->process($this->request('POST', $internal, $body, $headers), $next);
            $this->assertSame(401, $response->getStatusCode());
            $this->assertSame("authentication failed\n", (string) $response->getBody());
            $this->assertSame($status, end($logged));
        }
        // The public origin replaces the internal one.
        $ok = Support::hopnowByHand($this->secret, 'k1', 'POST', $public, '{"a":1}', $ts, bin2hex(random_bytes(16)));
        $this->assertSame('k1', $guard->verify($this->request('POST', $internal, '{"a":1}', $ok)));
    }
}
