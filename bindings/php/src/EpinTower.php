<?php

declare(strict_types=1);

namespace Signwire;

use FFI\CData;

/**
 * EpinTower's bcrypt(sha1(fields)) signatures, exactly as `password_hash` / `password_verify`
 * make and check them: requests `password_hash(sha1($a.$b.$c), PASSWORD_BCRYPT)` (1 sha1
 * round), responses `password_verify(sha1(sha1($a.$b.$c)), $sig)` (2 rounds, as EpinTower's
 * documentation checks them), `$2y$`, cost 10; verify* accept costs up to 12 by default. Fields are strings or ints, concatenated in the
 * order given with no separator. bcrypt is salted: compare with verify*, never with `===`.
 *
 * ```php
 * $fields = [$clientId, $secretKey, $transactionId];      // the endpoint's SIGNATURE row, in order
 * $params['SIGNATURE'] = Signwire\EpinTower::signRequest($fields);         // "$2y$10$…"
 * if (!Signwire\EpinTower::verifyResponse([$clientId, $secretKey, $transactionId], $_POST['SIGNATURE'])) {
 *     // reject the response
 * }
 * ```
 *
 * verify* return false for a signature that does not match or is not a bcrypt hash at all
 * (both come from the other side); they throw {@see UnsupportedAlgorithmException} for a
 * `$2x$` hash, which signwire refuses, and a {@see UsageException} for bad arguments.
 */
final class EpinTower
{
    /** bcrypt cost of new signatures unless another is given. */
    public const DEFAULT_COST = 10;

    /**
     * Highest cost verify* accept unless `$maxCost` is given (DEFAULT_COST + 2). The sender
     * picks a hash's cost and each step doubles the work, so a higher one is refused (false)
     * before any bcrypt work: one `$2y$31$` would otherwise cost days of CPU.
     */
    public const DEFAULT_MAX_VERIFY_COST = 12;

    /** @param list<string|int> $fields */
    public static function signRequest(array $fields, int $cost = self::DEFAULT_COST): string
    {
        return self::signWith('signwire_epintower_sign_request', [], $fields, $cost);
    }

    /** @param list<string|int> $fields */
    public static function verifyRequest(array $fields, string $signature, int $maxCost = 0): bool
    {
        return self::verifyWith('signwire_epintower_verify_request_capped', [], $fields, $signature, [self::uint($maxCost, 'maxCost')]);
    }

    /** @param list<string|int> $fields */
    public static function signResponse(array $fields, int $cost = self::DEFAULT_COST): string
    {
        return self::signWith('signwire_epintower_sign_response', [], $fields, $cost);
    }

    /** @param list<string|int> $fields */
    public static function verifyResponse(array $fields, string $signature, int $maxCost = 0): bool
    {
        return self::verifyWith('signwire_epintower_verify_response_capped', [], $fields, $signature, [self::uint($maxCost, 'maxCost')]);
    }

    /**
     * Sign with an explicit number of sha1 rounds (0 bcrypts the concatenation itself, which
     * must then be at most 72 bytes without NUL, or InputTooLargeException is thrown).
     *
     * @param list<string|int> $fields
     */
    public static function sign(array $fields, int $sha1Rounds, int $cost = self::DEFAULT_COST): string
    {
        return self::signWith('signwire_epintower_sign_rounds', [self::uint($sha1Rounds, 'sha1Rounds')], $fields, $cost);
    }

    /** @param list<string|int> $fields */
    public static function verify(array $fields, int $sha1Rounds, string $signature, int $maxCost = 0): bool
    {
        return self::verifyWith('signwire_epintower_verify_rounds_capped', [self::uint($sha1Rounds, 'sha1Rounds')], $fields, $signature, [self::uint($maxCost, 'maxCost')]);
    }

    /**
     * @param callable-string|string $function
     * @param list<mixed> $prefix arguments before the fields (a scheme handle, sha1 rounds)
     * @param array<mixed> $fields
     * @internal BcryptScheme shares it
     */
    public static function signWith(string $function, array $prefix, array $fields, int $cost): string
    {
        $ffi = Library::ffi();
        [$ptrs, $lens, $n, $keep] = self::fields($fields);
        $c = self::uint($cost, 'cost');
        try {
            return Library::output(
                static fn (CData $out, int $cap, CData $written): int =>
                    $ffi->$function(...[...$prefix, $ptrs, $lens, $n, $c, $out, $cap, $written]),
                (int) $ffi->signwire_bcrypt_hash_max()
            );
        } finally {
            self::wipe($keep);
        }
    }

    /**
     * @param list<mixed> $prefix arguments before the fields (a scheme handle, sha1 rounds)
     * @param array<mixed> $fields
     * @param list<mixed> $middle arguments between the fields and the signature (a cost cap)
     * @internal BcryptScheme shares it
     */
    public static function verifyWith(string $function, array $prefix, array $fields, string $signature, array $middle = []): bool
    {
        $ffi = Library::ffi();
        [$ptrs, $lens, $n, $keep] = self::fields($fields);
        try {
            $status = $ffi->$function(...[...$prefix, $ptrs, $lens, $n, ...$middle, $signature, strlen($signature)]);
        } finally {
            self::wipe($keep);
        }
        if ($status === $ffi->SIGNWIRE_ERR_BAD_SIGNATURE || $status === $ffi->SIGNWIRE_ERR_MALFORMED_HEADER) {
            return false;
        }
        Library::check($status);
        return true;
    }

    /**
     * The fields as the C ABI takes them: an array of pointers, an array of lengths, a count,
     * and the buffers (which must stay alive until the call returns).
     *
     * @param array<mixed> $fields
     * @return array{0:CData,1:CData,2:int,3:list<CData>}
     */
    private static function fields(array $fields): array
    {
        $ffi = Library::ffi();
        $values = [];
        foreach (array_values($fields) as $i => $f) {
            // PHP's `.` turns null into "" and true into "1": a forgotten value should fail
            // here, not as "Invalid signature" at the other end. Floats print differently in
            // PHP and in the API's language, so they must be formatted by the caller.
            if (is_int($f)) {
                $f = (string) $f;
            } elseif (!is_string($f)) {
                throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', "field $i is " . get_debug_type($f)
                    . '; pass the exact string the API signs (ints are accepted)');
            }
            $values[] = $f;
        }
        $n = count($values);
        $ptrs = $ffi->new('const char *[' . max($n, 1) . ']');
        $lens = $ffi->new('size_t[' . max($n, 1) . ']');
        $keep = [];
        foreach ($values as $i => $v) {
            $len = strlen($v);
            $buf = $ffi->new('char[' . max($len, 1) . ']');
            if ($len > 0) {
                \FFI::memcpy($buf, $v, $len);
            }
            $keep[] = $buf;
            $ptrs[$i] = $ffi->cast('const char *', $buf);
            $lens[$i] = $len;
        }
        return [$ptrs, $lens, $n, $keep];
    }

    /**
     * The copies may hold a secret field; the library never keeps them.
     *
     * @param list<CData> $buffers
     */
    private static function wipe(array $buffers): void
    {
        foreach ($buffers as $b) {
            \FFI::memset($b, 0, \FFI::sizeof($b));
        }
    }

    /** @internal */
    public static function uint(int $value, string $what): int
    {
        // Range rules live in the library; this only keeps FFI from wrapping a negative int.
        if ($value < 0 || $value > 0xFFFFFFFF) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', "$what is out of range: $value");
        }
        return $value;
    }
}
