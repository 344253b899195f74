<?php

declare(strict_types=1);

namespace Signwire;

/**
 * Turns the generated C header (include/signwire.h) into declarations PHP's FFI parser accepts.
 *
 * PHP's parser reads every `#` line as a comment, so it would see both branches of
 * `#ifdef __cplusplus` (and choke on `extern "C" {`). This evaluates the few preprocessor
 * conditionals the header uses, drops directives and comments, and refuses anything it does
 * not understand, so a change to the header fails loudly here instead of drifting.
 *
 * ```php
 * $decl = Signwire\Header::phpSafe(file_get_contents('include/signwire.h'));
 * $ffi = FFI::cdef($decl, '/path/to/libsignwire.so');
 * // for opcache.preload: a header FFI::load() turns into FFI::scope('SIGNWIRE')
 * file_put_contents('/etc/php/signwire.h', Signwire\Header::forPreload($c, 'SIGNWIRE', '/usr/lib/libsignwire.so'));
 * ```
 */
final class Header
{
    /** Macros a C++ compiler would define; PHP is a C consumer, so these are undefined. */
    private const NEVER_DEFINED = ['__cplusplus'];

    /**
     * @throws \UnexpectedValueException when the header uses a construct this cannot translate
     */
    public static function phpSafe(string $header): string
    {
        $text = self::stripComments($header);
        $defined = [];
        // Each frame: [is this branch active, has any branch of this #if been taken, parent active]
        $stack = [];
        $active = true;
        $out = [];
        foreach (preg_split('/\r?\n/', $text) as $lineNo => $line) {
            $trimmed = trim($line);
            if ($trimmed !== '' && $trimmed[0] === '#') {
                if (!preg_match('/^#\s*(\w+)\s*(.*)$/', $trimmed, $m)) {
                    throw self::refuse($lineNo, $trimmed);
                }
                [$directive, $arg] = [$m[1], trim($m[2])];
                switch ($directive) {
                    case 'ifdef':
                    case 'ifndef':
                    case 'if':
                        $cond = self::condition($directive, $arg, $defined, $lineNo);
                        $stack[] = [$active && $cond, $cond, $active];
                        $active = $active && $cond;
                        break;
                    case 'else':
                        if (!$stack) {
                            throw self::refuse($lineNo, $trimmed);
                        }
                        [, $taken, $parent] = array_pop($stack);
                        $stack[] = [$parent && !$taken, true, $parent];
                        $active = $parent && !$taken;
                        break;
                    case 'endif':
                        if (!$stack) {
                            throw self::refuse($lineNo, $trimmed);
                        }
                        [, , $active] = array_pop($stack);
                        break;
                    case 'define':
                        if ($active && preg_match('/^(\w+)/', $arg, $d)) {
                            $defined[$d[1]] = true;
                        }
                        break;
                    case 'undef':
                        if ($active) {
                            unset($defined[$arg]);
                        }
                        break;
                    case 'include':
                    case 'pragma':
                        break;
                    default:
                        throw self::refuse($lineNo, $trimmed);
                }
                continue;
            }
            if ($active && $trimmed !== '') {
                $out[] = rtrim($line);
            }
        }
        if ($stack) {
            throw new \UnexpectedValueException('signwire.h: unterminated #if');
        }
        $decl = implode("\n", $out) . "\n";
        if (str_contains($decl, '"')) {
            // A string literal outside a directive means C++ or macro syntax leaked through.
            throw new \UnexpectedValueException('signwire.h: unexpected string literal in declarations');
        }
        return $decl;
    }

    /**
     * A header for `FFI::load()` in an `opcache.preload` script: the declarations plus the
     * `FFI_SCOPE` and `FFI_LIB` lines PHP reads from it.
     */
    public static function forPreload(string $header, string $scope, string $libraryPath): string
    {
        foreach (['scope' => $scope, 'library path' => $libraryPath] as $what => $v) {
            if ($v === '' || preg_match('/["\\\\\x00-\x1f]/', $v)) {
                throw new \InvalidArgumentException("the $what must be non-empty, without quotes, backslashes or control characters");
            }
        }
        return "#define FFI_SCOPE \"$scope\"\n#define FFI_LIB \"$libraryPath\"\n" . self::phpSafe($header);
    }

    private static function stripComments(string $c): string
    {
        // Keep the newlines of block comments so error messages give the header's line numbers.
        $c = preg_replace_callback('#/\*.*?\*/#s', static fn (array $m): string => str_repeat("\n", substr_count($m[0], "\n")) ?: ' ', $c);
        return preg_replace('#//[^\n]*#', '', $c);
    }

    /** @param array<string,bool> $defined */
    private static function condition(string $directive, string $arg, array $defined, int $lineNo): bool
    {
        $isDefined = static function (string $name) use ($defined): bool {
            return !in_array($name, self::NEVER_DEFINED, true) && isset($defined[$name]);
        };
        if ($directive === 'ifdef' && preg_match('/^\w+$/', $arg)) {
            return $isDefined($arg);
        }
        if ($directive === 'ifndef' && preg_match('/^\w+$/', $arg)) {
            return !$isDefined($arg);
        }
        if ($directive === 'if') {
            if (preg_match('/^(!?)\s*defined\s*\(?\s*(\w+)\s*\)?$/', $arg, $m)) {
                return ($m[1] === '') === $isDefined($m[2]);
            }
            if ($arg === '0' || $arg === '1') {
                return $arg === '1';
            }
        }
        throw self::refuse($lineNo, "#$directive $arg");
    }

    private static function refuse(int $lineNo, string $line): \UnexpectedValueException
    {
        return new \UnexpectedValueException(sprintf(
            'signwire.h line %d: cannot translate "%s" for PHP FFI; extend Signwire\\Header::phpSafe',
            $lineNo + 1,
            $line
        ));
    }
}
