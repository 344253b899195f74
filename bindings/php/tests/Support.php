<?php

declare(strict_types=1);

namespace Signwire\Tests;

/** Helpers shared by the tests: paths, vectors, processes, a raw HTTP client, servers. */
final class Support
{
    public static function root(): string
    {
        return dirname(__DIR__, 3);
    }

    /** @return array<string,mixed> */
    public static function vectors(string $name): array
    {
        $file = self::root() . "/tests/vectors/$name.json";
        $data = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
        return $data;
    }

    /** A body as the vectors describe it: {"utf8": s} | {"hex": h} | {"repeat": s, "times": n}. */
    public static function body(array $spec): string
    {
        return match (true) {
            isset($spec['utf8']) => $spec['utf8'],
            isset($spec['hex']) => (string) hex2bin($spec['hex']),
            isset($spec['repeat']) => str_repeat($spec['repeat'], $spec['times']),
            default => throw new \UnexpectedValueException('unknown body spec ' . json_encode($spec)),
        };
    }

    /** HopNow headers computed with PHP's own hash_hmac, straight from the HopNow spec. */
    public static function hopnowByHand(string $secret, string $keyId, string $method, string $url, string $body, int $ts, string $nonce): array
    {
        return [
            'X-API-Key' => $keyId,
            'X-Signature' => hash_hmac('sha256', $method . $url . $ts . $nonce . $body, $secret),
            'X-Timestamp' => (string) $ts,
            'X-Nonce' => $nonce,
        ];
    }

    public static function freePort(): int
    {
        $s = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if ($s === false) {
            throw new \RuntimeException("no free port: $errstr");
        }
        $name = stream_socket_get_name($s, false);
        fclose($s);
        return (int) substr((string) $name, strrpos((string) $name, ':') + 1);
    }

    public static function waitForPort(int $port, float $seconds, callable $alive): void
    {
        $deadline = microtime(true) + $seconds;
        while (microtime(true) < $deadline) {
            $c = @stream_socket_client("tcp://127.0.0.1:$port", $e, $s, 0.2);
            if ($c !== false) {
                fclose($c);
                return;
            }
            if (!$alive()) {
                throw new \RuntimeException("server on port $port exited before listening");
            }
            usleep(50_000);
        }
        throw new \RuntimeException("server on port $port did not start within $seconds s");
    }

    /**
     * Run a command (no shell); returns [exit code, stdout, stderr].
     *
     * @param list<string> $cmd
     * @param array<string,string> $env added to this process's environment
     * @return array{0:int,1:string,2:string}
     */
    public static function run(array $cmd, array $env = [], string $stdin = ''): array
    {
        $p = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env + getenv());
        if (!is_resource($p)) {
            throw new \RuntimeException('cannot run ' . implode(' ', $cmd));
        }
        fwrite($pipes[0], $stdin);
        fclose($pipes[0]);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($p), (string) $out, (string) $err];
    }

    public static function tempDir(string $prefix): string
    {
        $dir = sys_get_temp_dir() . '/' . $prefix . bin2hex(random_bytes(6));
        mkdir($dir, 0755);
        register_shutdown_function(static fn () => self::removeTree($dir));
        return $dir;
    }

    public static function removeTree(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::CHILD_FIRST);
        foreach ($it as $f) {
            $f->isDir() ? rmdir($f->getPathname()) : unlink($f->getPathname());
        }
        rmdir($dir);
    }

    /** The library the tests load (SIGNWIRE_LIB as scripts/test sets it, or target/release). */
    public static function library(): string
    {
        return \Signwire\Library::locate()[0];
    }

    /** The signwire CLI: on PATH (scripts/test puts target/release there) or beside the library. */
    public static function cli(): string
    {
        $beside = dirname(self::library()) . '/signwire';
        if (is_file($beside)) {
            return $beside;
        }
        foreach (explode(':', (string) getenv('PATH')) as $dir) {
            if ($dir !== '' && is_executable("$dir/signwire")) {
                return "$dir/signwire";
            }
        }
        throw new \RuntimeException('the signwire CLI is not built: cargo build --release');
    }

    /**
     * Send raw HTTP/1.0 requests to 127.0.0.1:$port, all written before any response is read,
     * so that a multi-worker server handles them concurrently.
     *
     * @param list<array{method:string,target:string,headers:array<string,string>,body:string,host?:string}> $requests
     * @return list<array{status:int,headers:array<string,string>,body:string}>
     */
    public static function http(int $port, array $requests): array
    {
        $socks = [];
        foreach ($requests as $r) {
            $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
            if ($s === false) {
                throw new \RuntimeException("connect: $errstr");
            }
            $head = "{$r['method']} {$r['target']} HTTP/1.0\r\nHost: " . ($r['host'] ?? "127.0.0.1:$port") . "\r\n"
                . 'Content-Length: ' . strlen($r['body']) . "\r\nConnection: close\r\n";
            foreach ($r['headers'] as $n => $v) {
                $head .= "$n: $v\r\n";
            }
            fwrite($s, $head . "\r\n" . $r['body']);
            $socks[] = $s;
        }
        $responses = [];
        foreach ($socks as $s) {
            stream_set_timeout($s, 20);
            $raw = (string) stream_get_contents($s);
            fclose($s);
            $responses[] = self::parseResponse($raw);
        }
        return $responses;
    }

    /** @return array{status:int,headers:array<string,string>,body:string} */
    public static function parseResponse(string $raw, bool $cgi = false): array
    {
        $sep = strpos($raw, "\r\n\r\n");
        $head = $sep === false ? $raw : substr($raw, 0, $sep);
        $body = $sep === false ? '' : substr($raw, $sep + 4);
        $lines = explode("\r\n", $head);
        $status = 200;
        if (!$cgi) {
            $status = preg_match('#^HTTP/\d\.\d (\d{3})#', (string) array_shift($lines), $m) ? (int) $m[1] : 0;
        }
        $headers = [];
        foreach ($lines as $l) {
            if (str_contains($l, ':')) {
                [$n, $v] = explode(':', $l, 2);
                $headers[strtolower(trim($n))] = trim($v);
            }
        }
        if ($cgi && isset($headers['status'])) {
            $status = (int) $headers['status'];
        }
        return ['status' => $status, 'headers' => $headers, 'body' => $body];
    }

    /** Compile bindings/php/tests/http/sign.c against libsignwire; returns the binary. */
    public static function cSigner(string $dir): string
    {
        $bin = "$dir/c-sign";
        $lib = self::library();
        [$code, $out, $err] = self::run(['cc', '-std=c99', '-Wall', '-Werror', '-o', $bin, __DIR__ . '/http/sign.c',
            '-I' . self::root() . '/include', $lib, '-Wl,-rpath,' . dirname($lib)]);
        if ($code !== 0) {
            throw new \RuntimeException("cc failed: $out$err");
        }
        return $bin;
    }

    /**
     * php.ini settings that preload signwire for a server SAPI (php -S, FPM): the classes via
     * opcache.preload, the FFI scope via ffi.preload (a generated header in $dir).
     *
     * @return array<string,string>
     */
    public static function preloadIni(string $dir, ?string $preloadUser = null): array
    {
        [$lib, $header] = \Signwire\Library::locate();
        file_put_contents("$dir/signwire-ffi.h", \Signwire\Header::forPreload((string) file_get_contents($header), \Signwire\Library::SCOPE, $lib));
        $ini = [
            'opcache.enable' => '1',
            'opcache.preload' => dirname(__DIR__) . '/preload.php',
            'ffi.preload' => "$dir/signwire-ffi.h",
        ];
        if (posix_geteuid() === 0) {
            $ini['opcache.preload_user'] = $preloadUser ?? 'root';
        }
        return $ini;
    }

    /** @param array<string,string> $ini @return list<string> */
    public static function iniArgs(array $ini): array
    {
        $args = [];
        foreach ($ini as $k => $v) {
            $args[] = '-d';
            $args[] = "$k=$v";
        }
        return $args;
    }
}
