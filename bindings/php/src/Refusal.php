<?php

declare(strict_types=1);

namespace Signwire;

use Psr\Log\LoggerInterface;

/**
 * What every server glue does with a refused request: the `WWW-Authenticate` challenge of
 * the 401, and one structured log record.
 *
 * @internal
 */
final class Refusal
{
    /**
     * The `WWW-Authenticate` value (RFC 9110 §11.6.1): the scheme to sign with, and for a
     * stale or future timestamp the server's clock (`server_time`, unix seconds, as Hawk
     * does). Nothing about any other check.
     */
    public static function challenge(string $scheme, string $realm, ?\Throwable $e): string
    {
        $value = sprintf('Signwire realm="%s", scheme="%s"', $realm, $scheme);
        if ($e instanceof TimestampTooOldException || $e instanceof TimestampInFutureException) {
            $value .= sprintf(', error="stale_timestamp", server_time="%d"', time());
        }
        return $value;
    }

    /** @throws InvalidArgumentException for a realm that cannot sit in a quoted string */
    public static function checkRealm(string $realm): string
    {
        if (preg_match('~["\\\\\r\n]~', $realm)) {
            throw Library::error('SIGNWIRE_ERR_INVALID_ARGUMENT', 'realm must not contain quotes, backslashes or line breaks');
        }
        return $realm;
    }

    /**
     * Log one record for a refused request: message plus context `status`, `code`, `key_id`
     * (as claimed), `client`, `scheme`, `method`, `url`, `diagnostic`. Never a secret or a
     * signature. `$log` is a PSR-3 logger, a callable `fn (VerificationException $e, array
     * $fields)`, or null for `error_log`.
     */
    public static function log(LoggerInterface|\Closure|null $log, VerificationException $e, string $scheme, string $method, string $url, ?string $client): void
    {
        $fields = [
            'status' => $e->getStatusName(),
            'code' => $e->getCode(),
            'key_id' => $e->getKeyId(),
            'client' => $client,
            'scheme' => $scheme,
            'method' => $method,
            'url' => $url,
            'diagnostic' => $e->getDiagnostic(),
        ];
        if ($log instanceof \Closure) {
            $log($e, $fields);
            return;
        }
        $message = sprintf('signwire: 401 for %s %s from %s key_id=%s: %s: %s%s', $method, $url, $client ?? '?',
            $fields['key_id'] ?? '-', $fields['status'], $e->getMessage(), $fields['diagnostic'] !== null ? ' diagnostic ' . $fields['diagnostic'] : '');
        if ($log === null) {
            error_log($message);
        } elseif ($e instanceof NonceStoreUnavailableException) {
            $log->error($message, $fields + ['exception' => $e]);
        } else {
            $log->warning($message, $fields);
        }
    }
}
