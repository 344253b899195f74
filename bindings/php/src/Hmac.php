<?php

declare(strict_types=1);

namespace Signwire;

use FFI\CData;

/**
 * Raw HMAC for schemes signwire has no preset for: the same results as PHP's `hash_hmac()`,
 * with a constant-time check instead of `===`.
 *
 * ```php
 * $tag = Signwire\Hmac::sign('sha256', $secret, $message);            // == hash_hmac('sha256', $message, $secret)
 * $ok  = Signwire\Hmac::verify('sha256', $secret, $message, $received); // bool, constant time
 * ```
 */
final class Hmac
{
    /**
     * @param string $algorithm "sha1", "sha256" or "sha512"
     * @param string $encoding "hex" (lowercase) or "base64"
     */
    public static function sign(string $algorithm, string $secret, string $message, string $encoding = 'hex'): string
    {
        $ffi = Library::ffi();
        $alg = self::algorithm($algorithm);
        $enc = self::encoding($encoding);
        return Library::output(
            static fn (CData $out, int $cap, CData $written): int => $ffi->signwire_hmac_sign(
                $alg, $secret, strlen($secret), $message, strlen($message), $enc, $out, $cap, $written
            ),
            (int) $ffi->signwire_signature_max()
        );
    }

    /** True when `$signature` is the HMAC of `$message`; false for any mismatch, length or encoding. */
    public static function verify(string $algorithm, string $secret, string $message, string $signature, string $encoding = 'hex'): bool
    {
        $ffi = Library::ffi();
        $status = $ffi->signwire_hmac_verify(
            self::algorithm($algorithm), $secret, strlen($secret), $message, strlen($message),
            $signature, strlen($signature), self::encoding($encoding)
        );
        if ($status === $ffi->SIGNWIRE_ERR_BAD_SIGNATURE) {
            return false;
        }
        Library::check($status);
        return true;
    }

    private static function algorithm(string $name): int
    {
        $ffi = Library::ffi();
        return match (strtolower($name)) {
            'sha1' => $ffi->SIGNWIRE_HMAC_SHA1,
            'sha256' => $ffi->SIGNWIRE_HMAC_SHA256,
            'sha512' => $ffi->SIGNWIRE_HMAC_SHA512,
            default => throw Library::error('SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM',
                'algorithm must be sha1, sha256 or sha512, got ' . json_encode($name)),
        };
    }

    private static function encoding(string $name): int
    {
        $ffi = Library::ffi();
        return match (strtolower($name)) {
            'hex' => $ffi->SIGNWIRE_ENCODING_HEX,
            'base64' => $ffi->SIGNWIRE_ENCODING_BASE64,
            default => throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'encoding must be hex or base64, got ' . json_encode($name)),
        };
    }
}
