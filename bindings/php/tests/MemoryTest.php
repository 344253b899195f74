<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;

/** Handles are freed exactly once: tests/memory/handles.php under valgrind (memcheck). */
final class MemoryTest extends TestCase
{
    private static function valgrind(string $arg): array
    {
        return Support::run(
            ['valgrind', '--error-exitcode=9', '--leak-check=full', '--errors-for-leak-kinds=definite', '-q',
             // PCRE's JIT code (the header is read with preg_*) trips memcheck's
             // uninitialised-value check depending on the header's text: a false positive.
             PHP_BINARY, '-d', 'pcre.jit=0', __DIR__ . '/memory/handles.php', $arg],
            ['USE_ZEND_ALLOC' => '0', 'SIGNWIRE_LIB' => Support::library()]
        );
    }

    public function testNoDoubleFreeNoLeak(): void
    {
        [$code, $out, $err] = self::valgrind('');
        $this->assertSame("done\n", $out, $err);
        $this->assertSame(0, $code, $err);
    }

    public function testTheCheckSeesALeak(): void
    {
        [$code, $out, $err] = self::valgrind('leak');
        $this->assertSame("leaked\n", $out);
        $this->assertSame(9, $code, 'valgrind did not report a leaked handle');
        $this->assertStringContainsString('definitely lost', $err);
    }
}
