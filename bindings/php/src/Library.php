<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Finds and loads libsignwire through PHP's FFI, once per request.
 *
 * Order: a scope preloaded by `opcache.preload` (required under PHP-FPM, where the default
 * `ffi.enable=preload` refuses `FFI::cdef`), then `SIGNWIRE_LIB`, then a copy bundled in the
 * package's `lib/`, then the repository's `target/release` (a checkout), then a system install
 * (see {@see locate()}). The package works the same copied (`"symlink": false` in a Composer
 * path repository) or symlinked: nothing depends on where it sits. The declarations always
 * come from the generated header, made PHP-safe by {@see Header::phpSafe()}.
 *
 * ```php
 * // php.ini (PHP-FPM):  ffi.enable=preload  opcache.preload=/path/to/bindings/php/preload.php
 * echo Signwire\Library::version(), "\n";   // e.g. 0.1.0
 * ```
 *
 * @internal the classes of this package call it; applications use Signer and Verifier
 */
final class Library
{
    /** The C ABI this binding was written against (`signwire_abi_version()`). */
    public const ABI_VERSION = 1;

    /** The `FFI_SCOPE` name the preload header declares. */
    public const SCOPE = 'SIGNWIRE';

    private static ?FFI $ffi = null;
    private static string $loadedVia = '';

    /** The loaded library. @throws LibraryException with what was tried and what to do */
    public static function ffi(): FFI
    {
        return self::$ffi ??= self::load();
    }

    /** The library's version, e.g. "0.1.0". */
    public static function version(): string
    {
        return (string) self::ffi()->signwire_version();
    }

    /** How the library was loaded: "scope SIGNWIRE" (preloaded) or "cdef /path/libsignwire.so". */
    public static function loadedVia(): string
    {
        self::ffi();
        return self::$loadedVia;
    }

    /**
     * For an `opcache.preload` script: declare the library under {@see SCOPE} so that every
     * request finds it with `FFI::scope()`. Writes the generated preload header to
     * `$headerFile` (default: a temporary file removed after loading) and returns its text.
     */
    public static function preload(?string $libraryPath = null, ?string $headerFile = null): string
    {
        self::requireExtension();
        [$lib, $header] = self::locate($libraryPath);
        $text = Header::forPreload((string) file_get_contents($header), self::SCOPE, $lib);
        $file = $headerFile ?? tempnam(sys_get_temp_dir(), 'signwire-preload-');
        if ($file === false || file_put_contents($file, $text) === false) {
            throw new LibraryException("signwire: cannot write the preload header to " . ($file ?: sys_get_temp_dir()));
        }
        try {
            $ffi = FFI::load($file);
        } catch (FFI\Exception $e) {
            throw new LibraryException('signwire: FFI::load() refused the preload header (' . $e->getMessage() . '). '
                . 'When the FPM master runs as root with opcache.preload_user, declare the library with '
                . '`ffi.preload=/etc/php/signwire-ffi.h` instead (write that file with '
                . '`php ' . dirname(__DIR__) . '/bin/ffi-header.php --preload`)', 0, $e);
        } finally {
            if ($headerFile === null) {
                unlink($file);
            }
        }
        if ($ffi === null) {
            throw new LibraryException("signwire: FFI::load() could not load $lib (scope " . self::SCOPE . ")");
        }
        self::checkAbi($ffi, $lib);
        return $text;
    }

    /**
     * The library and header that would be loaded, as absolute paths.
     *
     * Order, first match wins:
     *  1. `$libraryPath`, else `SIGNWIRE_LIB` (only that file: a typo never falls back to
     *     another copy), with the header beside it or in the matching `include/`;
     *  2. this package's `lib/` (filled by `bin/bundle`), library and header side by side;
     *  3. the repository when the package is its `bindings/php/` (a checkout);
     *  4. a system install: pkg-config's libdir for signwire, `/usr/local/lib`,
     *     `/usr/lib/<multiarch>`, `/usr/lib`, `/usr/lib64`, with the matching `include/`.
     *
     * @return array{0:string,1:string}
     */
    public static function locate(?string $libraryPath = null): array
    {
        $env = $libraryPath ?? (getenv('SIGNWIRE_LIB') ?: null);
        if ($env !== null) {
            $what = $libraryPath !== null ? 'signwire: ' : 'signwire: SIGNWIRE_LIB=';
            if (!is_file($env)) {
                throw new LibraryException("{$what}$env is not a file; build it with `cargo build --release` or fix the path");
            }
            $headers = self::headersFor($env);
            foreach ($headers as $h) {
                if (is_file($h)) {
                    return [(string) realpath($env), (string) realpath($h)];
                }
            }
            throw new LibraryException("{$what}$env has no signwire.h beside it or in the matching include/; tried "
                . implode(', ', $headers) . '. Put the header of the same build there');
        }
        $tried = [];
        foreach (self::candidates() as [$lib, $headers]) {
            if (!is_file($lib)) {
                $tried[] = $lib;
                continue;
            }
            foreach ($headers as $h) {
                if (is_file($h)) {
                    return [(string) realpath($lib), (string) realpath($h)];
                }
            }
            $tried[] = "$lib (no header: tried " . implode(', ', $headers) . ')';
        }
        throw new LibraryException('signwire: libsignwire not found; tried SIGNWIRE_LIB (unset), ' . implode(', ', $tried)
            . '. Install the library (the signwire .deb, or `make -C bindings/c install`), set SIGNWIRE_LIB to its path, '
            . 'or copy it with its header into ' . self::bundleDir() . ' (bin/bundle)');
    }

    /**
     * Throw the exception for a status, with the library's log message for this thread.
     *
     * @internal
     */
    public static function check(int $status): void
    {
        if ($status !== 0) {
            $ffi = self::ffi();
            $message = (string) $ffi->signwire_last_error_message();
            throw StatusException::create((string) $ffi->signwire_status_name($status), $status, $message);
        }
    }

    /**
     * A text argument. PHP strings may hold NUL bytes, which C would silently cut at.
     *
     * @internal
     */
    public static function text(string $value, string $what): string
    {
        if (str_contains($value, "\0")) {
            throw self::error('SIGNWIRE_ERR_INVALID_ARGUMENT', "$what contains a NUL byte");
        }
        return $value;
    }

    /**
     * An exception for a status the binding detects itself (before calling the library).
     *
     * @internal
     */
    public static function error(string $statusName, string $message): StatusException
    {
        $ffi = self::ffi();
        return StatusException::create($statusName, (int) $ffi->{$statusName}, $message);
    }

    /**
     * Call a function that writes text into a caller buffer; grow once if the library asks.
     *
     * @param callable(CData $out, int $cap, CData $written): int $call
     * @internal
     */
    public static function output(callable $call, int $capacity): string
    {
        $ffi = self::ffi();
        $written = $ffi->new('size_t');
        for ($attempt = 0; ; $attempt++) {
            $out = $ffi->new("char[$capacity]");
            $status = $call($out, $capacity, FFI::addr($written));
            $tooSmall = $status === $ffi->SIGNWIRE_ERR_BUFFER_TOO_SMALL && $attempt === 0;
            if (!$tooSmall) {
                self::check($status);
                $result = FFI::string($out, $written->cdata);
                // Outputs can be opened plaintext or signatures: leave no copy in freed C memory.
                FFI::memset($out, 0, $capacity);
                return $result;
            }
            $capacity = (int) $written->cdata;
        }
    }

    /**
     * A headers array as the `Name: value` block the C ABI reads.
     *
     * @param array<string, string|list<string>> $headers
     * @internal
     */
    public static function headerBlock(array $headers): string
    {
        $block = '';
        if ($headers !== [] && array_is_list($headers) && is_string($headers[0]) && str_contains($headers[0], ':')) {
            // ['X-API-Key: k1', ...] would read as headers named "0", "1"...: every required
            // header "missing", a puzzle. Say what shape is wanted.
            throw self::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'headers must be an array of name => value (or name => [values]), '
                . 'not a list of "Name: value" lines; e.g. [\'X-API-Key\' => \'k1\']');
        }
        foreach ($headers as $name => $values) {
            foreach ((array) $values as $value) {
                $name = (string) $name;
                $value = (string) $value;
                // A line break would smuggle in a header the caller never had.
                if (strpbrk($name, ":\r\n\0") !== false || strpbrk($value, "\r\n\0") !== false) {
                    throw self::error('SIGNWIRE_ERR_MALFORMED_HEADER', 'header ' . json_encode(substr($name, 0, 64))
                        . ' contains a line break, NUL or colon');
                }
                $block .= "$name: $value\r\n";
            }
        }
        return $block;
    }

    /**
     * A `Name: value\r\n` block from the library as an array.
     *
     * @return array<string,string>
     * @internal
     */
    public static function parseBlock(string $block): array
    {
        $headers = [];
        foreach (explode("\n", $block) as $line) {
            $line = rtrim($line, "\r");
            if ($line !== '') {
                [$name, $value] = explode(':', $line, 2);
                $headers[$name] = ltrim($value, ' ');
            }
        }
        return $headers;
    }

    private static function load(): FFI
    {
        self::requireExtension();
        try {
            $ffi = FFI::scope(self::SCOPE);
            self::checkAbi($ffi, 'the preloaded scope ' . self::SCOPE);
            self::$loadedVia = 'scope ' . self::SCOPE;
            return $ffi;
        } catch (FFI\Exception) {
            // Not preloaded: fall through to FFI::cdef.
        }
        [$lib, $header] = self::locate();
        try {
            // The version first, alone: a library of another release may lack functions this
            // header declares, and "Failed resolving C function" would hide the real problem.
            self::checkAbi(FFI::cdef('uint32_t signwire_abi_version(void);', $lib), $lib);
            $ffi = FFI::cdef(Header::phpSafe((string) file_get_contents($header)), $lib);
        } catch (FFI\Exception $e) {
            $enable = strtolower((string) ini_get('ffi.enable'));
            if (in_array($enable, ['', '0', 'off', 'false', 'no'], true)) {
                // Preloading cannot help here: ffi.enable=0 turns FFI off for preload scripts too.
                throw new LibraryException(
                    'signwire: PHP\'s FFI is disabled (ffi.enable=' . (ini_get('ffi.enable') ?: '0') . ', SAPI ' . PHP_SAPI
                    . '), for preloaded code too, so nothing can call libsignwire. In this SAPI\'s php.ini set '
                    . '`ffi.enable=preload` and preload signwire (`opcache.enable=1`, `opcache.preload='
                    . dirname(__DIR__) . '/preload.php`; see docs/INSTALL.md), or `ffi.enable=1` (command line, development). '
                    . 'FFI said: ' . $e->getMessage(),
                    0,
                    $e
                );
            }
            if ($enable === 'preload' && PHP_SAPI !== 'cli') {
                throw new LibraryException(
                    "signwire: PHP refused FFI::cdef here (ffi.enable=" . (ini_get('ffi.enable') ?: '0') . ', SAPI '
                    . PHP_SAPI . '). Under PHP-FPM or another server SAPI preload signwire: in php.ini set '
                    . '`opcache.enable=1` and `opcache.preload=' . dirname(__DIR__) . '/preload.php`, and when the '
                    . 'master runs as root also `opcache.preload_user=www-data` and `ffi.preload=/etc/php/signwire-ffi.h` '
                    . '(written by `php ' . dirname(__DIR__) . '/bin/ffi-header.php --preload`); or, for development '
                    . 'only, `ffi.enable=1`. FFI said: ' . $e->getMessage(),
                    0,
                    $e
                );
            }
            throw new LibraryException("signwire: cannot load $lib with the declarations of $header: "
                . $e->getMessage() . '; use a library and binding from the same signwire build', 0, $e);
        }
        self::checkAbi($ffi, $lib);
        self::$loadedVia = "cdef $lib";
        return $ffi;
    }

    private static function requireExtension(): void
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryException(
                "signwire: PHP's FFI extension is not loaded. Install it (Debian: apt-get install php-cli, which "
                . 'includes ffi) and enable it with `extension=ffi` in php.ini'
            );
        }
    }

    private static function checkAbi(FFI $ffi, string $what): void
    {
        $abi = (int) $ffi->signwire_abi_version();
        if ($abi !== self::ABI_VERSION) {
            throw new LibraryException("signwire: $what has C ABI version $abi, this PHP binding needs "
                . self::ABI_VERSION . '; use the library and binding from the same signwire release');
        }
    }

    /** The library's file names: the development link, then the soname of a runtime-only install. */
    private const NAMES = ['libsignwire.so', 'libsignwire.so.0'];

    /**
     * Where a library's header is: beside it, or in the `include/` that matches its directory
     * (`<checkout>/target/release`, `PREFIX/lib/<multiarch>` -> two levels up; `PREFIX/lib` -> one).
     *
     * @return list<string>
     */
    private static function headersFor(string $lib): array
    {
        $dir = dirname($lib);
        return array_values(array_unique([
            "$dir/signwire.h",
            dirname($dir) . '/include/signwire.h',
            dirname($dir, 2) . '/include/signwire.h',
        ]));
    }

    /**
     * (library, headers) candidates after SIGNWIRE_LIB, in lookup order.
     *
     * @return list<array{0:string,1:list<string>}>
     */
    private static function candidates(): array
    {
        $name = match (PHP_OS_FAMILY) {
            'Darwin' => 'libsignwire.dylib',
            'Windows' => 'signwire.dll',
            default => 'libsignwire.so',
        };
        $found = [[self::bundleDir() . "/$name", [self::bundleDir() . '/signwire.h']]];
        $repo = self::repoDir();
        if (is_file("$repo/Cargo.toml") && is_file("$repo/include/signwire.h")) {
            $found[] = ["$repo/target/release/$name", ["$repo/include/signwire.h"]];
        }
        if (PHP_OS_FAMILY !== 'Windows') {
            $arch = php_uname('m') . '-linux-gnu';
            $dirs = array_merge(self::pkgConfigLibdir(), ['/usr/local/lib', "/usr/lib/$arch", '/usr/lib', '/usr/lib64']);
            foreach (array_unique($dirs) as $dir) {
                foreach (PHP_OS_FAMILY === 'Darwin' ? [$name] : self::NAMES as $file) {
                    $found[] = ["$dir/$file", self::headersFor("$dir/$file")];
                }
            }
        }
        return $found;
    }

    /**
     * pkg-config's libdir for signwire (`pkg-config --variable=libdir signwire`), when
     * pkg-config is installed and knows it; run only after the other places came up empty.
     *
     * @return list<string>
     */
    private static function pkgConfigLibdir(): array
    {
        if (!function_exists('proc_open')) {
            return [];
        }
        $p = @proc_open(['pkg-config', '--variable=libdir', 'signwire'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($p)) {
            return [];
        }
        $out = trim((string) stream_get_contents($pipes[1]));
        stream_get_contents($pipes[2]);
        return proc_close($p) === 0 && $out !== '' ? [$out] : [];
    }

    private static function bundleDir(): string
    {
        return dirname(__DIR__) . '/lib';
    }

    private static function repoDir(): string
    {
        return dirname(__DIR__, 3);
    }
}
