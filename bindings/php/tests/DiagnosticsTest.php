<?php

declare(strict_types=1);

namespace Signwire\Tests;

use Nyholm\Psr7\Factory\Psr17Factory;
use Nyholm\Psr7\ServerRequest;
use PHPUnit\Framework\TestCase;
use Signwire\BadSignatureException;
use Signwire\Psr7Verifier;
use Signwire\Scheme;
use Signwire\VerificationException;
use Signwire\Verifier;

/**
 * Diagnosing "Invalid signature" from PHP: a proxy mismatch (the client signs the public URL,
 * the app sees an internal one) named by Scheme::diff; X-Server-Time on stale timestamps.
 * Requests are signed by hand with hash_hmac, expected digests come from hash('sha256').
 */
final class DiagnosticsTest extends TestCase
{
    private string $secret = 'php-diagnostics-secret';

    public function testProxyMismatchIsNamedFromBothSidesFingerprints(): void
    {
        $public = 'https://api.example.com/v1/pay?b=2&a=1';
        $internal = 'http://10.0.0.5:8080/v1/pay?b=2&a=1';
        $body = '{"amount":100}';
        $h = Support::hopnowByHand($this->secret, 'k1', 'POST', $public, $body, time(), bin2hex(random_bytes(16)));
        $client = Scheme::explain('hopnow', 'POST', $public, $h, $body);
        $digest = 'len:' . strlen($body) . ',sha256:' . substr(hash('sha256', $body), 0, 16);
        $this->assertStringStartsWith('signwire-fp scheme=hopnow key_id=k1 method=POST url=' . $public, $client);
        $this->assertStringContainsString("body=$digest", $client);
        $this->assertStringNotContainsString($h['X-Signature'], $client);

        $logged = [];
        $guard = new Psr7Verifier(
            new Verifier('hopnow', keys: ['k1' => $this->secret], diagnostics: true),
            new Psr17Factory(),
            log: function (VerificationException $e) use (&$logged) { $logged[] = $e->getDiagnostic(); }
        );
        $response = $guard->process(new ServerRequest('POST', $internal, $h, $body), fn () => $this->fail('handler ran'));
        $this->assertSame(401, $response->getStatusCode());
        $this->assertSame("authentication failed\n", (string) $response->getBody());
        $this->assertFalse($response->hasHeader('X-Server-Time'));
        $server = (string) end($logged);
        $this->assertStringContainsString('reason=SIGNWIRE_ERR_BAD_SIGNATURE', $server);
        $this->assertStringNotContainsString($this->secret, $server);
        $this->assertSame("URL: client signed $public, server rebuilt $internal", Scheme::diff($client, "log noise\n$server\n"));
    }

    public function testDiagnosticsAreOffByDefault(): void
    {
        $url = 'https://api.example.com/x';
        $h = Support::hopnowByHand($this->secret, 'k1', 'GET', $url, '', time(), bin2hex(random_bytes(16)));
        try {
            (new Verifier('hopnow', keys: ['k1' => 'another-secret-value']))->verify('GET', $url, $h);
            $this->fail('verified with the wrong secret');
        } catch (BadSignatureException $e) {
            $this->assertNull($e->getDiagnostic());
        }
        try {
            (new Verifier('hopnow', keys: ['k1' => 'another-secret-value'], diagnostics: true))->verify('GET', $url, $h);
            $this->fail('verified with the wrong secret');
        } catch (BadSignatureException $e) {
            $this->assertStringStartsWith('Secret: every signed component matches', Scheme::diff(Scheme::explain('hopnow', 'GET', $url, $h), (string) $e->getDiagnostic()));
        }
    }

    public function testStaleTimestampTellsTheServerTimeWhenEnabled(): void
    {
        $url = 'https://api.example.com/v1/pay';
        foreach ([time() - 3600, time() + 3600] as $ts) {
            $h = Support::hopnowByHand($this->secret, 'k1', 'POST', $url, '{}', $ts, bin2hex(random_bytes(16)));
            foreach ([true, false] as $enabled) {
                $guard = new Psr7Verifier(new Verifier('hopnow', keys: ['k1' => $this->secret]), new Psr17Factory(),
                    log: function () {}, serverTimeHeader: $enabled);
                $before = time();
                $response = $guard->process(new ServerRequest('POST', $url, $h, '{}'), fn () => $this->fail('handler ran'));
                $this->assertSame(401, $response->getStatusCode());
                if ($enabled) {
                    $this->assertGreaterThanOrEqual($before, (int) $response->getHeaderLine('X-Server-Time'));
                    $this->assertLessThanOrEqual(time(), (int) $response->getHeaderLine('X-Server-Time'));
                } else {
                    $this->assertFalse($response->hasHeader('X-Server-Time'));
                }
            }
        }
    }
}
