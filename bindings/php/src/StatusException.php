<?php

declare(strict_types=1);

namespace Signwire;

/**
 * A failure the library reported with a status code: `getCode()` is the C status
 * (`SIGNWIRE_ERR_*`), `getStatusName()` its name, `getMessage()` the detail for the server's
 * log (never a secret or an expected signature, but not meant for the client either).
 *
 * Each status has its own subclass, named after it (`SIGNWIRE_ERR_BAD_SIGNATURE` is
 * {@see BadSignatureException}); those an untrusted request can cause extend
 * {@see VerificationException}, mistakes in the caller's arguments extend {@see UsageException}.
 *
 * ```php
 * try { new Signwire\Signer('hopnow', keyId: 'k1', secret: ''); }
 * catch (Signwire\StatusException $e) { echo $e->getStatusName(); } // SIGNWIRE_ERR_WEAK_KEY or _INVALID_ARGUMENT
 * ```
 */
class StatusException extends \RuntimeException implements SignwireException
{
    private string $statusName = '';

    /**
     * The exception for a status: the subclass named after it, or this class for a status
     * newer than the binding.
     *
     * @internal
     */
    public static function create(string $statusName, int $code, string $message): self
    {
        $class = __NAMESPACE__ . '\\' . str_replace(' ', '', ucwords(strtolower(str_replace('_', ' ',
            (string) preg_replace('/^SIGNWIRE_ERR_/', '', $statusName))))) . 'Exception';
        $e = class_exists($class) && is_subclass_of($class, self::class) ? new $class($message, $code) : new self($message, $code);
        $e->statusName = $statusName;
        return $e;
    }

    /** The C status name, e.g. "SIGNWIRE_ERR_BAD_SIGNATURE". */
    public function getStatusName(): string
    {
        return $this->statusName;
    }
}
