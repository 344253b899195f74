<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire;
use Signwire\OpeningKeys;
use Signwire\Recipient;
use Signwire\Signer;
use Signwire\Verifier;

/**
 * Sealed bodies from PHP. Expected values come from independent code: PHP's own openssl
 * extension (AES-256-GCM) for dir tokens, jwcrypto (Python) for RSA-OAEP-256.
 */
final class SealTest extends TestCase
{
    private const URL = 'https://api.example.com/v1/pay';
    private const BODY = '{"card":"4111111111111111","cvv":"123"}';

    private static function vector(string $name): string
    {
        return (string) file_get_contents(Support::root() . "/tests/vectors/seal/$name");
    }

    private static function b64u(string $s): string
    {
        return rtrim(strtr(base64_encode($s), '+/', '-_'), '=');
    }

    private static function unb64u(string $s): string
    {
        return (string) base64_decode(strtr($s, '-_', '+/'), true);
    }

    /** @return Signwire\StatusException */
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

    public function testDirTokenOpensWithPhpOpensslAndTheReverse(): void
    {
        $key = random_bytes(32);
        $token = Recipient::shared('aes-1', $key)->seal(self::BODY);
        [$h, $ek, $iv, $ct, $tag] = explode('.', $token);
        $this->assertSame(['alg' => 'dir', 'enc' => 'A256GCM', 'kid' => 'aes-1'], json_decode(self::unb64u($h), true));
        $this->assertSame('', $ek);
        // AES-256-GCM with the protected header (as transmitted) as AAD, by PHP's openssl.
        $plain = openssl_decrypt(self::unb64u($ct), 'aes-256-gcm', $key, OPENSSL_RAW_DATA, self::unb64u($iv), self::unb64u($tag), $h);
        $this->assertSame(self::BODY, $plain);

        // A token made by hand with openssl opens in signwire.
        $h = self::b64u('{"alg":"dir","enc":"A256GCM","kid":"aes-1"}');
        $iv = random_bytes(12);
        $ct = openssl_encrypt('by hand', 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $iv, $tag, $h);
        $keys = new OpeningKeys(shared: ['aes-1' => $key]);
        $this->assertSame('by hand', $keys->open("$h.." . self::b64u($iv) . '.' . self::b64u((string) $ct) . '.' . self::b64u($tag)));
    }

    public function testRsaTokenOpensWithJwcryptoAndTheReverse(): void
    {
        $dir = Support::root() . '/tests/vectors/seal';
        $body = self::BODY . "\0binary\xff";
        $token = Recipient::rsa('rsa-1', self::vector('rsa2048-public.pem'))->seal($body);
        $py = <<<'PY'
import sys
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode
key = jwk.JWK.from_pem(open(sys.argv[1] + "/rsa2048-private.pem", "rb").read())
t = jwe.JWE(); t.deserialize(sys.stdin.read(), key=key); sys.stdout.buffer.write(t.payload)
t = jwe.JWE(b"from jwcrypto", protected=json_encode({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "rsa-1"}))
t.add_recipient(jwk.JWK.from_pem(open(sys.argv[1] + "/rsa2048-public.pem", "rb").read()))
sys.stderr.write(t.serialize(compact=True))
PY;
        [$code, $out, $theirs] = Support::run(['python3', '-c', $py, $dir], [], $token);
        $this->assertSame(0, $code, $theirs);
        $this->assertSame($body, $out);
        $keys = new OpeningKeys(rsa: ['rsa-1' => self::vector('rsa2048-private-pkcs1.pem')]);
        $this->assertSame('from jwcrypto', $keys->open(trim($theirs)));
    }

    public function testEncryptThenSignVerifyThenOpen(): void
    {
        $secret = 'sk_' . bin2hex(random_bytes(16));
        $signer = new Signer('hopnow', keyId: 'client-1', secret: $secret);
        $verifier = new Verifier('hopnow', keys: ['client-1' => $secret]);
        $keys = new OpeningKeys(rsa: ['rsa-1' => self::vector('rsa2048-private.pem')]);
        $to = Recipient::rsa('rsa-1', self::vector('rsa2048-public.der'));

        $token = $to->seal(self::BODY);
        $headers = $signer->sign('POST', self::URL, body: $token);
        // The signature covers the token as transmitted (checked with hash_hmac).
        $this->assertSame(hash_hmac('sha256', 'POST' . self::URL . $headers['X-Timestamp'] . $headers['X-Nonce'] . $token, $secret), $headers['X-Signature']);
        $this->assertSame(['client-1', self::BODY], $keys->verifyAndOpen($verifier, 'POST', self::URL, $headers, $token));
        // Replayed: refused by the nonce check, before decryption.
        $this->failsWith(Signwire\NonceReplayedException::class, fn () => $keys->verifyAndOpen($verifier, 'POST', self::URL, $headers, $token));

        // Altered after signing: BAD_SIGNATURE, never decrypted.
        $token = $to->seal(self::BODY);
        $headers = $signer->sign('POST', self::URL, body: $token);
        $altered = substr($token, 0, -5) . (substr($token, -5, 1) === 'A' ? 'B' : 'A') . substr($token, -4);
        $this->failsWith(Signwire\BadSignatureException::class, fn () => $keys->verifyAndOpen($verifier, 'POST', self::URL, $headers, $altered));

        // Signed correctly but sealed with a key this server does not hold: verified, then refused.
        $other = Recipient::shared('aes-9', random_bytes(32))->seal(self::BODY);
        $headers = $signer->sign('POST', self::URL, body: $other);
        $this->failsWith(Signwire\UnknownKeyException::class, fn () => $keys->verifyAndOpen($verifier, 'POST', self::URL, $headers, $other));
    }

    public function testSealedQueryParameters(): void
    {
        $key = random_bytes(32);
        $sealed = Recipient::shared('aes-1', $key)->sealQuery('a=1&card=4111111111111111&cvv=123&b=2', ['card', 'cvv']);
        $this->assertMatchesRegularExpression('/^a=1&sealed=[A-Za-z0-9_.-]+&b=2$/', $sealed);
        $keys = new OpeningKeys(shared: ['aes-1' => $key]);
        $this->assertSame('a=1&card=4111111111111111&cvv=123&b=2', $keys->openQuery($sealed));
        $this->failsWith(Signwire\InvalidArgumentException::class, fn () => Recipient::shared('aes-1', $key)->sealQuery('a=1', ['card']));
        $this->failsWith(Signwire\MalformedTokenException::class, fn () => $keys->openQuery('a=1'));
    }

    public function testBadTokensAndKeys(): void
    {
        $key = random_bytes(32);
        $keys = new OpeningKeys(shared: ['aes-1' => $key], maxTokenLen: 4096);
        $token = Recipient::shared('aes-1', $key)->seal(self::BODY);
        $parts = explode('.', $token);
        $this->failsWith(Signwire\MalformedTokenException::class, fn () => $keys->open(substr($token, 0, 40)));
        $this->failsWith(Signwire\MalformedTokenException::class, fn () => $keys->open("$parts[0].$parts[1].$parts[2]"));
        $this->failsWith(Signwire\MalformedTokenException::class, fn () => $keys->open(str_replace('.', '.+', $token)));
        $ct = self::unb64u($parts[3]);
        $ct[0] = chr(ord($ct[0]) ^ 1);
        $this->failsWith(Signwire\DecryptionFailedException::class, fn () => $keys->open(implode('.', [$parts[0], '', $parts[2], self::b64u($ct), $parts[4]])));
        $none = self::b64u('{"alg":"none","enc":"A256GCM","kid":"aes-1"}');
        $this->failsWith(Signwire\UnsupportedAlgorithmException::class, fn () => $keys->open(implode('.', [$none, ...array_slice($parts, 1)])));
        $this->failsWith(Signwire\UnknownKeyException::class, fn () => (new OpeningKeys(shared: ['aes-2' => $key]))->open($token));
        $this->failsWith(Signwire\InputTooLargeException::class, fn () => $keys->open(Recipient::shared('aes-1', $key)->seal(str_repeat('x', 5000))));
        $this->failsWith(Signwire\WeakKeyException::class, fn () => Recipient::rsa('r', self::vector('rsa1024-public.pem')));
        $this->failsWith(Signwire\WeakKeyException::class, fn () => new OpeningKeys(rsa: ['r' => self::vector('rsa1024-private.pem')]));
        $this->failsWith(Signwire\WeakKeyException::class, fn () => Recipient::shared('k', random_bytes(16)));
        $this->failsWith(Signwire\WeakKeyException::class, fn () => Recipient::shared('k', str_repeat("\0", 32)));
        $keys->remove('aes-1');
        $this->failsWith(Signwire\UnknownKeyException::class, fn () => $keys->remove('aes-1'));
    }
}
