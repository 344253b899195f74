<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire\Hmac;
use Signwire\Scheme;
use Signwire\Signer;
use Signwire\Verifier;

/**
 * tests/vectors/*.json (generated with Python's hmac) against signwire through FFI, and every
 * expected value also recomputed with PHP's own hash_hmac, so three implementations agree.
 */
final class VectorsTest extends TestCase
{
    public static function hmacCases(): iterable
    {
        foreach (['rfc2202', 'rfc4231'] as $file) {
            foreach (Support::vectors($file)['cases'] as $i => $c) {
                yield "$file #{$c['case']} {$c['algorithm']} ($i)" => [$c];
            }
        }
    }

    /** @dataProvider hmacCases */
    public function testRfcHmacVectors(array $c): void
    {
        $alg = substr($c['algorithm'], strlen('hmac-'));
        $key = (string) hex2bin($c['key_hex']);
        $data = (string) hex2bin($c['data_hex']);
        $this->assertSame($c['hex'], hash_hmac($alg, $data, $key), 'PHP hash_hmac disagrees with the vector');
        $this->assertSame($c['hex'], Hmac::sign($alg, $key, $data));
        $this->assertSame($c['base64'], Hmac::sign($alg, $key, $data, 'base64'));
        $this->assertTrue(Hmac::verify($alg, $key, $data, $c['hex']));
        $this->assertTrue(Hmac::verify($alg, $key, $data, $c['base64'], 'base64'));
        $flipped = $c['hex'];
        $flipped[5] = $flipped[5] === '0' ? '1' : '0';
        $this->assertFalse(Hmac::verify($alg, $key, $data, $flipped));
        $this->assertFalse(Hmac::verify($alg, $key, $data . 'x', $c['hex']));
        $this->assertFalse(Hmac::verify($alg, $key, $data, substr($c['hex'], 0, 24)), 'a truncated tag must not pass');
    }

    public function testRandomInputsAgreeWithHashHmac(): void
    {
        mt_srand(4231);
        foreach (['sha1', 'sha256', 'sha512'] as $alg) {
            for ($i = 0; $i < 50; $i++) {
                $key = random_bytes(mt_rand(1, 200));
                $msg = random_bytes(mt_rand(0, 3000));
                $this->assertSame(hash_hmac($alg, $msg, $key), Hmac::sign($alg, $key, $msg));
                $this->assertSame(base64_encode(hash_hmac($alg, $msg, $key, true)), Hmac::sign($alg, $key, $msg, 'base64'));
                $this->assertTrue(Hmac::verify($alg, $key, $msg, hash_hmac($alg, $msg, $key)));
            }
        }
    }

    public static function schemeVectors(): iterable
    {
        foreach (['hopnow', 'generic'] as $file) {
            $doc = Support::vectors($file);
            $scheme = is_string($doc['scheme']) ? $doc['scheme'] : json_encode($doc['scheme'], JSON_UNESCAPED_SLASHES);
            foreach ($doc['vectors'] as $v) {
                yield "$file: {$v['name']}" => [$scheme, $doc['scheme'], $v];
            }
        }
    }

    /** @dataProvider schemeVectors */
    public function testSchemeVectorsSignAndVerify(string $scheme, $schemeDoc, array $v): void
    {
        $body = Support::body($v['body']);
        $headers = $v['headers'] ?? [];
        $payload = Scheme::canonicalPayload($scheme, $v['method'], $v['url'], body: $body, keyId: $v['key_id'],
            timestamp: (int) $v['timestamp'], nonce: $v['nonce'], headers: $headers);
        if (isset($v['payload_hex'])) {
            $this->assertSame($v['payload_hex'], bin2hex($payload));
        }
        if (isset($v['payload_sha256'])) {
            $this->assertSame($v['payload_sha256'], hash('sha256', $payload));
        }
        // PHP's hash_hmac over the vector's payload gives the vector's signature.
        $alg = is_array($schemeDoc) ? substr($schemeDoc['algorithm'], strlen('hmac-')) : 'sha256';
        $raw = hash_hmac($alg, $payload, $v['secret'], true);
        $this->assertSame($v['signature'], (is_array($schemeDoc) && $schemeDoc['encoding'] === 'base64') ? base64_encode($raw) : bin2hex($raw));

        $signer = new Signer($scheme, keyId: $v['key_id'], secret: $v['secret']);
        $signed = $signer->sign($v['method'], $v['url'], body: $body, timestamp: (int) $v['timestamp'], nonce: $v['nonce'], headers: $headers);
        $this->assertContains($v['signature'], $signed);
        $this->assertContains($v['key_id'], $signed);
        $this->assertContains($v['timestamp'], $signed);
        $this->assertContains($v['nonce'], $signed);

        $verifier = new Verifier($scheme, keys: [$v['key_id'] => $v['secret']]);
        $now = (int) $v['timestamp'] + 10;
        $this->assertSame($v['key_id'], $verifier->verify($v['method'], $v['url'], $signed + $headers, body: $body, now: $now));

        $tampered = $body === '' ? 'x' : substr($body, 0, -1) . chr(ord($body[-1]) ^ 1);
        $fresh = new Verifier($scheme, keys: [$v['key_id'] => $v['secret']]);
        try {
            $fresh->verify($v['method'], $v['url'], $signed + $headers, body: $tampered, now: $now);
            $this->fail('a tampered body verified');
        } catch (\Signwire\BadSignatureException $e) {
            $this->assertSame(8, $e->getCode());
        }
    }

    public function testHopnowSignatureEqualsHashHmacOfTheSpecPayload(): void
    {
        // Independent of the vectors file: the HopNow formula typed from the spec.
        $secret = random_bytes(32);
        $body = '{"amount":"12.50","note":"' . bin2hex(random_bytes(8)) . '"}';
        $url = 'https://api.hopnow.example/v1/payments?ref=' . bin2hex(random_bytes(4));
        $nonce = bin2hex(random_bytes(16));
        $ts = time();
        $headers = (new Signer('hopnow', keyId: 'k1', secret: $secret))->sign('POST', $url, body: $body, timestamp: $ts, nonce: $nonce);
        $this->assertSame(Support::hopnowByHand($secret, 'k1', 'POST', $url, $body, $ts, $nonce), $headers);
        $fromPhp = Support::hopnowByHand($secret, 'k1', 'PUT', $url, $body, $ts, bin2hex(random_bytes(16)));
        $this->assertSame('k1', (new Verifier('hopnow', keys: ['k1' => $secret]))->verify('PUT', $url, $fromPhp, body: $body));
    }
}
