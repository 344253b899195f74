<?php

declare(strict_types=1);

namespace Signwire\Tests;

use GuzzleHttp\Client;
use GuzzleHttp\HandlerStack;
use GuzzleHttp\Middleware;
use PHPUnit\Framework\TestCase;
use Signwire\GuzzleMiddleware;
use Signwire\Signer;
use Signwire\Verifier;

/**
 * The framework glue in real stacks behind `php -S` (two workers, a shared SQLite nonce
 * store), driven by Guzzle: a PSR-15 pipeline, a Laravel route (Debian's
 * php-laravel-framework), a Symfony HttpFoundation request (php-symfony-http-foundation),
 * and Guzzle's retry re-signing every attempt against a server failing twice with 503.
 * Signatures are checked against hash_hmac; refusals against the PSR-3 log records.
 */
final class FrameworksTest extends TestCase
{
    private const KEY_ID = 'k_fw';
    private static ServerProcess $server;
    private static string $secret;
    private static string $dir;

    public static function setUpBeforeClass(): void
    {
        self::$secret = 'sk_' . bin2hex(random_bytes(16));
        self::$dir = Support::tempDir('signwire-fw-');
        touch(self::$dir . '/refusals.log');
        $port = Support::freePort();
        self::$server = new ServerProcess(
            array_merge([PHP_BINARY], Support::iniArgs(Support::preloadIni(self::$dir)), ['-S', "127.0.0.1:$port", __DIR__ . '/frameworks/router.php']),
            ['PHP_CLI_SERVER_WORKERS' => '2', 'SIGNWIRE_LIB' => Support::library(), 'SIGNWIRE_TEST_KEY_ID' => self::KEY_ID,
             'SIGNWIRE_TEST_SECRET' => self::$secret, 'SIGNWIRE_TEST_LOG' => self::$dir . '/refusals.log',
             'SIGNWIRE_TEST_NONCE_STORE' => 'sqlite://' . self::$dir . '/nonces.db', 'SIGNWIRE_TEST_COUNTER' => self::$dir . '/counter'],
            $port,
            self::$dir . '/server.log'
        );
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private function assertSignedByHand(\Psr\Http\Message\RequestInterface $r): void
    {
        $expected = hash_hmac('sha256', $r->getMethod() . $r->getUri() . $r->getHeaderLine('X-Timestamp') . $r->getHeaderLine('X-Nonce') . $r->getBody(), self::$secret);
        $this->assertSame($expected, $r->getHeaderLine('X-Signature'));
    }

    /** @return list<array{level: string, message: string, context: array<string,mixed>}> */
    private static function refusals(): array
    {
        $lines = array_filter(explode("\n", (string) file_get_contents(self::$dir . '/refusals.log')));
        return array_map(static fn ($l) => json_decode($l, true, 16, JSON_THROW_ON_ERROR), array_values($lines));
    }

    /** @return array<string, array{string}> */
    public static function stacks(): array
    {
        return ['PSR-15 pipeline' => ['psr15'], 'Laravel route' => ['laravel'], 'Symfony request' => ['symfony']];
    }

    /** @dataProvider stacks */
    public function testProtectedAndOpenRoutes(string $stack): void
    {
        $history = [];
        $sent = [];
        $stackMw = HandlerStack::create();
        $stackMw->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: self::KEY_ID, secret: self::$secret)));
        $stackMw->push(Middleware::history($sent)); // pushed later = inner: sees the signed request
        $client = new Client(['handler' => $stackMw, 'base_uri' => 'http://127.0.0.1:' . self::$server->port, 'http_errors' => false, 'timeout' => 20]);
        $body = '{"amount":"12.50","note":"caf\u00e9"}';
        foreach (["/$stack/pay", "/$stack/pay?x=%2F&y=caf%C3%A9"] as $target) {
            $r = $client->post($target, ['body' => $body, 'headers' => ['Content-Type' => 'application/json']]);
            $this->assertSame(200, $r->getStatusCode(), (string) $r->getBody() . self::$server->log());
            $got = json_decode((string) $r->getBody(), true);
            $this->assertSame(self::KEY_ID, $got['key_id']);
            $this->assertSame(hash('sha256', $body), $got['sha256']);
            $this->assertSignedByHand(end($sent)['request']);
        }
        $this->assertSame(200, (new Client(['http_errors' => false]))->get('http://127.0.0.1:' . self::$server->port . "/$stack/healthz")->getStatusCode());

        // Unsigned, and a replay of a signed request: generic 401 with WWW-Authenticate.
        $before = count(self::refusals());
        $plain = new Client(['base_uri' => 'http://127.0.0.1:' . self::$server->port, 'http_errors' => false]);
        $r = $plain->post("/$stack/pay", ['body' => $body]);
        $this->assertSame(401, $r->getStatusCode());
        $this->assertStringStartsWith('Signwire realm="api", scheme="hopnow"', $r->getHeaderLine('WWW-Authenticate'));
        $this->assertStringNotContainsString('SIGNWIRE', (string) $r->getBody());
        $signed = end($sent)['request'];
        $r = $plain->send($signed);
        $this->assertSame(401, $r->getStatusCode());
        $records = array_slice(self::refusals(), $before);
        $this->assertCount(2, $records, 'one log record per refusal');
        $this->assertSame('SIGNWIRE_ERR_MISSING_HEADER', $records[0]['context']['status']);
        $this->assertSame('SIGNWIRE_ERR_NONCE_REPLAYED', $records[1]['context']['status']);
        $this->assertSame(self::KEY_ID, $records[1]['context']['key_id']);
        $this->assertSame('127.0.0.1', $records[1]['context']['client']);
        $this->assertSame('hopnow', $records[1]['context']['scheme']);
        $this->assertSame('warning', $records[1]['level']);
        $text = json_encode($records);
        $this->assertStringNotContainsString($signed->getHeaderLine('X-Signature'), $text);
        $this->assertStringNotContainsString(self::$secret, $text);
    }

    public function testGuzzleRetryResignsEveryAttempt(): void
    {
        file_put_contents(self::$dir . '/counter', '0');
        $attempts = [];
        $stack = HandlerStack::create();
        // Guzzle wraps in push order: the first pushed is the outermost. retrying() is
        // order-proof (it retries outside its own signing); history, pushed after, sees each attempt.
        $stack->push(GuzzleMiddleware::retrying(new Signer('hopnow', keyId: self::KEY_ID, secret: self::$secret), retries: 3, baseDelayMs: 10));
        $stack->push(Middleware::history($attempts));
        $client = new Client(['handler' => $stack, 'base_uri' => 'http://127.0.0.1:' . self::$server->port, 'http_errors' => false, 'timeout' => 20]);
        $r = $client->post('/flaky/pay', ['body' => '{"n":1}']);
        $this->assertSame(200, $r->getStatusCode(), (string) $r->getBody());
        $this->assertSame('3', file_get_contents(self::$dir . '/counter'), 'three verified attempts');
        $this->assertSame([503, 503, 200], array_map(static fn ($a) => $a['response']->getStatusCode(), $attempts));
        $nonces = array_map(static fn ($a) => $a['request']->getHeaderLine('X-Nonce'), $attempts);
        $this->assertCount(3, array_unique($nonces));
        foreach ($attempts as $a) {
            $this->assertSignedByHand($a['request']);
        }
    }

    public function testGuzzlesOwnRetryAfterSigningReplaysTheNonceControl(): void
    {
        file_put_contents(self::$dir . '/counter', '0');
        // Signing outside Guzzle's own retry: every retry resends the first signature.
        $stack = HandlerStack::create();
        $stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: self::KEY_ID, secret: self::$secret)));
        $stack->push(Middleware::retry(static fn (int $n, $req, $res = null) => $n < 3 && $res !== null && $res->getStatusCode() === 503, static fn () => 10));
        $client = new Client(['handler' => $stack, 'base_uri' => 'http://127.0.0.1:' . self::$server->port, 'http_errors' => false, 'timeout' => 20]);
        $this->assertSame(401, $client->post('/flaky/pay', ['body' => '{"n":2}'])->getStatusCode());
        $this->assertSame('1', file_get_contents(self::$dir . '/counter'));
    }

    public function testArgumentErrorsNameTheMistake(): void
    {
        try {
            new Verifier('hopnow', keys: ['k1' => null]);
            $this->fail('null secret accepted');
        } catch (\TypeError $e) {
            $this->assertStringContainsString('"k1"', $e->getMessage());
            $this->assertStringContainsString('null', $e->getMessage());
        }
        try {
            new Verifier('hopnow', keys: ['k1' => []]);
            $this->fail('an empty list of secrets accepted');
        } catch (\Signwire\InvalidArgumentException $e) {
            $this->assertStringContainsString('empty list', $e->getMessage());
        }
        $v = new Verifier('hopnow', keys: ['k1' => self::$secret]);
        $h = Support::hopnowByHand(self::$secret, 'k1', 'GET', 'https://a.example/', '', time(), bin2hex(random_bytes(16)));
        $lines = [];
        foreach ($h as $n => $value) {
            $lines[] = "$n: $value";
        }
        try {
            $v->verify('GET', 'https://a.example/', $lines);
            $this->fail('a list of "Name: value" lines was accepted');
        } catch (\Signwire\VerificationException $e) {
            $this->fail('a list of lines was read as a request with missing headers: ' . $e->getMessage());
        } catch (\Signwire\InvalidArgumentException $e) {
            $this->assertStringContainsString('Name: value', $e->getMessage());
        }
        $this->assertSame('k1', $v->verify('GET', 'https://a.example/', $h));
        // Exceptions carry the context a server logs: key id and headers, never the signature.
        $bad = ['X-Signature' => str_repeat('0', 64)] + $h;
        try {
            $v->verify('GET', 'https://a.example/', $bad);
            $this->fail('bad signature accepted');
        } catch (\Signwire\VerificationException $e) {
            $this->assertSame('k1', $e->getKeyId());
            $this->assertSame('<not logged>', $e->getContext()['headers']['X-Signature']);
            $this->assertSame($h['X-Nonce'], $e->getContext()['headers']['X-Nonce']);
        }
    }
}
