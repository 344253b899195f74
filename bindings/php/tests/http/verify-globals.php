<?php

// The legacy-script way: one file per endpoint, verifyGlobals() reads $_SERVER and php://input.
// Served by `php -S` (several workers) in HttpTest. Answers "ok KEY_ID pid=PID" or a generic 401;
// the reason goes to the log file the test reads (never to the client). behind-proxy.php sets
// $publicOrigin first, as a server behind a TLS terminator would.

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

$options = ['keys' => [getenv('SIGNWIRE_TEST_KEY_ID') => getenv('SIGNWIRE_TEST_SECRET')]];
$options['nonceStore'] = getenv('SIGNWIRE_TEST_NONCE_STORE') ?: null;
$verifier = new Signwire\Verifier('hopnow', ...$options);
try {
    $keyId = $verifier->verifyGlobals(publicOrigin: $publicOrigin ?? null);
} catch (Signwire\VerificationException $e) {
    $id = $_SERVER['HTTP_X_TEST_ID'] ?? '-';
    file_put_contents((string) getenv('SIGNWIRE_TEST_LOG'), "$id {$e->getStatusName()} {$e->getMessage()}\n", FILE_APPEND | LOCK_EX);
    http_response_code(401);
    header('Content-Type: text/plain');
    exit("authentication failed\n");
}
if (isset($_SERVER['HTTP_X_TEST_BARRIER'], $_SERVER['HTTP_X_TEST_BARRIER_COUNT'])) {
    // HttpTest's concurrency check: record this arrival, then answer only once COUNT requests
    // have arrived. A worker blocked here cannot take another request, so COUNT arrivals are
    // COUNT different workers serving at once: proved by the event, not by a sleep's timing.
    $barrier = $_SERVER['HTTP_X_TEST_BARRIER'];
    $count = (int) $_SERVER['HTTP_X_TEST_BARRIER_COUNT'];
    touch("$barrier/arrived-" . getmypid() . '-' . bin2hex(random_bytes(4)));
    $deadline = microtime(true) + 30;
    while (count(glob("$barrier/arrived-*")) < $count) {
        if (microtime(true) > $deadline) {
            http_response_code(504);
            exit("barrier: fewer than $count requests arrived together\n");
        }
        usleep(5_000);
    }
}
header('Content-Type: text/plain');
echo "ok $keyId pid=" . getmypid() . "\n";
