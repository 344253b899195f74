<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire;
use Signwire\Verifier;

/** `nonceStore:` given a Closure (a store signwire does not ship), through the C callback store. */
final class NonceClosureTest extends TestCase
{
    private const URL = 'https://api.example.com/v1/pay';
    private string $secret;

    protected function setUp(): void
    {
        $this->secret = 'sk_' . bin2hex(random_bytes(16));
    }

    private function signed(): array
    {
        return Support::hopnowByHand($this->secret, 'k1', 'POST', self::URL, 'b', time(), bin2hex(random_bytes(16)));
    }

    private function assertRefusedWith(string $class, callable $fn): void
    {
        try {
            $fn();
        } catch (Signwire\StatusException $e) {
            $this->assertInstanceOf($class, $e, $e->getStatusName() . ': ' . $e->getMessage());
            return;
        }
        $this->fail("expected $class");
    }

    public function testClosureRecordsOnlyValidRequestsAndSeesReplays(): void
    {
        $seen = [];
        $calls = [];
        $store = function (string $keyId, string $nonce, int $ttl) use (&$seen, &$calls): bool {
            $calls[] = [$keyId, $nonce, $ttl];
            if (isset($seen["$keyId/$nonce"])) {
                return false;
            }
            $seen["$keyId/$nonce"] = true;
            return true;
        };
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret], maxAge: 300, maxFutureSkew: 30, nonceStore: $store);
        $h = $this->signed();
        $this->assertRefusedWith(Signwire\BadSignatureException::class, fn () => $v->verify('POST', self::URL, $h, body: 'tampered'));
        $this->assertSame([], $calls, 'a forged request must not reach the store');
        $this->assertSame('k1', $v->verify('POST', self::URL, $h, body: 'b'));
        // Recorded per scheme, not per key id (key ids sharing a secret must not share nonces).
        $this->assertSame([['hopnow', $h['X-Nonce'], 330]], $calls, 'ttl = max age + future skew');
        $this->assertRefusedWith(Signwire\NonceReplayedException::class, fn () => $v->verify('POST', self::URL, $h, body: 'b'));
        // A second verifier sharing the closure's state sees the replay as well.
        $other = new Verifier('hopnow', keys: ['k1' => $this->secret], nonceStore: $store);
        $this->assertRefusedWith(Signwire\NonceReplayedException::class, fn () => $other->verify('POST', self::URL, $h, body: 'b'));
    }

    public function testAFailingClosureRefusesTheRequest(): void
    {
        $h = $this->signed();
        $log = ini_set('error_log', '/dev/null'); // the binding logs the closure's exception
        try {
            foreach (['throws' => fn () => throw new \RuntimeException('memcached is down'), 'returns null' => fn () => null,
                      'returns a string' => fn () => 'yes', 'returns 1' => fn () => 1] as $name => $broken) {
                $v = new Verifier('hopnow', keys: ['k1' => $this->secret], nonceStore: $broken);
                $this->assertRefusedWith(Signwire\NonceStoreUnavailableException::class, fn () => $v->verify('POST', self::URL, $h, body: 'b'));
            }
        } finally {
            ini_set('error_log', (string) $log);
        }
        // the same request still passes with a working store: nothing was recorded
        $this->assertSame('k1', (new Verifier('hopnow', keys: ['k1' => $this->secret], nonceStore: fn () => true))->verify('POST', self::URL, $h, body: 'b'));
    }
}
