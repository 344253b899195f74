<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire\StatusException;
use Signwire\UsageException;
use Signwire\VerificationException;

final class StatusExceptionTest extends TestCase
{
    /** Every status of the generated header, read from it (name => number). */
    private static function statuses(): array
    {
        $h = (string) file_get_contents(Support::root() . '/include/signwire.h');
        preg_match('/typedef enum signwire_status \{(.*?)\}/s', $h, $m);
        preg_match_all('/(SIGNWIRE_\w+)\s*=\s*(\d+)/', $m[1], $pairs, PREG_SET_ORDER);
        $out = [];
        foreach ($pairs as [, $name, $n]) {
            $out[$name] = (int) $n;
        }
        return $out;
    }

    public function testEveryErrorStatusHasItsOwnClassWithTheCStatusAsCode(): void
    {
        $statuses = self::statuses();
        $this->assertSame(0, $statuses['SIGNWIRE_OK']);
        unset($statuses['SIGNWIRE_OK']);
        $this->assertGreaterThanOrEqual(19, count($statuses));
        $classes = [];
        foreach ($statuses as $name => $code) {
            $e = StatusException::create($name, $code, 'detail');
            $this->assertNotSame(StatusException::class, get_class($e), "$name has no class of its own");
            $this->assertSame($code, $e->getCode());
            $this->assertSame($name, $e->getStatusName());
            $this->assertSame('detail', $e->getMessage());
            $this->assertSame($name, (string) \Signwire\Library::ffi()->signwire_status_name($code));
            $classes[] = get_class($e);
        }
        $this->assertSame(count($classes), count(array_unique($classes)));
    }

    public function testRequestCausedStatusesAreVerificationExceptions(): void
    {
        $s = self::statuses();
        foreach (['MISSING_HEADER', 'MALFORMED_HEADER', 'UNKNOWN_KEY', 'BAD_SIGNATURE', 'TIMESTAMP_TOO_OLD', 'TIMESTAMP_IN_FUTURE',
                  'NONCE_REPLAYED', 'NONCE_STORE_UNAVAILABLE', 'IP_NOT_ALLOWED', 'INPUT_TOO_LARGE', 'INVALID_UTF8',
                  'MALFORMED_TOKEN', 'DECRYPTION_FAILED', 'UNSUPPORTED_ALGORITHM'] as $n) {
            $this->assertInstanceOf(VerificationException::class, StatusException::create("SIGNWIRE_ERR_$n", $s["SIGNWIRE_ERR_$n"], ''), $n);
        }
        foreach (['INVALID_ARGUMENT', 'WEAK_KEY', 'BUFFER_TOO_SMALL', 'NULL_POINTER'] as $n) {
            $e = StatusException::create("SIGNWIRE_ERR_$n", $s["SIGNWIRE_ERR_$n"], '');
            $this->assertInstanceOf(UsageException::class, $e, $n);
            $this->assertNotInstanceOf(VerificationException::class, $e, $n);
        }
        $this->assertSame('Signwire\BadSignatureException', get_class(StatusException::create('SIGNWIRE_ERR_BAD_SIGNATURE', 8, '')));
    }

    public function testAStatusNewerThanTheBindingStillCarriesItsCode(): void
    {
        $e = StatusException::create('SIGNWIRE_ERR_SOMETHING_NEW', 99, 'x');
        $this->assertSame(StatusException::class, get_class($e));
        $this->assertSame(99, $e->getCode());
    }
}
