<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire;
use Signwire\Signer;
use Signwire\Verifier;

final class SignerVerifierTest extends TestCase
{
    private const URL = 'https://api.example.com/v1/pay?order=42';
    private string $secret;

    protected function setUp(): void
    {
        $this->secret = 'sk_' . bin2hex(random_bytes(16));
    }

    private function signed(string $body = '{"amount":100}', ?int $ts = null, ?string $secret = null): array
    {
        return Support::hopnowByHand($secret ?? $this->secret, 'k1', 'POST', self::URL, $body, $ts ?? time(), bin2hex(random_bytes(16)));
    }

    /** @return Signwire\StatusException the exception $fn threw, asserted to be of $class */
    private function failsWith(string $class, int $code, callable $fn): Signwire\StatusException
    {
        try {
            $fn();
        } catch (Signwire\StatusException $e) {
            $this->assertInstanceOf($class, $e, $e->getStatusName() . ': ' . $e->getMessage());
            $this->assertSame($code, $e->getCode());
            return $e;
        }
        $this->fail("expected $class");
    }

    public function testSignGivesFreshTimestampAndNonce(): void
    {
        $signer = new Signer('hopnow', keyId: 'k1', secret: $this->secret);
        $a = $signer->sign('POST', self::URL, body: 'x');
        $b = $signer->sign('POST', self::URL, body: 'x');
        $this->assertSame(['X-API-Key', 'X-Signature', 'X-Timestamp', 'X-Nonce'], array_keys($a));
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $a['X-Nonce']);
        $this->assertNotSame($a['X-Nonce'], $b['X-Nonce']);
        $this->assertEqualsWithDelta(time(), (int) $a['X-Timestamp'], 5);
        $this->assertSame(hash_hmac('sha256', 'POST' . self::URL . $a['X-Timestamp'] . $a['X-Nonce'] . 'x', $this->secret), $a['X-Signature']);
    }

    public function testTimestampAloneGetsARandomNonceAndNonceAloneTheCurrentTime(): void
    {
        $signer = new Signer('hopnow', keyId: 'k1', secret: $this->secret);
        $h = $signer->sign('GET', self::URL, timestamp: 1700000000);
        $this->assertSame('1700000000', $h['X-Timestamp']);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $h['X-Nonce']);
        $this->assertSame(hash_hmac('sha256', 'GET' . self::URL . '1700000000' . $h['X-Nonce'], $this->secret), $h['X-Signature']);
        $h = $signer->sign('GET', self::URL, nonce: str_repeat('ab', 16));
        $this->assertEqualsWithDelta(time(), (int) $h['X-Timestamp'], 5);
        $this->assertSame(str_repeat('ab', 16), $h['X-Nonce']);
    }

    public function testVerifyAcceptsAndReturnsTheKeyId(): void
    {
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret], maxAge: 300);
        $this->assertSame('k1', $v->verify('POST', self::URL, $this->signed(), body: '{"amount":100}'));
    }

    public function testFailuresEachHaveTheirClassAndCode(): void
    {
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret], maxAge: 300, maxFutureSkew: 30);
        $body = '{"amount":100}';
        $h = $this->signed($body);
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verify('POST', self::URL, $h, body: '{"amount":900}'));
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verify('POST', self::URL . '&x=1', $h, body: $body));
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verify('PUT', self::URL, $h, body: $body));
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verify('POST', self::URL, $this->signed($body, null, 'wrong-secret-123456'), body: $body));
        $this->failsWith(Signwire\TimestampTooOldException::class, 9, fn () => $v->verify('POST', self::URL, $this->signed($body, time() - 301), body: $body));
        $this->failsWith(Signwire\TimestampInFutureException::class, 10, fn () => $v->verify('POST', self::URL, $this->signed($body, time() + 120), body: $body));
        $this->failsWith(Signwire\TimestampTooOldException::class, 9, fn () => $v->verify('POST', self::URL, $h, body: $body, now: time() + 1000));
        $missing = $h;
        unset($missing['X-Nonce']);
        $this->failsWith(Signwire\MissingHeaderException::class, 5, fn () => $v->verify('POST', self::URL, $missing, body: $body));
        $this->failsWith(Signwire\MalformedHeaderException::class, 6, fn () => $v->verify('POST', self::URL, ['X-Signature' => [$h['X-Signature'], $h['X-Signature']]] + $h, body: $body));
        $this->failsWith(Signwire\MalformedHeaderException::class, 6, fn () => $v->verify('POST', self::URL, ['X-Timestamp' => '0' . $h['X-Timestamp']] + $h, body: $body));
        $this->failsWith(Signwire\UnknownKeyException::class, 7, fn () => $v->verify('POST', self::URL, ['X-API-Key' => 'k2'] + $h, body: $body));
        // Valid one last: the failures above must not have burnt its nonce.
        $this->assertSame('k1', $v->verify('POST', self::URL, $h, body: $body));
        $e = $this->failsWith(Signwire\NonceReplayedException::class, 11, fn () => $v->verify('POST', self::URL, $h, body: $body));
        $this->assertSame('SIGNWIRE_ERR_NONCE_REPLAYED', $e->getStatusName());
        $this->assertStringNotContainsString($this->secret, $e->getMessage());
    }

    public function testHeaderNamesAreCaseInsensitiveAndServerStyleWorks(): void
    {
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret]);
        $h = array_change_key_case($this->signed('b'), CASE_UPPER);
        $this->assertSame('k1', $v->verify('POST', self::URL, $h, body: 'b'));
    }

    public function testInjectedLineBreaksAndNulBytesAreRefusedNotTruncated(): void
    {
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret]);
        $h = $this->signed('b');
        $this->failsWith(Signwire\MalformedHeaderException::class, 6, fn () => $v->verify('POST', self::URL, ['X-Foo' => "a\r\nX-API-Key: k2"] + $h, body: 'b'));
        $this->failsWith(Signwire\MalformedHeaderException::class, 6, fn () => $v->verify('POST', self::URL, ["X-Foo\r\nX-API-Key" => 'k2'] + $h, body: 'b'));
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => $v->verify('POST', self::URL . "\0.evil", $h, body: 'b'));
        $signer = new Signer('hopnow', keyId: 'k1', secret: $this->secret);
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => $signer->sign('POST', self::URL . "\0x"));
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Signer('hopnow', keyId: "k1\0x", secret: $this->secret));
        // A body is bytes: NUL bytes in it are signed, not cut.
        $h = $signer->sign('POST', self::URL, body: "a\0b");
        $this->assertSame(hash_hmac('sha256', 'POST' . self::URL . $h['X-Timestamp'] . $h['X-Nonce'] . "a\0b", $this->secret), $h['X-Signature']);
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verify('POST', self::URL, $h, body: 'a'));
    }

    public function testUsageErrors(): void
    {
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Signer('nope', keyId: 'k1', secret: $this->secret));
        $e = $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Signer('hopnow', keyId: 'k1', secret: ''));
        $this->assertStringContainsString('empty', $e->getMessage());
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => (new Signer('hopnow', keyId: 'k1', secret: $this->secret))->sign('post', self::URL));
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Verifier('hopnow', keys: ['k1' => $this->secret], maxAge: 0));
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Verifier('hopnow', keys: ['k1' => $this->secret], maxAge: -5));
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Verifier('hopnow', keys: ['k1' => $this->secret], maxFutureSkew: 7200));
        $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => new Verifier('hopnow', keys: ['k1' => '']));
        $this->failsWith(Signwire\UnsupportedAlgorithmException::class, 15, fn () => Signwire\Hmac::sign('md5', 'k', 'm'));
    }

    public function testMaxAgeIsHonoured(): void
    {
        $h = $this->signed('b', time() - 120);
        $this->assertSame('k1', (new Verifier('hopnow', keys: ['k1' => $this->secret]))->verify('POST', self::URL, $h, body: 'b'));
        $this->failsWith(Signwire\TimestampTooOldException::class, 9, fn () => (new Verifier('hopnow', keys: ['k1' => $this->secret], maxAge: 60))->verify('POST', self::URL, $h, body: 'b'));
    }

    public function testRotationWithSeveralSecretsAndAtRuntime(): void
    {
        $old = 'old-' . $this->secret;
        $new = 'new-' . $this->secret;
        $v = new Verifier('hopnow', keys: ['k1' => [$old, $new]]);
        $this->assertSame('k1', $v->verify('POST', self::URL, $this->signed('b', null, $old), body: 'b'));
        $this->assertSame('k1', $v->verify('POST', self::URL, $this->signed('b', null, $new), body: 'b'));
        $v->retireSecret('k1', $old);
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verify('POST', self::URL, $this->signed('b', null, $old), body: 'b'));
        $this->assertSame('k1', $v->verify('POST', self::URL, $this->signed('b', null, $new), body: 'b'));
        $this->failsWith(Signwire\UnknownKeyException::class, 7, fn () => $v->retireSecret('k1', $old));
        $v->addSecret('k2', $old);
        $h = Support::hopnowByHand($old, 'k2', 'GET', self::URL, '', time(), bin2hex(random_bytes(16)));
        $this->assertSame('k2', $v->verify('GET', self::URL, $h));
    }

    public function testVerifyGlobalsReadsServerStyleInput(): void
    {
        $v = new Verifier('hopnow', keys: ['k1' => $this->secret]);
        $body = '{"a":1}';
        $h = Support::hopnowByHand($this->secret, 'k1', 'POST', 'http://shop.test:8080/api/pay.php?id=7', $body, time(), bin2hex(random_bytes(16)));
        $server = ['REQUEST_METHOD' => 'POST', 'REQUEST_URI' => '/api/pay.php?id=7', 'HTTP_HOST' => 'shop.test:8080',
            'CONTENT_TYPE' => 'application/json', 'CONTENT_LENGTH' => (string) strlen($body), 'REMOTE_ADDR' => '10.1.2.3'];
        foreach ($h as $n => $val) {
            $server['HTTP_' . strtoupper(str_replace('-', '_', $n))] = $val;
        }
        $this->assertSame('k1', $v->verifyGlobals(server: $server, body: $body));

        // Behind a TLS terminator: the client signed the public URL.
        $h = Support::hopnowByHand($this->secret, 'k1', 'POST', 'https://api.example.com/api/pay.php?id=7', $body, time(), bin2hex(random_bytes(16)));
        foreach ($h as $n => $val) {
            $server['HTTP_' . strtoupper(str_replace('-', '_', $n))] = $val;
        }
        $this->failsWith(Signwire\BadSignatureException::class, 8, fn () => $v->verifyGlobals(server: $server, body: $body));
        $server['HTTP_X_NONCE'] = $h['X-Nonce'];
        $this->assertSame('k1', $v->verifyGlobals(publicOrigin: 'https://api.example.com', server: $server, body: $body));
        $server['HTTPS'] = 'on';
        $server['HTTP_HOST'] = 'api.example.com';
        $h = Support::hopnowByHand($this->secret, 'k1', 'POST', 'https://api.example.com/api/pay.php?id=7', $body, time(), bin2hex(random_bytes(16)));
        foreach ($h as $n => $val) {
            $server['HTTP_' . strtoupper(str_replace('-', '_', $n))] = $val;
        }
        $this->assertSame('k1', $v->verifyGlobals(server: $server, body: $body));
        foreach (['https://api.example.com/', 'api.example.com', 'https://api.example.com/v1'] as $bad) {
            $this->failsWith(Signwire\InvalidArgumentException::class, 2, fn () => $v->verifyGlobals(publicOrigin: $bad, server: $server, body: $body));
        }
    }

    public function testHandlesAreOwnedOnceAndCannotBeCopied(): void
    {
        $signer = new Signer('hopnow', keyId: 'k1', secret: $this->secret);
        try {
            $copy = clone $signer;
            $this->fail('a signer was cloned');
        } catch (\Error $e) {
            $this->assertStringContainsString('__clone', $e->getMessage());
        }
        $signer->__destruct();
        $signer->__destruct(); // second call is a no-op, not a double free
        $this->expectException(\LogicException::class);
        $signer->sign('GET', self::URL);
    }

    public function testManyObjectsComeAndGo(): void
    {
        // Each iteration allocates and frees native handles; a double free or leak-induced
        // crash would end the process.
        for ($i = 0; $i < 3000; $i++) {
            $s = new Signer('hopnow', keyId: "k$i", secret: $this->secret);
            $v = new Verifier('hopnow', keys: ["k$i" => $this->secret]);
            $h = $s->sign('GET', self::URL);
            $this->assertSame("k$i", $v->verify('GET', self::URL, $h));
        }
        try {
            new Verifier('hopnow', keys: ['k1' => $this->secret, 'k2' => '']);
        } catch (Signwire\InvalidArgumentException) {
            // the constructor freed its half-built handle
        }
        $this->assertSame(3000, $i);
    }
}
