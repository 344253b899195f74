<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire\BcryptScheme;
use Signwire\EpinTower;
use Signwire\InputTooLargeException;
use Signwire\InvalidArgumentException;
use Signwire\UnsupportedAlgorithmException;

/**
 * Signwire\EpinTower against tests/vectors/epintower.json (made by PHP's password_hash, crypt
 * and sha1) and against password_hash / password_verify live. bcrypt is salted: hashes are
 * verified by the other side, never compared.
 */
final class EpinTowerTest extends TestCase
{
    private const SPEC = ['BA078F952DA3AA1B08141D22C69E11DA', 'b1db2d4759e706079016fe7825e7ae18', 'DF6649B8_9D57_53DF_2674_C768FE6DE0CB'];

    private static function input(array $fields, int $rounds): string
    {
        $x = implode('', $fields);
        for ($i = 0; $i < $rounds; $i++) {
            $x = sha1($x);
        }
        return $x;
    }

    public static function vectors(): iterable
    {
        foreach (Support::vectors('epintower')['cases'] as $c) {
            yield $c['name'] => [$c];
        }
    }

    /** @dataProvider vectors */
    public function testVectors(array $c): void
    {
        $this->assertSame(end($c['sha1']) ?: $c['data'], self::input($c['fields'], $c['sha1_rounds']), 'PHP sha1 disagrees with the vector');
        if ($c['expect'] === 'SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM') {
            $this->expectException(UnsupportedAlgorithmException::class);
            EpinTower::verify($c['fields'], $c['sha1_rounds'], $c['signature']);
            return;
        }
        $want = $c['expect'] === 'ok';
        $this->assertContains($c['expect'], ['ok', 'SIGNWIRE_ERR_BAD_SIGNATURE', 'SIGNWIRE_ERR_MALFORMED_HEADER']);
        $this->assertSame($want, EpinTower::verify($c['fields'], $c['sha1_rounds'], $c['signature']));
        if ($c['sha1_rounds'] === 1) {
            $this->assertSame($want, EpinTower::verifyRequest($c['fields'], $c['signature']));
        } elseif ($c['sha1_rounds'] === 2) {
            $this->assertSame($want, EpinTower::verifyResponse($c['fields'], $c['signature']));
        }
    }

    public function testSignaturesPassPasswordVerifyAndBack(): void
    {
        $fields = ['Ünïcødé-客户', bin2hex(random_bytes(16)), 'tx-' . random_int(1, PHP_INT_MAX), ''];
        foreach ([1 => ['signRequest', 'verifyRequest'], 2 => ['signResponse', 'verifyResponse']] as $rounds => [$sign, $verify]) {
            $ours = EpinTower::$sign($fields);
            $this->assertStringStartsWith('$2y$10$', $ours);
            $this->assertTrue(password_verify(self::input($fields, $rounds), $ours), "password_verify rejects $sign");
            $this->assertFalse(password_verify(self::input($fields, 3 - $rounds), $ours));
            $php = password_hash(self::input($fields, $rounds), PASSWORD_BCRYPT);
            $this->assertTrue(EpinTower::$verify($fields, $php));
            $this->assertTrue(EpinTower::$verify($fields, password_hash(self::input($fields, $rounds), PASSWORD_BCRYPT, ['cost' => 12])));
            $this->assertFalse(EpinTower::$verify([$fields[1], $fields[0], $fields[2], $fields[3]], $php), 'changed order');
            $this->assertFalse(EpinTower::$verify([$fields[0], $fields[1], $fields[2], 'x'], $php), 'changed field');
            $this->assertFalse(EpinTower::verify($fields, 3 - $rounds, $php), 'wrong round count');
        }
    }

    public function testCostThirtyOneIsRefusedByDefaultAndTheCapIsSettable(): void
    {
        // password_hash's cost-4 hash with its cost set to 31: checking it would take days,
        // so an answer at all shows it was refused before bcrypt ran.
        $h4 = password_hash(sha1(implode('', self::SPEC)), PASSWORD_BCRYPT, ['cost' => 4]);
        $h31 = '$2y$31$' . substr($h4, 7);
        $this->assertSame(31, password_get_info($h31)['options']['cost']);
        $this->assertSame(12, EpinTower::DEFAULT_MAX_VERIFY_COST);
        $this->assertFalse(EpinTower::verifyRequest(self::SPEC, $h31));
        $this->assertFalse(EpinTower::verifyResponse(self::SPEC, $h31));
        $this->assertFalse(EpinTower::verify(self::SPEC, 1, $h31));
        // PHP's own cost-12 hash passes by default and not under maxCost 11.
        $h12 = password_hash(sha1(implode('', self::SPEC)), PASSWORD_BCRYPT, ['cost' => 12]);
        $this->assertTrue(EpinTower::verifyRequest(self::SPEC, $h12));
        $this->assertFalse(EpinTower::verifyRequest(self::SPEC, $h12, maxCost: 11));
        $this->assertFalse(EpinTower::verify(self::SPEC, 1, $h12, maxCost: 11));
        $this->expectException(InvalidArgumentException::class);
        EpinTower::verifyRequest(self::SPEC, $h12, maxCost: 9);
    }

    public function testCostIntsAndRefusals(): void
    {
        $h = EpinTower::signRequest(['order-', 42], cost: 4);
        $this->assertStringStartsWith('$2y$04$', $h);
        $this->assertTrue(password_verify(sha1('order-42'), $h));
        $this->assertFalse(EpinTower::verifyRequest(['order-42'], 'junk'), 'a malformed signature is simply false');
        foreach ([null, true, 1.5, ['a']] as $bad) {
            try {
                EpinTower::signRequest(['a', $bad], cost: 4);
                $this->fail('accepted ' . get_debug_type($bad));
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('field 1', $e->getMessage());
            }
        }
        foreach ([3, 32, -1] as $cost) {
            try {
                EpinTower::signRequest(['a'], cost: $cost);
                $this->fail("accepted cost $cost");
            } catch (InvalidArgumentException) {
                $this->addToAssertionCount(1);
            }
        }
        $this->expectException(InputTooLargeException::class);
        EpinTower::sign([str_repeat('a', 40), str_repeat('b', 33)], 0, 4);
    }

    public function testRawSeventyTwoBytesAgreeWithPhp(): void
    {
        $raw = [str_repeat('a', 40), str_repeat('b', 32)];
        $h = EpinTower::sign($raw, 0, 4);
        $this->assertTrue(password_verify(implode('', $raw), $h));
        $this->assertTrue(EpinTower::verify($raw, 0, password_hash(implode('', $raw), PASSWORD_BCRYPT, ['cost' => 4])));
    }

    public function testGenericScheme(): void
    {
        $s = new BcryptScheme('{"name":"acme","fields":["merchant","secret","order"],"request_sha1_rounds":1,"response_sha1_rounds":3,"cost":4}');
        $f = ['M-1', 's3cret', 'O-7'];
        $sig = $s->signResponse($f);
        $this->assertStringStartsWith('$2y$04$', $sig);
        $this->assertTrue(password_verify(self::input($f, 3), $sig));
        $this->assertTrue($s->verifyResponse($f, $sig));
        $this->assertFalse($s->verifyRequest($f, $sig));
        $this->assertTrue($s->verifyRequest($f, password_hash(sha1(implode('', $f)), PASSWORD_BCRYPT, ['cost' => 5])));
        try {
            $s->signRequest(['M-1', 's3cret']);
            $this->fail('a missing field was accepted');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('merchant, secret, order', $e->getMessage());
        }
        $this->expectException(UnsupportedAlgorithmException::class);
        new BcryptScheme('{"name":"x","prefix":"2x"}');
    }
}
