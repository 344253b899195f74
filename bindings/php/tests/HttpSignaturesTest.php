<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire;
use Signwire\Signer;
use Signwire\Verifier;

/**
 * RFC 9421 through the PHP classes. Expected values come from PHP itself: the signature base
 * is rebuilt by hand from the RFC's rules, the Ed25519 signature checked with sodium and the
 * HMAC recomputed with hash_hmac.
 */
final class HttpSignaturesTest extends TestCase
{
    private const URL = 'https://api.example.com/v1/pay?order=42';
    private const BODY = '{"amount":100}';

    private static function scheme(string $alg): string
    {
        return json_encode([
            'kind' => 'http-message-signatures', 'name' => 'acme', 'algorithm' => $alg,
            'components' => ['@method', '@target-uri', 'content-digest'], 'tag' => 'acme',
        ]);
    }

    private static function vector(string $name): string
    {
        return file_get_contents(dirname(__DIR__, 3) . '/tests/vectors/httpsig/' . $name);
    }

    /** The signature base, by hand, from the headers signwire produced. */
    private static function baseByHand(array $h): string
    {
        $params = substr($h['Signature-Input'], strlen('sig1='));
        return '"@method": POST' . "\n"
            . '"@target-uri": ' . self::URL . "\n"
            . '"content-digest": ' . $h['Content-Digest'] . "\n"
            . '"@signature-params": ' . $params;
    }

    private static function signatureBytes(array $h): string
    {
        $this_sig = $h['Signature'];
        return base64_decode(substr($this_sig, strlen('sig1=:'), -1), true);
    }

    public function testEd25519SignedInPhpChecksWithSodiumAndVerifies(): void
    {
        $signer = new Signer(self::scheme('ed25519'), keyId: 'k1', privateKey: self::vector('test-key-ed25519.key'));
        $h = $signer->sign('POST', self::URL, body: self::BODY);
        $this->assertSame('sha-256=:' . base64_encode(hash('sha256', self::BODY, true)) . ':', $h['Content-Digest']);
        // RFC 9421 B.1.4: the public key's raw 32 bytes are the SubjectPublicKeyInfo's last 32.
        $der = base64_decode(preg_replace('/-----[^-]+-----|\s/', '', self::vector('test-key-ed25519.pub')));
        $this->assertTrue(sodium_crypto_sign_verify_detached(self::signatureBytes($h), self::baseByHand($h), substr($der, -32)));

        $verifier = new Verifier(self::scheme('ed25519'));
        $verifier->addPublicKey('k1', self::vector('test-key-ed25519.pub'));
        $this->assertSame('k1', $verifier->verify('POST', self::URL, $h, self::BODY));
        try {
            $verifier->verify('POST', self::URL, $h, '{"amount":999}');
            $this->fail('tampered body accepted');
        } catch (Signwire\BadSignatureException $e) {
            $this->assertStringContainsString('Content-Digest', $e->getMessage());
        }
        $verifier->removePublicKey('k1');
        $this->expectException(Signwire\UnknownKeyException::class);
        $verifier->verify('POST', self::URL, $signer->sign('POST', self::URL, body: self::BODY), self::BODY);
    }

    public function testHmacMatchesHashHmac(): void
    {
        $secret = random_bytes(32);
        $h = (new Signer(self::scheme('hmac-sha256'), keyId: 'k1', secret: $secret))->sign('POST', self::URL, body: self::BODY);
        $this->assertSame(hash_hmac('sha256', self::baseByHand($h), $secret, true), self::signatureBytes($h));
        $verifier = new Verifier(self::scheme('hmac-sha256'), keys: ['k1' => $secret]);
        $this->assertSame('k1', $verifier->verify('POST', self::URL, $h, self::BODY));
    }

    public function testSecretAndPrivateKeyAreExclusive(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        new Signer(self::scheme('ed25519'), keyId: 'k1', secret: 's', privateKey: 'k');
    }
}
