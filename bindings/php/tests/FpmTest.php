<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Debian's php-fpm, started here on a loopback port with a generated pool config, spoken to
 * over FastCGI with cgi-fcgi (libfcgi-bin). Under FPM the default `ffi.enable=preload`
 * refuses FFI::cdef: the library must come preloaded, as README "PHP" documents.
 */
final class FpmTest extends TestCase
{
    private const KEY_ID = 'k_fpm';
    private static string $secret;

    public static function setUpBeforeClass(): void
    {
        self::$secret = 'sk_' . bin2hex(random_bytes(16));
    }

    private static function fpmBinary(): string
    {
        $bin = '/usr/sbin/php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
        return is_executable($bin) ? $bin : throw new \RuntimeException("$bin not found: apt-get install php-fpm");
    }

    /**
     * @param array<string,string> $ini
     * @param list<string> $prefix run the master through this (e.g. setpriv to drop root)
     */
    private static function start(string $dir, array $ini, array $prefix = [], array $env = [], array $pool = []): ServerProcess
    {
        $port = Support::freePort();
        $root = posix_geteuid() === 0 && $prefix === [];
        file_put_contents("$dir/php.ini", implode("\n", array_map(fn ($k, $v) => "$k=$v", array_keys($ini), $ini)) . "\n");
        file_put_contents("$dir/fpm.conf", implode("\n", [
            '[global]',
            "error_log = $dir/fpm.log",
            'daemonize = no',
            '[signwire]',
            "listen = 127.0.0.1:$port",
            $root ? 'user = root' : '',
            'pm = static',
            'pm.max_children = ' . ($pool['pm.max_children'] ?? '3'),
            isset($pool['pm.max_requests']) ? 'pm.max_requests = ' . $pool['pm.max_requests'] : '',
            'clear_env = no',
            'catch_workers_output = yes',
            'decorate_workers_output = no',
        ]) . "\n");
        $cmd = array_merge($prefix, [self::fpmBinary(), '--nodaemonize', '--fpm-config', "$dir/fpm.conf", '-c', "$dir/php.ini"], $root ? ['--allow-to-run-as-root'] : []);
        return new ServerProcess($cmd, $env + ['SIGNWIRE_LIB' => Support::library(), 'SIGNWIRE_TEST_KEY_ID' => self::KEY_ID,
            'SIGNWIRE_TEST_SECRET' => self::$secret], $port, "$dir/fpm.log");
    }

    /** One FastCGI request; the client signed https://api.example.com + $target. */
    private static function fcgi(ServerProcess $fpm, string $method, string $target, string $body, array $headers, string $script = 'verify.php'): array
    {
        [$path, $query] = array_pad(explode('?', $target, 2), 2, '');
        $env = [
            'GATEWAY_INTERFACE' => 'CGI/1.1', 'SERVER_PROTOCOL' => 'HTTP/1.1', 'SERVER_SOFTWARE' => 'signwire-test',
            'REQUEST_METHOD' => $method, 'REQUEST_URI' => $target, 'QUERY_STRING' => $query, 'SCRIPT_NAME' => $path,
            'SCRIPT_FILENAME' => __DIR__ . '/fpm/' . $script, 'DOCUMENT_ROOT' => __DIR__ . '/fpm',
            'SERVER_NAME' => '127.0.0.1', 'SERVER_PORT' => '8080', 'REMOTE_ADDR' => '127.0.0.1', 'HTTP_HOST' => '127.0.0.1:8080',
            'CONTENT_LENGTH' => (string) strlen($body), 'CONTENT_TYPE' => 'application/json',
        ];
        foreach ($headers as $n => $v) {
            $env['HTTP_' . strtoupper(str_replace('-', '_', $n))] = $v;
        }
        $p = proc_open(['cgi-fcgi', '-bind', '-connect', '127.0.0.1:' . $fpm->port], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        fwrite($pipes[0], $body);
        fclose($pipes[0]);
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        proc_close($p);
        if ($out === '') {
            throw new \RuntimeException("cgi-fcgi: no response: $err\n" . $fpm->log());
        }
        return Support::parseResponse($out, true);
    }

    private static function sign(string $method, string $target, string $body, ?int $ts = null): array
    {
        return Support::hopnowByHand(self::$secret, self::KEY_ID, $method, 'https://api.example.com' . $target, $body, $ts ?? time(), bin2hex(random_bytes(16)));
    }

    private function exercise(ServerProcess $fpm): void
    {
        $body = '{"amount":"3.00"}';
        $target = '/v1/pay.php?order=7';
        // several requests, so more than one worker (each loads through the scope) is likely used
        for ($i = 0; $i < 4; $i++) {
            $r = self::fcgi($fpm, 'POST', $target, $body, self::sign('POST', $target, $body));
            $this->assertSame(200, $r['status'], $r['body'] . $fpm->log());
            $this->assertSame('ok ' . self::KEY_ID . " via=scope SIGNWIRE sapi=fpm-fcgi\n", $r['body']);
        }
        $r = self::fcgi($fpm, 'POST', $target, '{"amount":"300.00"}', self::sign('POST', $target, $body));
        $this->assertSame(401, $r['status']);
        $this->assertSame("authentication failed\n", $r['body']);
        $r = self::fcgi($fpm, 'POST', $target, $body, self::sign('POST', $target, $body, time() - 3600));
        $this->assertSame(401, $r['status']);
        usleep(200_000); // worker output reaches the log asynchronously
        $this->assertStringContainsString('SIGNWIRE_ERR_BAD_SIGNATURE', $fpm->log());
        $this->assertStringContainsString('SIGNWIRE_ERR_TIMESTAMP_TOO_OLD', $fpm->log());
    }

    public function testFfiPreloadHeaderPlusOpcachePreload(): void
    {
        // The usual service: the master runs as root, so opcache.preload_user is set and the
        // FFI scope comes from ffi.preload (FFI::load() is refused with preload_user).
        $dir = Support::tempDir('signwire-fpm-');
        $fpm = self::start($dir, Support::preloadIni($dir));
        try {
            $this->exercise($fpm);
        } finally {
            $fpm->stop();
        }
    }

    public function testOpcachePreloadAloneWhenTheMasterIsUnprivileged(): void
    {
        $dir = Support::tempDir('signwire-fpm-');
        $prefix = [];
        if (posix_geteuid() === 0) {
            // Drop to nobody, who must be able to read the binding and the library.
            foreach ([dirname(__DIR__), dirname(Support::library())] as $p) {
                for (; $p !== '/'; $p = dirname($p)) {
                    if ((fileperms($p) & 0005) !== 0005) {
                        $this->markTestSkipped("$p is not world-readable, so an unprivileged FPM master cannot load signwire from it");
                    }
                }
            }
            touch("$dir/fpm.log");
            chmod("$dir/fpm.log", 0666);
            $prefix = ['setpriv', '--reuid=nobody', '--regid=' . (posix_getgrnam('nogroup') ? 'nogroup' : 'nobody'), '--clear-groups'];
            chmod($dir, 0777);
        }
        $fpm = self::start($dir, ['opcache.enable' => '1', 'opcache.preload' => dirname(__DIR__) . '/preload.php'], $prefix);
        try {
            $this->exercise($fpm);
        } finally {
            $fpm->stop();
        }
    }

    public function testWithoutPreloadTheErrorSaysWhatToConfigure(): void
    {
        $dir = Support::tempDir('signwire-fpm-');
        $fpm = self::start($dir, ['opcache.enable' => '1']);
        try {
            $r = self::fcgi($fpm, 'GET', '/x', '', []);
        } finally {
            $fpm->stop();
        }
        $this->assertSame(500, $r['status']);
        $this->assertStringContainsString('PHP refused FFI::cdef here (ffi.enable=preload, SAPI fpm-fcgi)', $r['body']);
        $this->assertStringContainsString('opcache.preload=' . dirname(__DIR__) . '/preload.php', $r['body']);
        $this->assertStringContainsString('ffi.preload=', $r['body']);
    }

    public function testWorkersShareOneSqliteNonceStore(): void
    {
        // A replayed request must fail whichever worker it reaches: the nonce store is one
        // SQLite file, not each worker's memory.
        $dir = Support::tempDir('signwire-fpm-');
        $fpm = self::start($dir, Support::preloadIni($dir), [], ['SIGNWIRE_TEST_NONCE_STORE' => "sqlite://$dir/nonces.db"]);
        try {
            $body = '{"amount":"3.00"}';
            $target = '/v1/pay.php?order=8';
            $headers = self::sign('POST', $target, $body);
            $statuses = [];
            $workers = [];
            for ($i = 0; $i < 9; $i++) {
                $r = self::fcgi($fpm, 'POST', $target, $body, $headers);
                $statuses[] = $r['status'];
                $workers[$r['headers']['x-worker'] ?? '?'] = true;
            }
            usleep(200_000);
            $log = $fpm->log();
        } finally {
            $fpm->stop();
        }
        $this->assertSame([200, 401, 401, 401, 401, 401, 401, 401, 401], $statuses, $log);
        $this->assertGreaterThanOrEqual(2, count($workers), 'the requests reached more than one worker');
        $this->assertStringContainsString('SIGNWIRE_ERR_NONCE_REPLAYED', $log);
    }

    public function testReadmeVerifierRefusesReplaysAcrossWorkers(): void
    {
        // README's verifier as written (no nonceStore) behind FPM with 4 workers, each serving
        // one request then replaced (pm.max_requests = 1): every copy of the request reaches a
        // process with empty memory, so only a store shared by the workers can refuse it.
        $dir = Support::tempDir('signwire-fpm-');
        $fpm = self::start($dir, Support::preloadIni($dir), [], [], ['pm.max_children' => '4', 'pm.max_requests' => '1']);
        try {
            $body = '{"amount":"3.00"}';
            $target = '/v1/pay.php?order=9';
            $headers = Support::hopnowByHand('my api secret', 'k1', 'POST', 'https://api.example.com' . $target, $body, time(), bin2hex(random_bytes(16)));
            $answers = [];
            $workers = [];
            for ($i = 0; $i < 6; $i++) {
                $r = self::fcgi($fpm, 'POST', $target, $body, $headers, 'readme.php');
                $answers[] = $r['status'] . ' ' . trim($r['body']);
                $workers[$r['headers']['x-worker'] ?? '?'] = true;
            }
            $log = $fpm->log();
        } finally {
            $fpm->stop();
        }
        $this->assertSame(array_merge(['200 k1'], array_fill(0, 5, '401 refused: SIGNWIRE_ERR_NONCE_REPLAYED')), $answers, $log);
        $this->assertCount(6, $workers, 'every copy reached a fresh worker process');
    }
}
