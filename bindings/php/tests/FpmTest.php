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
    private static function fcgi(ServerProcess $fpm, string $method, string $target, string $body, array $headers, ?string $script = null): array
    {
        return self::finish(self::begin($fpm, $method, $target, $body, $headers, $script));
    }

    /**
     * Send a FastCGI request without waiting for its answer (for requests held in a worker).
     *
     * @return array{0:resource,1:array<int,resource>,2:ServerProcess}
     */
    private static function begin(ServerProcess $fpm, string $method, string $target, string $body, array $headers, ?string $script = null): array
    {
        // A name in tests/fpm/, or an absolute path (a copy of the endpoint elsewhere).
        $script ??= 'verify.php';
        $script = str_starts_with($script, '/') ? $script : __DIR__ . '/fpm/' . $script;
        [$path, $query] = array_pad(explode('?', $target, 2), 2, '');
        $env = [
            'GATEWAY_INTERFACE' => 'CGI/1.1', 'SERVER_PROTOCOL' => 'HTTP/1.1', 'SERVER_SOFTWARE' => 'signwire-test',
            'REQUEST_METHOD' => $method, 'REQUEST_URI' => $target, 'QUERY_STRING' => $query, 'SCRIPT_NAME' => $path,
            'SCRIPT_FILENAME' => $script, 'DOCUMENT_ROOT' => dirname($script),
            'SERVER_NAME' => '127.0.0.1', 'SERVER_PORT' => '8080', 'REMOTE_ADDR' => '127.0.0.1', 'HTTP_HOST' => '127.0.0.1:8080',
            'CONTENT_LENGTH' => (string) strlen($body), 'CONTENT_TYPE' => 'application/json',
        ];
        foreach ($headers as $n => $v) {
            $env['HTTP_' . strtoupper(str_replace('-', '_', $n))] = $v;
        }
        $p = proc_open(['cgi-fcgi', '-bind', '-connect', '127.0.0.1:' . $fpm->port], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        fwrite($pipes[0], $body);
        fclose($pipes[0]);
        return [$p, $pipes, $fpm];
    }

    /** The answer to a request from begin(). */
    private static function finish(array $request): array
    {
        [$p, $pipes, $fpm] = $request;
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        proc_close($p);
        if ($out === '') {
            throw new \RuntimeException("cgi-fcgi: no response: $err\n" . $fpm->log());
        }
        return Support::parseResponse($out, true);
    }

    /** Waits until the FPM log holds $needle $times times (worker output arrives asynchronously). */
    private static function waitForLog(ServerProcess $fpm, string $needle, int $times = 1): string
    {
        $deadline = microtime(true) + 20;
        while (substr_count($log = $fpm->log(), $needle) < $times) {
            if (microtime(true) > $deadline) {
                throw new \RuntimeException("'$needle' did not reach the FPM log within 20 s:\n$log");
            }
            usleep(5_000);
        }
        return $log;
    }

    /** Waits for hold.php's marker in $dir: the pid of the worker it now holds. */
    private static function waitForHold(string $dir, array $known): int
    {
        $deadline = microtime(true) + 20;
        while (true) {
            foreach (glob("$dir/held-*") ?: [] as $f) {
                $pid = (int) substr(basename($f), 5);
                if (!in_array($pid, $known, true)) {
                    return $pid;
                }
            }
            if (microtime(true) > $deadline) {
                throw new \RuntimeException("no worker reported holding a request in $dir within 20 s");
            }
            usleep(5_000);
        }
    }

    private static function sign(string $method, string $target, string $body, ?int $ts = null): array
    {
        return Support::hopnowByHand(self::$secret, self::KEY_ID, $method, 'https://api.example.com' . $target, $body, $ts ?? time(), bin2hex(random_bytes(16)));
    }

    private function exercise(ServerProcess $fpm, ?string $script = null): void
    {
        $body = '{"amount":"3.00"}';
        $target = '/v1/pay.php?order=7';
        // Several requests: each must load through the preloaded scope, whichever worker serves it.
        for ($i = 0; $i < 4; $i++) {
            $r = self::fcgi($fpm, 'POST', $target, $body, self::sign('POST', $target, $body), $script);
            $this->assertSame(200, $r['status'], $r['body'] . $fpm->log());
            $this->assertSame('ok ' . self::KEY_ID . " via=scope SIGNWIRE sapi=fpm-fcgi\n", $r['body']);
        }
        $r = self::fcgi($fpm, 'POST', $target, '{"amount":"300.00"}', self::sign('POST', $target, $body), $script);
        $this->assertSame(401, $r['status']);
        $this->assertSame("authentication failed\n", $r['body']);
        $r = self::fcgi($fpm, 'POST', $target, $body, self::sign('POST', $target, $body, time() - 3600), $script);
        $this->assertSame(401, $r['status']);
        // Each refusal's reason reaches the log (waited for, not slept on).
        $this->assertStringContainsString('SIGNWIRE_ERR_BAD_SIGNATURE', self::waitForLog($fpm, 'SIGNWIRE_ERR_BAD_SIGNATURE'));
        $this->assertStringContainsString('SIGNWIRE_ERR_TIMESTAMP_TOO_OLD', self::waitForLog($fpm, 'SIGNWIRE_ERR_TIMESTAMP_TOO_OLD'));
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

    /**
     * The binding, its endpoint, the library and its header copied into a world-readable
     * directory (the bundled layout, lib/ beside src/), for a master running as nobody: a
     * checkout under /root is not readable to it, and skipping there would hide the test.
     *
     * @return array{0:string,1:string} the copy's root and its library
     */
    private static function readableCopy(string $dir): array
    {
        $from = dirname(__DIR__);
        $to = "$dir/php";
        foreach (['', '/src', '/tests', '/tests/fpm', '/lib'] as $sub) {
            mkdir("$to$sub");
            chmod("$to$sub", 0755);
        }
        [$lib, $header] = \Signwire\Library::locate();
        $files = ['autoload.php' => "$from/autoload.php", 'preload.php' => "$from/preload.php",
            'tests/fpm/verify.php' => "$from/tests/fpm/verify.php", 'lib/' . basename($lib) => $lib, 'lib/signwire.h' => $header];
        foreach (glob("$from/src/*.php") ?: [] as $f) {
            $files['src/' . basename($f)] = $f;
        }
        foreach ($files as $name => $source) {
            if (!copy($source, "$to/$name")) {
                throw new \RuntimeException("cannot copy $source to $to/$name");
            }
            chmod("$to/$name", 0644);
        }
        return [$to, "$to/lib/" . basename($lib)];
    }

    public function testOpcachePreloadAloneWhenTheMasterIsUnprivileged(): void
    {
        $dir = Support::tempDir('signwire-fpm-');
        $prefix = [];
        $root = dirname(__DIR__);
        $env = [];
        if (posix_geteuid() === 0) {
            // Drop to nobody, reading a world-readable copy of the binding and the library.
            [$root, $lib] = self::readableCopy($dir);
            $env['SIGNWIRE_LIB'] = $lib;
            touch("$dir/fpm.log");
            chmod("$dir/fpm.log", 0666);
            $prefix = ['setpriv', '--reuid=nobody', '--regid=' . (posix_getgrnam('nogroup') ? 'nogroup' : 'nobody'), '--clear-groups'];
            chmod($dir, 0777);
        }
        $fpm = self::start($dir, ['opcache.enable' => '1', 'opcache.preload' => "$root/preload.php"], $prefix, $env);
        try {
            $this->exercise($fpm, "$root/tests/fpm/verify.php");
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
        // SQLite file, not each worker's memory. Two workers; which one serves a request is
        // decided by holding the other in tests/fpm/hold.php (it reports its pid in a file and
        // waits for a release file), never by scheduling luck.
        $dir = Support::tempDir('signwire-fpm-');
        $fpm = self::start($dir, Support::preloadIni($dir), [], ['SIGNWIRE_TEST_NONCE_STORE' => "sqlite://$dir/nonces.db",
            'SIGNWIRE_TEST_HOLD_DIR' => $dir], ['pm.max_children' => '2']);
        $hold = __DIR__ . '/fpm/hold.php';
        try {
            $body = '{"amount":"3.00"}';
            $target = '/v1/pay.php?order=8';
            $headers = self::sign('POST', $target, $body);
            // Worker A held: the genuine request can only reach worker B.
            $holdA = self::begin($fpm, 'GET', '/hold', '', [], $hold);
            $a = self::waitForHold($dir, []);
            $first = self::fcgi($fpm, 'POST', $target, $body, $headers);
            $b = (int) ($first['headers']['x-worker'] ?? 0);
            // Worker B held, A released: the replay can only reach worker A.
            $holdB = self::begin($fpm, 'GET', '/hold', '', [], $hold);
            $heldB = self::waitForHold($dir, [$a]);
            touch("$dir/release-$a");
            $releasedA = self::finish($holdA)['body'];
            $replay = self::fcgi($fpm, 'POST', $target, $body, $headers);
            touch("$dir/release-$b");
            $releasedB = self::finish($holdB)['body'];
            // And once more, wherever it lands.
            $again = self::fcgi($fpm, 'POST', $target, $body, $headers);
            $log = self::waitForLog($fpm, 'SIGNWIRE_ERR_NONCE_REPLAYED', 2);
        } finally {
            $fpm->stop();
        }
        $this->assertSame(200, $first['status'], $first['body'] . $log);
        $this->assertNotSame($a, $b);
        $this->assertSame($b, $heldB, 'the second hold landed on the only free worker');
        $this->assertSame(["released $a\n", "released $b\n"], [$releasedA, $releasedB]);
        $this->assertSame(401, $replay['status']);
        $this->assertSame((string) $a, $replay['headers']['x-worker'] ?? '', 'the replay reached the other worker');
        $this->assertSame(401, $again['status']);
        $this->assertSame(2, substr_count($log, 'SIGNWIRE_ERR_NONCE_REPLAYED'), $log);
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
