<?php

declare(strict_types=1);

namespace Signwire;

/**
 * The FFI extension or libsignwire is missing, refused, or of another ABI version. The message
 * says what was tried and what to change (php.ini lines, SIGNWIRE_LIB, a build command).
 *
 * ```php
 * try { Signwire\Library::ffi(); } catch (Signwire\LibraryException $e) { fwrite(STDERR, $e->getMessage()); }
 * ```
 */
final class LibraryException extends \RuntimeException implements SignwireException
{
}
