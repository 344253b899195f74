<?php

declare(strict_types=1);

namespace Signwire\Tests;

use GuzzleHttp\Client;
use GuzzleHttp\HandlerStack;
use PHPUnit\Framework\TestCase;
use Signwire\GuzzleMiddleware;
use Signwire\Signer;

/**
 * Real HTTP: `php -S` with several workers (PHP_CLI_SERVER_WORKERS) serves tests/http/, whose
 * scripts call verifyGlobals(). Clients: Python's hmac, a C program linked to libsignwire, the
 * signwire CLI, and Guzzle with the signing middleware.
 */
final class HttpTest extends TestCase
{
    private const KEY_ID = 'k_http';
    /** php -S workers (PHP_CLI_SERVER_WORKERS). */
    private const WORKERS = 4;
    private static ServerProcess $server;
    private static string $secret;
    private static string $dir;
    private static string $failures;
    private static string $nonceStore;
    private static string $sealKey;

    public static function setUpBeforeClass(): void
    {
        self::$secret = 'sk_' . bin2hex(random_bytes(16));
        self::$sealKey = random_bytes(32);
        self::$dir = Support::tempDir('signwire-http-');
        self::$failures = self::$dir . '/failures.log';
        touch(self::$failures);
        // Each request starts with empty PHP memory: only a shared store can see a replay.
        self::$nonceStore = 'sqlite://' . self::$dir . '/nonces.db';
        $port = Support::freePort();
        self::$server = new ServerProcess(
            array_merge([PHP_BINARY], Support::iniArgs(Support::preloadIni(self::$dir)), ['-S', "127.0.0.1:$port", '-t', __DIR__ . '/http']),
            ['PHP_CLI_SERVER_WORKERS' => (string) self::WORKERS, 'SIGNWIRE_LIB' => Support::library(), 'SIGNWIRE_TEST_KEY_ID' => self::KEY_ID,
             'SIGNWIRE_TEST_SECRET' => self::$secret, 'SIGNWIRE_TEST_LOG' => self::$failures,
             'SIGNWIRE_TEST_NONCE_STORE' => self::$nonceStore, 'SIGNWIRE_TEST_SEAL_KEY' => bin2hex(self::$sealKey)],
            $port,
            self::$dir . '/server.log'
        );
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private static function url(string $path): string
    {
        return 'http://127.0.0.1:' . self::$server->port . $path;
    }

    private static function pythonSign(string $method, string $url, string $body, ?int $ts = null, ?string $nonce = null): array
    {
        file_put_contents(self::$dir . '/body', $body);
        $cmd = ['python3', __DIR__ . '/http/hopnow_sign.py', self::KEY_ID, $method, $url, self::$dir . '/body'];
        if ($ts !== null) {
            $cmd[] = (string) $ts;
            if ($nonce !== null) {
                $cmd[] = $nonce;
            }
        }
        [$code, $out, $err] = Support::run($cmd, ['SIGNWIRE_TEST_SECRET' => self::$secret]);
        if ($code !== 0) {
            throw new \RuntimeException("python: $err");
        }
        return json_decode($out, true, 8, JSON_THROW_ON_ERROR);
    }

    /** @param array<string,string> $headers */
    private static function send(string $method, string $target, array $headers, string $body, string $testId): array
    {
        return Support::http(self::$server->port, [['method' => $method, 'target' => $target, 'headers' => $headers + ['X-Test-Id' => $testId], 'body' => $body]])[0];
    }

    private function assertRefused(array $response, string $testId, string $status): void
    {
        $this->assertSame(401, $response['status'], $response['body']);
        $this->assertSame("authentication failed\n", $response['body'], 'the client learns nothing more');
        $this->assertMatchesRegularExpression('/^' . preg_quote($testId, '/') . ' ' . $status . ' /m', (string) file_get_contents(self::$failures),
            self::$server->log());
    }

    private function assertAccepted(array $response): void
    {
        $this->assertSame(200, $response['status'], $response['body'] . self::$server->log());
        $this->assertMatchesRegularExpression('/^ok ' . self::KEY_ID . ' pid=\d+$/', trim($response['body']));
    }

    public function testPythonSignedRequestsPass(): void
    {
        $body = '{"amount":"10.00","memo":"caf' . "\u{e9}" . '"}';
        $target = '/verify-globals.php?order=42&note=caf%C3%A9';
        $h = self::pythonSign('POST', self::url($target), $body);
        $this->assertAccepted(self::send('POST', $target, $h + ['Content-Type' => 'application/json'], $body, 'py-post'));
        $h = self::pythonSign('GET', self::url('/verify-globals.php'), '');
        $this->assertAccepted(self::send('GET', '/verify-globals.php', $h, '', 'py-get'));
        $binary = random_bytes(2000) . "\0\r\n";
        $h = self::pythonSign('PUT', self::url('/verify-globals.php?bin=1'), $binary);
        $this->assertAccepted(self::send('PUT', '/verify-globals.php?bin=1', $h + ['Content-Type' => 'application/octet-stream'], $binary, 'py-binary'));
    }

    public function testPythonBindingSignedRequestPasses(): void
    {
        // The Python binding (bindings/python, ctypes over the same library), as a Python client would use it.
        $target = '/verify-globals.php?lang=python-binding';
        $py = 'import json, os, signwire; s = signwire.Signer("hopnow", key_id=os.environ["KEY_ID"], secret=os.environb[b"SIGNWIRE_TEST_SECRET"]); '
            . 'print(json.dumps(s.sign("POST", os.environ["URL"], body=b"from the python binding")))';
        [$code, $out, $err] = Support::run(['python3', '-c', $py], ['PYTHONPATH' => Support::root() . '/bindings/python/src',
            'SIGNWIRE_LIB' => Support::library(), 'SIGNWIRE_TEST_SECRET' => self::$secret, 'KEY_ID' => self::KEY_ID, 'URL' => self::url($target)]);
        $this->assertSame(0, $code, $err);
        $headers = json_decode($out, true, 8, JSON_THROW_ON_ERROR);
        $this->assertAccepted(self::send('POST', $target, $headers, 'from the python binding', 'py-binding'));
    }

    public function testCSignedRequestPasses(): void
    {
        $bin = Support::cSigner(self::$dir);
        $body = '{"from":"c"}';
        file_put_contents(self::$dir . '/c-body', $body);
        $target = '/verify-globals.php?lang=c';
        [$code, $out, $err] = Support::run([$bin, self::KEY_ID, 'POST', self::url($target), self::$dir . '/c-body'], ['SIGNWIRE_TEST_SECRET' => self::$secret]);
        $this->assertSame(0, $code, $err);
        $headers = [];
        foreach (explode("\r\n", trim($out)) as $line) {
            [$n, $v] = explode(': ', $line, 2);
            $headers[$n] = $v;
        }
        $this->assertSame(['X-API-Key', 'X-Signature', 'X-Timestamp', 'X-Nonce'], array_keys($headers));
        $this->assertAccepted(self::send('POST', $target, $headers, $body, 'c'));
        // and the C signature is what the HopNow formula gives
        $this->assertSame(hash_hmac('sha256', 'POST' . self::url($target) . $headers['X-Timestamp'] . $headers['X-Nonce'] . $body, self::$secret), $headers['X-Signature']);
    }

    public function testCliSignedRequestPasses(): void
    {
        $body = 'plain text body';
        file_put_contents(self::$dir . '/cli-body', $body);
        $target = '/verify-globals.php?lang=cli';
        [$code, $out, $err] = Support::run([Support::cli(), 'sign', '--scheme', 'hopnow', '--key-id', self::KEY_ID, '--secret-env', 'SIGNWIRE_TEST_SECRET',
            '--method', 'POST', '--url', self::url($target), '--body-file', self::$dir . '/cli-body'], ['SIGNWIRE_TEST_SECRET' => self::$secret]);
        $this->assertSame(0, $code, $err);
        $headers = [];
        foreach (explode("\n", trim($out)) as $line) {
            [$n, $v] = explode(': ', $line, 2);
            $headers[$n] = $v;
        }
        $this->assertAccepted(self::send('POST', $target, $headers, $body, 'cli'));
    }

    public function testTamperedRequestsGet401(): void
    {
        $body = '{"amount":"10.00"}';
        $target = '/verify-globals.php?order=42';
        $h = self::pythonSign('POST', self::url($target), $body);
        $this->assertRefused(self::send('POST', $target, $h, '{"amount":"99.00"}', 'tampered-body'), 'tampered-body', 'SIGNWIRE_ERR_BAD_SIGNATURE');
        $this->assertRefused(self::send('POST', '/verify-globals.php?order=43', $h, $body, 'tampered-query'), 'tampered-query', 'SIGNWIRE_ERR_BAD_SIGNATURE');
        $this->assertRefused(self::send('PUT', $target, $h, $body, 'tampered-method'), 'tampered-method', 'SIGNWIRE_ERR_BAD_SIGNATURE');
        $forged = ['X-Signature' => str_repeat('0', 64)] + $h;
        $this->assertRefused(self::send('POST', $target, $forged, $body, 'forged'), 'forged', 'SIGNWIRE_ERR_BAD_SIGNATURE');
        $noSig = $h;
        unset($noSig['X-Signature']);
        $this->assertRefused(self::send('POST', $target, $noSig, $body, 'unsigned'), 'unsigned', 'SIGNWIRE_ERR_MISSING_HEADER');
        // The untampered request still passes: failures did not burn its nonce.
        $this->assertAccepted(self::send('POST', $target, $h, $body, 'original'));
    }

    public function testStaleAndFutureRequestsGet401(): void
    {
        $target = '/verify-globals.php?t=1';
        $h = self::pythonSign('POST', self::url($target), 'x', time() - 600);
        $this->assertRefused(self::send('POST', $target, $h, 'x', 'stale'), 'stale', 'SIGNWIRE_ERR_TIMESTAMP_TOO_OLD');
        $h = self::pythonSign('POST', self::url($target), 'x', time() + 600);
        $this->assertRefused(self::send('POST', $target, $h, 'x', 'future'), 'future', 'SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE');
    }

    public function testReplayedRequestGets401(): void
    {
        $target = '/verify-globals.php?replay=1';
        $h = self::pythonSign('POST', self::url($target), 'pay once');
        $this->assertAccepted(self::send('POST', $target, $h, 'pay once', 'replay-1'));
        $this->assertRefused(self::send('POST', $target, $h, 'pay once', 'replay-2'), 'replay-2', 'SIGNWIRE_ERR_NONCE_REPLAYED');
        // Concurrent copies across workers: exactly one wins.
        $h = self::pythonSign('POST', self::url($target), 'race');
        $copies = array_fill(0, 6, ['method' => 'POST', 'target' => $target, 'headers' => $h + ['X-Test-Id' => 'race'], 'body' => 'race']);
        $statuses = array_column(Support::http(self::$server->port, $copies), 'status');
        sort($statuses);
        $this->assertSame([200, 401, 401, 401, 401, 401], $statuses);
    }

    public function testUnderscoreHeaderCannotSpoofTheProxy(): void
    {
        // `$_SERVER` maps X_Forwarded_For and X-Forwarded-For to one key: the client's
        // allowed address would replace the proxy's record of the true client.
        $target = '/allowlist.php?u=1';
        $h = self::pythonSign('GET', self::url($target), '');
        $this->assertRefused(self::send('GET', $target, $h + ['X-Forwarded-For' => '198.51.100.7', 'X_Forwarded_For' => '203.0.113.9'], '', 'underscore-1'),
            'underscore-1', 'SIGNWIRE_ERR_IP_NOT_ALLOWED');
        $h = self::pythonSign('GET', self::url($target), '');
        $this->assertRefused(self::send('GET', $target, $h + ['X_Forwarded_For' => '203.0.113.9'], '', 'underscore-2'),
            'underscore-2', 'SIGNWIRE_ERR_IP_NOT_ALLOWED');
        // Control: the proxy's own header naming an allowed client passes.
        $h = self::pythonSign('GET', self::url($target), '');
        $this->assertAccepted(self::send('GET', $target, $h + ['X-Forwarded-For' => '203.0.113.9'], '', 'underscore-ok'));
    }

    public function testBehindATlsTerminatorThePublicOriginIsSigned(): void
    {
        $target = '/behind-proxy.php?x=1';
        $h = self::pythonSign('POST', 'https://api.example.com' . $target, 'b');
        $this->assertAccepted(self::send('POST', $target, $h, 'b', 'proxy-ok'));
        $h = self::pythonSign('POST', self::url($target), 'b');
        $this->assertRefused(self::send('POST', $target, $h, 'b', 'proxy-internal-url'), 'proxy-internal-url', 'SIGNWIRE_ERR_BAD_SIGNATURE');
    }

    public function testSeveralWorkersServeConcurrentRequests(): void
    {
        // Every request waits in the script until WORKERS of them have arrived (a barrier of
        // files): that happens only if all the server's workers hold one request at once.
        $barrier = self::$dir . '/barrier-' . bin2hex(random_bytes(4));
        mkdir($barrier);
        $requests = [];
        for ($i = 0; $i < 8; $i++) {
            $target = "/verify-globals.php?n=$i";
            $requests[] = ['method' => 'POST', 'target' => $target, 'body' => "body $i",
                'headers' => self::pythonSign('POST', self::url($target), "body $i")
                    + ['X-Test-Barrier' => $barrier, 'X-Test-Barrier-Count' => (string) self::WORKERS, 'X-Test-Id' => "barrier-$i"]];
        }
        $pids = [];
        foreach (Support::http(self::$server->port, $requests) as $r) {
            $this->assertAccepted($r);
            preg_match('/pid=(\d+)/', $r['body'], $m);
            $pids[$m[1]] = true;
        }
        $this->assertCount(8, glob("$barrier/arrived-*") ?: [], 'every request arrived once');
        // At least WORKERS processes (php -S may serve from one more than it forks: seen as 5).
        $this->assertGreaterThanOrEqual(self::WORKERS, count($pids), 'WORKERS processes held a request at once');
    }

    public function testGuzzleWithTheMiddlewarePasses(): void
    {
        $stack = HandlerStack::create();
        $stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: self::KEY_ID, secret: self::$secret)));
        $client = new Client(['handler' => $stack, 'http_errors' => false, 'base_uri' => self::url('/')]);
        $r = $client->post('/verify-globals.php?via=guzzle', ['json' => ['amount' => '5.00', 'memo' => "\u{1F600}"]]);
        $this->assertSame(200, $r->getStatusCode(), (string) $r->getBody());
        $this->assertStringStartsWith('ok ' . self::KEY_ID, (string) $r->getBody());
        $r = $client->get('/verify-globals.php', ['query' => ['q' => 'a b&c', 'n' => 1]]);
        $this->assertSame(200, $r->getStatusCode(), (string) $r->getBody());
        $r = $client->post('/verify-globals.php?form=1', ['form_params' => ['a' => '1', 'b' => "\u{fc}"]]);
        $this->assertSame(200, $r->getStatusCode(), (string) $r->getBody());

        $stack = HandlerStack::create();
        $stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: self::KEY_ID, secret: 'not-the-secret-123456')));
        $wrong = new Client(['handler' => $stack, 'http_errors' => false, 'base_uri' => self::url('/'), 'headers' => ['X-Test-Id' => 'guzzle-wrong']]);
        $r = $wrong->post('/verify-globals.php', ['body' => 'x']);
        $this->assertSame(401, $r->getStatusCode());
        $this->assertSame("authentication failed\n", (string) $r->getBody());
    }

    public function testSealedAndSignedBodyIsVerifiedThenOpened(): void
    {
        // A PHP client seals the body, then Guzzle's middleware signs the token as sent.
        $plain = '{"card":"4111111111111111","amount":"5.00"}';
        $token = \Signwire\Recipient::shared('k-aes', self::$sealKey)->seal($plain);
        $stack = HandlerStack::create();
        $stack->push(GuzzleMiddleware::sign(new Signer('hopnow', keyId: self::KEY_ID, secret: self::$secret)));
        $client = new Client(['handler' => $stack, 'http_errors' => false, 'base_uri' => self::url('/')]);
        $r = $client->post('/sealed.php', ['body' => $token, 'headers' => ['Content-Type' => 'application/jose']]);
        $this->assertSame(200, $r->getStatusCode(), (string) $r->getBody());
        $this->assertSame('ok ' . self::KEY_ID . ' ' . hash('sha256', $plain) . "\n", (string) $r->getBody());

        // Signed, but the body swapped for another valid token: refused before decryption.
        $h = self::pythonSign('POST', self::url('/sealed.php'), $token);
        $other = \Signwire\Recipient::shared('k-aes', self::$sealKey)->seal('{"card":"0000"}');
        $this->assertRefused(self::send('POST', '/sealed.php', $h, $other, 'sealed-swapped'), 'sealed-swapped', 'SIGNWIRE_ERR_BAD_SIGNATURE');
        // Signed correctly by Python, but not a token: verified, then refused when opening.
        $h = self::pythonSign('POST', self::url('/sealed.php'), 'not a token');
        $this->assertRefused(self::send('POST', '/sealed.php', $h, 'not a token', 'sealed-garbage'), 'sealed-garbage', 'SIGNWIRE_ERR_MALFORMED_TOKEN');
        // alg "none" from a client is a verification failure too (401, not a 500).
        $parts = explode('.', $token);
        $none = rtrim(strtr(base64_encode('{"alg":"none","enc":"A256GCM","kid":"k-aes"}'), '+/', '-_'), '=') . '.' . implode('.', array_slice($parts, 1));
        $h = self::pythonSign('POST', self::url('/sealed.php'), $none);
        $this->assertRefused(self::send('POST', '/sealed.php', $h, $none, 'sealed-none'), 'sealed-none', 'SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM');
    }

    public function testTheServerLoadedTheLibraryThroughThePreloadedScope(): void
    {
        // php -S is a server SAPI: with the default ffi.enable=preload it refuses FFI::cdef, so
        // passing requests above prove the preload path; a probe without preload shows the advice.
        $port = Support::freePort();
        $probe = new ServerProcess([PHP_BINARY, '-S', "127.0.0.1:$port", '-t', __DIR__ . '/http'],
            ['SIGNWIRE_TEST_KEY_ID' => 'k', 'SIGNWIRE_TEST_SECRET' => 'x', 'SIGNWIRE_TEST_LOG' => '/dev/null', 'SIGNWIRE_TEST_NONCE_STORE' => ''],
            $port, self::$dir . '/probe.log');
        try {
            $r = Support::http($port, [['method' => 'GET', 'target' => '/verify-globals.php', 'headers' => [], 'body' => '']])[0];
        } finally {
            $probe->stop();
        }
        $this->assertSame(500, $r['status']);
        $this->assertStringContainsString('PHP refused FFI::cdef here (ffi.enable=preload, SAPI cli-server)', $probe->log() . $r['body']);
        $this->assertStringContainsString('opcache.preload=', $probe->log() . $r['body']);
    }
}
