<?php

// The endpoint PHP-FPM serves in FpmTest: behind a TLS terminator, so the public origin is given.

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

header('X-Worker: ' . getmypid());
try {
    // FpmTest's replay test gives every worker the same SQLite nonce store.
    $store = getenv('SIGNWIRE_TEST_NONCE_STORE');
    $verifier = new Signwire\Verifier('hopnow', keys: [getenv('SIGNWIRE_TEST_KEY_ID') => getenv('SIGNWIRE_TEST_SECRET')],
        nonceStore: $store === false ? null : $store);
    $keyId = $verifier->verifyGlobals(publicOrigin: 'https://api.example.com');
} catch (Signwire\VerificationException $e) {
    error_log("signwire: {$e->getStatusName()}: {$e->getMessage()}");
    http_response_code(401);
    exit("authentication failed\n");
} catch (Signwire\LibraryException $e) {
    http_response_code(500);
    exit($e->getMessage() . "\n");
}
echo "ok $keyId via=" . Signwire\Library::loadedVia() . ' sapi=' . PHP_SAPI . "\n";
