<?php

declare(strict_types=1);

namespace Signwire;

use FFI;
use FFI\CData;

/**
 * Another bcrypt(sha1(fields)) API, described as data instead of code: a preset name
 * (`'epintower'`), a JSON document, or a path to one (format in the README).
 *
 * ```php
 * $acme = new Signwire\BcryptScheme('{"name":"acme","fields":["merchant","secret","order"],'
 *     . '"request_sha1_rounds":1,"response_sha1_rounds":2}');
 * $sig = $acme->signRequest([$merchant, $secret, $orderId]);           // cost from the document (10)
 * $ok  = $acme->verifyResponse([$merchant, $secret, $orderId], $_POST['SIGNATURE']);
 * ```
 *
 * A call with another number of fields than the document lists throws
 * {@see InvalidArgumentException} naming the expected fields.
 */
final class BcryptScheme
{
    private ?CData $handle = null;

    /** @throws StatusException an unknown preset, an invalid document, a `2x` prefix */
    public function __construct(string $scheme)
    {
        $ffi = Library::ffi();
        $out = $ffi->new('signwire_bcrypt_scheme*');
        Library::check($ffi->signwire_bcrypt_scheme_new(Library::text($scheme, 'scheme'), FFI::addr($out)));
        $this->handle = $out;
    }

    /** @param list<string|int> $fields @param int $cost 0: the document's cost */
    public function signRequest(array $fields, int $cost = 0): string
    {
        return EpinTower::signWith('signwire_bcrypt_scheme_sign_request', [$this->handle()], $fields, $cost);
    }

    /** @param list<string|int> $fields */
    public function verifyRequest(array $fields, string $signature): bool
    {
        return EpinTower::verifyWith('signwire_bcrypt_scheme_verify_request', [$this->handle()], $fields, $signature);
    }

    /** @param list<string|int> $fields @param int $cost 0: the document's cost */
    public function signResponse(array $fields, int $cost = 0): string
    {
        return EpinTower::signWith('signwire_bcrypt_scheme_sign_response', [$this->handle()], $fields, $cost);
    }

    /** @param list<string|int> $fields */
    public function verifyResponse(array $fields, string $signature): bool
    {
        return EpinTower::verifyWith('signwire_bcrypt_scheme_verify_response', [$this->handle()], $fields, $signature);
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->signwire_bcrypt_scheme_free($this->handle);
            $this->handle = null;
        }
    }

    /** A scheme owns a native handle: a copy would free it twice. */
    private function __clone()
    {
    }

    private function handle(): CData
    {
        return $this->handle ?? throw new \LogicException('Signwire\BcryptScheme: used after release');
    }
}
