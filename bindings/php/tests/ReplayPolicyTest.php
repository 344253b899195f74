<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire;
use Signwire\Verifier;

/**
 * Nonce stores (nonceStore:), the IP allowlist (allowedIps:) and X-Forwarded-For from trusted
 * proxies (trustedProxies:), and runtime key rotation. Signatures come from hash_hmac; IP
 * decisions from a matcher written here on inet_pton.
 */
final class ReplayPolicyTest extends TestCase
{
    private const URL = 'https://api.example.com/v1/pay';
    private const BODY = '{"amount":100}';
    private const SECRET = 'sk_replay_policy_test_secret';

    private static function signed(?string $secret = null): array
    {
        return Support::hopnowByHand($secret ?? self::SECRET, 'k1', 'POST', self::URL, self::BODY, time(), bin2hex(random_bytes(16)));
    }

    private static function verifier(array $options = []): Verifier
    {
        return new Verifier('hopnow', ...(['keys' => ['k1' => self::SECRET]] + $options));
    }

    private function failsWith(string $class, callable $fn): Signwire\StatusException
    {
        try {
            $fn();
        } catch (Signwire\StatusException $e) {
            $this->assertInstanceOf($class, $e, $e->getStatusName() . ': ' . $e->getMessage());
            return $e;
        }
        $this->fail("expected $class");
    }

    public function testSqliteStoreIsSharedByVerifiers(): void
    {
        // Two verifiers on one file: what two PHP-FPM workers see.
        $dir = Support::tempDir('signwire-replay-');
        $url = "sqlite://$dir/nonces.db";
        $a = self::verifier(['nonceStore' => $url]);
        $b = self::verifier(['nonceStore' => $url]);
        $h = self::signed();
        $this->assertSame('k1', $a->verify('POST', self::URL, $h, self::BODY));
        $this->failsWith(Signwire\NonceReplayedException::class, fn () => $b->verify('POST', self::URL, $h, self::BODY));
        // A forgery reusing a fresh nonce is refused and does not burn it.
        $good = self::signed();
        $forged = ['X-Signature' => str_repeat('0', 64)] + $good;
        $this->failsWith(Signwire\BadSignatureException::class, fn () => $a->verify('POST', self::URL, $forged, self::BODY));
        $this->assertSame('k1', $b->verify('POST', self::URL, $good, self::BODY));
    }

    public function testStoreErrors(): void
    {
        $this->failsWith(Signwire\InvalidArgumentException::class, fn () => self::verifier(['nonceStore' => 'memcached://x']));
        $e = $this->failsWith(Signwire\NonceStoreUnavailableException::class,
            fn () => self::verifier(['nonceStore' => 'redis://:hunter2@127.0.0.1:' . Support::freePort() . '/0?connect_timeout_ms=200']));
        $this->assertStringNotContainsString('hunter2', $e->getMessage());
        $this->failsWith(Signwire\NonceStoreUnavailableException::class, fn () => self::verifier(['nonceStore' => 'sqlite:///nonexistent-signwire/n.db']));
        $full = self::verifier(['nonceStore' => 'memory://?max_entries=2']);
        $full->verify('POST', self::URL, self::signed(), self::BODY);
        $full->verify('POST', self::URL, self::signed(), self::BODY);
        $this->failsWith(Signwire\NonceStoreUnavailableException::class, fn () => $full->verify('POST', self::URL, self::signed(), self::BODY));
    }

    public function testLockedSqliteFailsClosed(): void
    {
        $dir = Support::tempDir('signwire-replay-');
        $v = self::verifier(['nonceStore' => "sqlite://$dir/n.db?busy_timeout_ms=100"]);
        $h = self::signed();
        // Another process holds the write lock.
        $locker = proc_open(['python3', '-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("BEGIN EXCLUSIVE"); print("locked", flush=True); sys.stdin.readline()', "$dir/n.db"],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w']], $pipes);
        try {
            $this->assertSame("locked\n", fgets($pipes[1]));
            $this->failsWith(Signwire\NonceStoreUnavailableException::class, fn () => $v->verify('POST', self::URL, $h, self::BODY));
        } finally {
            fwrite($pipes[0], "\n");
            fclose($pipes[0]);
            proc_close($locker);
        }
        $this->assertSame('k1', $v->verify('POST', self::URL, $h, self::BODY), 'nothing was recorded while locked');
    }

    /** IPv4 as IPv4-mapped IPv6, so one 128-bit compare serves both families. */
    private static function bits(string $ip): string
    {
        $ip = trim($ip, '[]');
        $b = inet_pton($ip);
        return strlen($b) === 4 ? str_repeat("\0", 10) . "\xff\xff" . $b : $b;
    }

    private static function inRange(string $cidr, string $ip): bool
    {
        [$net, $len] = str_contains($cidr, '/') ? explode('/', $cidr) : [$cidr, null];
        $isV4 = inet_pton($net) !== false && strlen(inet_pton($net)) === 4;
        $len = $len === null ? ($isV4 ? 32 : 128) : (int) $len;
        $len += $isV4 ? 96 : 0;
        $a = self::bits($net);
        $b = self::bits($ip);
        $bytes = intdiv($len, 8);
        if (substr($a, 0, $bytes) !== substr($b, 0, $bytes)) {
            return false;
        }
        $rem = $len % 8;
        return $rem === 0 || ((ord($a[$bytes]) ^ ord($b[$bytes])) >> (8 - $rem)) === 0;
    }

    /** The rightmost address that is not a trusted proxy, written again here. */
    private static function client(string $peer, ?string $xff, array $proxies): string
    {
        $trusted = fn (string $ip) => array_filter($proxies, fn ($p) => self::inRange($p, $ip)) !== [];
        $client = $peer;
        if ($trusted($client) && $xff !== null) {
            foreach (array_reverse(array_map('trim', explode(',', $xff))) as $hop) {
                $client = $hop;
                if (!$trusted($client)) {
                    break;
                }
            }
        }
        return $client;
    }

    public static function ipCases(): array
    {
        return [
            ['10.1.2.3', null], ['11.0.0.1', null], ['::ffff:10.1.2.3', null], ['2001:db8::5', null], ['2001:db9::5', null],
            ['192.0.2.7', null], ['192.0.2.8', null], ['172.16.0.9', '10.9.9.9'], ['172.16.0.9', '8.8.8.8'],
            ['172.16.0.9', '10.9.9.9, 8.8.4.4'], ['172.16.0.9', '8.8.4.4, 10.9.9.9'], ['172.16.0.9', '8.8.4.4, 10.9.9.9, 172.20.0.1'],
            ['fd00::1', '2001:db8::77'], ['::ffff:172.16.0.9', '::ffff:10.0.0.1'], ['11.0.0.1', '10.0.0.1'],
        ];
    }

    /** @dataProvider ipCases */
    public function testAllowedIpsAndTrustedProxies(string $peer, ?string $xff): void
    {
        $allowed = ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'];
        $proxies = ['172.16.0.0/12', 'fd00::/8'];
        $v = self::verifier(['allowedIps' => $allowed, 'trustedProxies' => $proxies]);
        $client = self::client($peer, $xff, $proxies);
        $want = array_filter($allowed, fn ($c) => self::inRange($c, $client)) !== [];
        $h = self::signed() + ($xff !== null ? ['X-Forwarded-For' => $xff] : []);
        if ($want) {
            $this->assertSame('k1', $v->verify('POST', self::URL, $h, self::BODY, remoteAddr: $peer));
        } else {
            $this->failsWith(Signwire\IpNotAllowedException::class, fn () => $v->verify('POST', self::URL, $h, self::BODY, remoteAddr: $peer));
        }
    }

    public function testVerifyGlobalsReadsRemoteAddrAndForwardedFor(): void
    {
        $v = self::verifier(['allowedIps' => ['203.0.113.0/24'], 'trustedProxies' => ['10.0.0.0/8']]);
        $server = fn (array $h, string $remote, ?string $xff) => [
            'REQUEST_METHOD' => 'POST', 'REQUEST_URI' => '/v1/pay', 'REMOTE_ADDR' => $remote,
        ] + array_combine(array_map(fn ($n) => 'HTTP_' . strtoupper(str_replace('-', '_', $n)), array_keys($h)), $h)
          + ($xff !== null ? ['HTTP_X_FORWARDED_FOR' => $xff] : []);
        $this->assertSame('k1', $v->verifyGlobals('https://api.example.com', $server(self::signed(), '10.0.0.5', '203.0.113.9'), self::BODY));
        $this->failsWith(Signwire\IpNotAllowedException::class,
            fn () => $v->verifyGlobals('https://api.example.com', $server(self::signed(), '198.51.100.1', '203.0.113.9'), self::BODY));
        $this->assertSame('k1', $v->verifyGlobals('https://api.example.com', $server(self::signed(), '203.0.113.200', null), self::BODY));
    }

    public function testAllowlistWithoutAddressAndBadRanges(): void
    {
        $v = self::verifier(['allowedIps' => ['10.0.0.0/8']]);
        $this->failsWith(Signwire\IpNotAllowedException::class, fn () => $v->verify('POST', self::URL, self::signed(), self::BODY));
        $this->failsWith(Signwire\InvalidArgumentException::class, fn () => self::verifier(['allowedIps' => ['10.0.0.1/8']]));
        $this->failsWith(Signwire\InvalidArgumentException::class, fn () => self::verifier(['trustedProxies' => ['fd00::/129']]));
        $this->failsWith(Signwire\InvalidArgumentException::class, fn () => self::verifier(['allowedIps' => [10]]));
    }

    public function testAddAndRetireSecretAtRuntime(): void
    {
        $v = self::verifier(['maxFutureSkew' => 30]);
        $new = 'sk_the_next_secret_after_rotation';
        $this->failsWith(Signwire\BadSignatureException::class, fn () => $v->verify('POST', self::URL, self::signed($new), self::BODY));
        $v->addSecret('k1', $new);
        $this->assertSame('k1', $v->verify('POST', self::URL, self::signed($new), self::BODY));
        $this->assertSame('k1', $v->verify('POST', self::URL, self::signed(), self::BODY));
        $v->retireSecret('k1', self::SECRET);
        $this->failsWith(Signwire\BadSignatureException::class, fn () => $v->verify('POST', self::URL, self::signed(), self::BODY));
        $this->assertSame('k1', $v->verify('POST', self::URL, self::signed($new), self::BODY));
        $this->failsWith(Signwire\UnknownKeyException::class, fn () => $v->retireSecret('k1', self::SECRET));
    }
}
