<?php

declare(strict_types=1);

namespace Signwire\Tests;

use PHPUnit\Framework\TestCase;
use Signwire\Library;

/** Loading: each failure case runs in a fresh PHP process, since a loaded library is cached. */
final class LibraryTest extends TestCase
{
    private static function load(array $phpArgs, array $env = []): array
    {
        $code = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . 'try { echo Signwire\Library::loadedVia(); } catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(); }';
        return Support::run(array_merge([PHP_BINARY], $phpArgs, ['-r', $code]), $env);
    }

    public function testAbiVersionAndLibraryVersion(): void
    {
        $this->assertSame(1, Library::ABI_VERSION);
        $this->assertSame(Library::ABI_VERSION, Library::ffi()->signwire_abi_version());
        $cargo = (string) file_get_contents(Support::root() . '/Cargo.toml');
        preg_match('/^version\s*=\s*"([^"]+)"/m', $cargo, $m);
        $this->assertSame($m[1], Library::version());
    }

    public function testSignwireLibIsUsedAndAMissingOneIsNamed(): void
    {
        [, $out] = self::load([], ['SIGNWIRE_LIB' => Support::library()]);
        $this->assertSame('cdef ' . Support::library(), $out);
        [, $out] = self::load([], ['SIGNWIRE_LIB' => '/nonexistent/libsignwire.so']);
        $this->assertStringContainsString('Signwire\LibraryException: signwire: SIGNWIRE_LIB=/nonexistent/libsignwire.so is not a file', $out);
        $this->assertStringContainsString('cargo build --release', $out);
    }

    public function testMissingFfiExtensionSaysWhatToDo(): void
    {
        // -n: no php.ini, so the shared ffi extension is not loaded
        [, $out] = self::load(['-n']);
        $this->assertStringContainsString("Signwire\LibraryException: signwire: PHP's FFI extension is not loaded", $out);
        $this->assertStringContainsString('extension=ffi', $out);
    }

    public function testDisabledFfiSaysToEnableItFirst(): void
    {
        [, $out] = self::load(['-d', 'ffi.enable=0']);
        $this->assertStringContainsString("Signwire\\LibraryException: signwire: PHP's FFI is disabled (ffi.enable=0, SAPI cli), "
            . 'for preloaded code too', $out);
        $this->assertStringContainsString('set `ffi.enable=preload` and preload signwire', $out);
        $this->assertStringContainsString('`opcache.preload=' . dirname(__DIR__) . '/preload.php`', $out);
        $this->assertStringContainsString('or `ffi.enable=1`', $out);
        $this->assertStringNotContainsString('PHP refused FFI::cdef here', $out);
    }

    public function testEnabledAndPreloadSettingsLoadOnTheCommandLine(): void
    {
        // The CLI SAPI allows FFI::cdef under preload too; server SAPIs (HttpTest, FpmTest)
        // get the "PHP refused FFI::cdef here (ffi.enable=preload, SAPI ...)" advice instead.
        foreach (['1', 'preload'] as $setting) {
            [, $out] = self::load(['-d', "ffi.enable=$setting"], ['SIGNWIRE_LIB' => Support::library()]);
            $this->assertSame('cdef ' . Support::library(), $out, "ffi.enable=$setting");
        }
    }

    public function testSignwireLibFindsTheHeaderBesideItOrInTheMatchingInclude(): void
    {
        $dir = Support::tempDir('signwire-lib-');
        $header = Support::root() . '/include/signwire.h';
        // beside it
        mkdir("$dir/flat");
        copy(Support::library(), "$dir/flat/libsignwire.so");
        copy($header, "$dir/flat/signwire.h");
        // PREFIX/lib and PREFIX/include, as `make install` lays them out
        mkdir("$dir/prefix/lib", 0777, true);
        mkdir("$dir/prefix/include");
        copy(Support::library(), "$dir/prefix/lib/libsignwire.so.0");
        copy($header, "$dir/prefix/include/signwire.h");
        // PREFIX/lib/<multiarch>, as the Debian package lays them out
        mkdir("$dir/usr/lib/x86_64-linux-gnu", 0777, true);
        mkdir("$dir/usr/include");
        copy(Support::library(), "$dir/usr/lib/x86_64-linux-gnu/libsignwire.so.0");
        copy($header, "$dir/usr/include/signwire.h");
        $code = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . '; echo implode(" ", Signwire\Library::locate());';
        foreach (["flat/libsignwire.so" => 'flat/signwire.h', 'prefix/lib/libsignwire.so.0' => 'prefix/include/signwire.h',
                  'usr/lib/x86_64-linux-gnu/libsignwire.so.0' => 'usr/include/signwire.h'] as $lib => $h) {
            [, $out] = Support::run([PHP_BINARY, '-r', $code], ['SIGNWIRE_LIB' => "$dir/$lib"]);
            $this->assertSame("$dir/$lib $dir/$h", $out);
        }
        // No header anywhere: named, with the places tried, not a header from another build.
        mkdir("$dir/alone");
        copy(Support::library(), "$dir/alone/libsignwire.so");
        [, $out] = self::load([], ['SIGNWIRE_LIB' => "$dir/alone/libsignwire.so"]);
        $this->assertStringContainsString("SIGNWIRE_LIB=$dir/alone/libsignwire.so has no signwire.h beside it or in the matching include/; tried $dir/alone/signwire.h, $dir/include/signwire.h", $out);
    }

    public function testAnotherAbiVersionIsRefused(): void
    {
        $dir = Support::tempDir('signwire-abi-');
        file_put_contents("$dir/fake.c", "unsigned int signwire_abi_version(void) { return 99; }\n");
        [$code, , $err] = Support::run(['cc', '-shared', '-fPIC', '-o', "$dir/libfake.so", "$dir/fake.c"]);
        $this->assertSame(0, $code, $err);
        copy(Support::root() . '/include/signwire.h', "$dir/signwire.h");
        [, $out] = self::load([], ['SIGNWIRE_LIB' => "$dir/libfake.so"]);
        $this->assertStringContainsString("$dir/libfake.so has C ABI version 99, this PHP binding needs 1", $out);
    }

    public function testLibraryWithoutSignwireFunctionsIsRefusedClearly(): void
    {
        $dir = Support::tempDir('signwire-abi-');
        file_put_contents("$dir/fake.c", "unsigned int signwire_abi_version(void) { return 1; }\n");
        [$code, , $err] = Support::run(['cc', '-shared', '-fPIC', '-o', "$dir/libfake.so", "$dir/fake.c"]);
        $this->assertSame(0, $code, $err);
        copy(Support::root() . '/include/signwire.h', "$dir/signwire.h");
        [, $out] = self::load([], ['SIGNWIRE_LIB' => "$dir/libfake.so"]);
        $this->assertStringContainsString("cannot load $dir/libfake.so with the declarations of", $out);
        $this->assertStringContainsString("Failed resolving C function", $out);
    }

    public function testBundledCopyIsFoundBeforeTheRepository(): void
    {
        // A copy of the package with lib/ filled by bin/bundle, outside the repository.
        $dir = Support::tempDir('signwire-bundle-');
        $pkg = dirname(__DIR__);
        foreach (['autoload.php', 'src', 'bin'] as $item) {
            Support::run(['cp', '-r', "$pkg/$item", "$dir/$item"]);
        }
        mkdir("$dir/lib");
        copy(Support::library(), "$dir/lib/libsignwire.so");
        copy(Support::root() . '/include/signwire.h', "$dir/lib/signwire.h");
        $code = 'require "' . $dir . '/autoload.php"; echo Signwire\Library::loadedVia();';
        $env = getenv();
        unset($env['SIGNWIRE_LIB']);
        $p = proc_open([PHP_BINARY, '-r', $code], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        proc_close($p);
        $this->assertSame("cdef $dir/lib/libsignwire.so", $out);
    }
}
