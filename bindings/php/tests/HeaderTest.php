<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire\Header;

final class HeaderTest extends TestCase
{
    private static function header(): string
    {
        return (string) file_get_contents(Support::root() . '/include/signwire.h');
    }

    public function testGeneratedHeaderBecomesDeclarationsWithEveryFunction(): void
    {
        $c = self::header();
        $php = Header::phpSafe($c);
        $this->assertDoesNotMatchRegularExpression('/^\s*#/m', $php);
        $this->assertStringNotContainsString('extern', $php);
        $this->assertStringNotContainsString('//', $php);
        preg_match_all('/\b(signwire_\w+)\s*\(/', $c, $m);
        $functions = array_unique($m[1]);
        $this->assertGreaterThan(25, count($functions));
        foreach ($functions as $f) {
            $this->assertMatchesRegularExpression('/\b' . $f . '\s*\(/', $php, "$f lost");
        }
        // PHP's own parser accepts it.
        $ffi = \FFI::cdef($php, Support::library());
        $this->assertSame(\Signwire\Library::ABI_VERSION, $ffi->signwire_abi_version());
    }

    public function testCplusplusBranchesAreDroppedAndElseBranchesKept(): void
    {
        $c = "#ifndef G\n#define G\n#ifdef __cplusplus\nextern \"C\" {\n#endif\nint a(void);\n"
            . "#if defined(__cplusplus)\nint cxx(void);\n#else\nint c_only(void);\n#endif\n"
            . "/* block\n comment */ int b(void); // trailing\n#ifdef __cplusplus\n}\n#endif\n#endif\n";
        $this->assertSame("int a(void);\nint c_only(void);\n int b(void);\n", Header::phpSafe($c));
    }

    public function testIncludeGuardIsNotDoubleCounted(): void
    {
        $this->assertSame("int a(void);\n", Header::phpSafe("#ifndef G\n#define G\nint a(void);\n#ifndef G\nint twice(void);\n#endif\n#endif\n"));
    }

    /** @dataProvider untranslatable */
    public function testRefusesWhatItCannotTranslate(string $c, string $why): void
    {
        $this->expectException(\UnexpectedValueException::class);
        $this->expectExceptionMessageMatches($why);
        Header::phpSafe($c);
    }

    public static function untranslatable(): array
    {
        return [
            'arithmetic #if' => ["#if FOO > 1\nint a;\n#endif\n", '/line 1: cannot translate "#if FOO > 1"/'],
            'unbalanced #endif' => ["int a;\n#endif\n", '/line 2/'],
            'unterminated #if' => ["#ifdef X\nint a;\n", '/unterminated/'],
            '#elif' => ["#ifdef X\n#elif Y\n#endif\n", '/#elif/'],
            'string literal left' => ["const char *s = \"x\";\n", '/string literal/'],
        ];
    }

    public function testPreloadHeaderDeclaresScopeAndLibrary(): void
    {
        $h = Header::forPreload(self::header(), 'SIGNWIRE', '/usr/lib/libsignwire.so');
        $this->assertStringStartsWith("#define FFI_SCOPE \"SIGNWIRE\"\n#define FFI_LIB \"/usr/lib/libsignwire.so\"\n", $h);
        $this->expectException(\InvalidArgumentException::class);
        Header::forPreload(self::header(), 'SIGNWIRE', "/tmp/evil\"\n#define X");
    }
}
