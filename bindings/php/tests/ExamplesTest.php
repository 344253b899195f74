<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;

/** examples/sign.php and examples/verify.php, chained with the signwire CLI, C and Python. */
final class ExamplesTest extends TestCase
{
    private const URL = 'https://api.example.com/v1/pay?order=42';
    private static string $dir;
    private static array $env;

    public static function setUpBeforeClass(): void
    {
        self::$dir = Support::tempDir('signwire-examples-');
        self::$env = ['DEMO_SECRET' => 'sk_' . bin2hex(random_bytes(16)), 'SIGNWIRE_LIB' => Support::library()];
        file_put_contents(self::$dir . '/body.json', '{"amount":"42.00","memo":"Bücher"}');
    }

    private static function php(string $script, array $args): array
    {
        return Support::run(array_merge([PHP_BINARY, dirname(__DIR__) . "/examples/$script"], $args), self::$env);
    }

    private static function common(): array
    {
        return ['--scheme', 'hopnow', '--key-id', 'k1', '--secret-env', 'DEMO_SECRET', '--method', 'POST', '--url', self::URL,
            '--body-file', self::$dir . '/body.json'];
    }

    public function testCliSignsAndPhpVerifies(): void
    {
        [$code, $out, $err] = Support::run(array_merge([Support::cli(), 'sign'], self::common()), self::$env);
        $this->assertSame(0, $code, $err);
        file_put_contents(self::$dir . '/cli-headers.txt', $out);
        [$code, $out, $err] = self::php('verify.php', array_merge(self::common(), ['--headers-file', self::$dir . '/cli-headers.txt']));
        $this->assertSame([0, "ok k1\n"], [$code, $out], $err);
        file_put_contents(self::$dir . '/other.json', '{"amount":"4200.00"}');
        $args = self::common();
        $args[array_search('--body-file', $args, true) + 1] = self::$dir . '/other.json';
        [$code, $out, $err] = self::php('verify.php', array_merge($args, ['--headers-file', self::$dir . '/cli-headers.txt']));
        $this->assertSame([1, "SIGNWIRE_ERR_BAD_SIGNATURE\n"], [$code, $out]);
        $this->assertStringContainsString('signature does not match', $err);
    }

    public function testPhpSignsAndCliAndPythonVerify(): void
    {
        [$code, $out, $err] = self::php('sign.php', self::common());
        $this->assertSame(0, $code, $err);
        $lines = explode("\n", trim($out));
        $this->assertCount(4, $lines);
        $args = array_merge([Support::cli(), 'verify'], self::common());
        $h = [];
        foreach ($lines as $line) {
            $args[] = '--header';
            $args[] = $line;
            [$n, $v] = explode(': ', $line, 2);
            $h[$n] = $v;
        }
        [$code, $cliOut, $err] = Support::run($args, self::$env);
        $this->assertSame([0, "ok k1\n"], [$code, $cliOut], $err);
        // Python's hmac computes the same signature from the printed timestamp and nonce.
        $py = 'import hmac,hashlib,os,sys; body=open(sys.argv[4],"rb").read(); '
            . 'print(hmac.new(os.environb[b"DEMO_SECRET"], (sys.argv[1]+sys.argv[2]+sys.argv[3]).encode()+body, hashlib.sha256).hexdigest())';
        [$code, $pyOut, $err] = Support::run(['python3', '-c', $py, 'POST' . self::URL, $h['X-Timestamp'], $h['X-Nonce'], self::$dir . '/body.json'], self::$env);
        $this->assertSame(0, $code, $err);
        $this->assertSame($h['X-Signature'], trim($pyOut));
    }

    public function testCSignsAndPhpVerifies(): void
    {
        $bin = Support::cSigner(self::$dir);
        [$code, $out, $err] = Support::run([$bin, 'k1', 'POST', self::URL, self::$dir . '/body.json'], ['SIGNWIRE_TEST_SECRET' => self::$env['DEMO_SECRET']]);
        $this->assertSame(0, $code, $err);
        file_put_contents(self::$dir . '/c-headers.txt', $out);
        [$code, $out, $err] = self::php('verify.php', array_merge(self::common(), ['--headers-file', self::$dir . '/c-headers.txt']));
        $this->assertSame([0, "ok k1\n"], [$code, $out], $err);
    }

    public function testFixedTimestampAndNonceAndStaleness(): void
    {
        [$code, $out, $err] = self::php('sign.php', array_merge(self::common(), ['--timestamp', '1700000000', '--nonce', str_repeat('0f', 16)]));
        $this->assertSame(0, $code, $err);
        file_put_contents(self::$dir . '/fixed.txt', $out);
        $this->assertStringContainsString("X-Timestamp: 1700000000\nX-Nonce: " . str_repeat('0f', 16) . "\n", $out);
        [$code, $out] = self::php('verify.php', array_merge(self::common(), ['--headers-file', self::$dir . '/fixed.txt']));
        $this->assertSame([1, "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD\n"], [$code, $out]);
        [$code, $out] = self::php('verify.php', array_merge(self::common(), ['--headers-file', self::$dir . '/fixed.txt', '--now', '1700000100']));
        $this->assertSame([0, "ok k1\n"], [$code, $out]);
    }

    public function testUsageErrorsExit2(): void
    {
        [$code, , $err] = self::php('sign.php', ['--scheme', 'hopnow', '--secret', 'x']);
        $this->assertSame(2, $code);
        $this->assertStringContainsString('--secret is not accepted', $err);
        [$code, , $err] = self::php('verify.php', array_merge(self::common(), ['--header', 'no colon']));
        $this->assertSame(2, $code);
        [$code, $out] = self::php('sign.php', array_merge(self::common(), ['--nonce', 'xyz', '--timestamp', '1']));
        $this->assertSame([2, "SIGNWIRE_ERR_INVALID_ARGUMENT\n"], [$code, $out]);
    }
}
