<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Finds and loads libsignwire through PHP's FFI, once per request.
 *
 * Order: a scope preloaded by `opcache.preload` (required under PHP-FPM, where the default
 * `ffi.enable=preload` refuses `FFI::cdef`), then `SIGNWIRE_LIB`, then a copy bundled in
 * `bindings/php/lib/`, then the repository's `target/release`. The declarations always come
 * from the generated header, made PHP-safe by {@see Header::phpSafe()}.
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
     * @return array{0:string,1:string}
     */
    public static function locate(?string $libraryPath = null): array
    {
        $tried = [];
        $lib = null;
        $env = $libraryPath ?? (getenv('SIGNWIRE_LIB') ?: null);
        if ($env !== null) {
            if (!is_file($env)) {
                throw new LibraryException(($libraryPath !== null ? 'signwire: ' : 'signwire: SIGNWIRE_LIB=')
                    . "$env is not a file; build it with `cargo build --release` or fix the path");
            }
            $lib = $env;
        } else {
            $name = match (PHP_OS_FAMILY) {
                'Darwin' => 'libsignwire.dylib',
                'Windows' => 'signwire.dll',
                default => 'libsignwire.so',
            };
            foreach ([self::bundleDir() . "/$name", self::repoDir() . "/target/release/$name"] as $candidate) {
                $tried[] = $candidate;
                if (is_file($candidate)) {
                    $lib = $candidate;
                    break;
                }
            }
        }
        if ($lib === null) {
            throw new LibraryException("signwire: libsignwire not found; tried SIGNWIRE_LIB (unset), "
                . implode(', ', $tried) . ". Build it with `cargo build --release` in the repository, "
                . "run bindings/php/bin/bundle, or set SIGNWIRE_LIB to the library's path");
        }
        $headers = [self::bundleDir() . '/signwire.h', self::repoDir() . '/include/signwire.h'];
        foreach ($headers as $h) {
            if (is_file($h)) {
                return [(string) realpath($lib), (string) realpath($h)];
            }
        }
        throw new LibraryException('signwire: signwire.h not found; tried ' . implode(', ', $headers)
            . '. Run bindings/php/bin/bundle, or use the binding from a repository checkout');
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
            $disabled = in_array($enable, ['', '0', 'off', 'false', 'no'], true);
            if ($disabled || ($enable === 'preload' && PHP_SAPI !== 'cli')) {
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

    private static function bundleDir(): string
    {
        return dirname(__DIR__) . '/lib';
    }

    private static function repoDir(): string
    {
        return dirname(__DIR__, 3);
    }
}
