<?php

// verifyGlobals() behind a proxy with an IP allowlist: the proxy at 127.0.0.1 appends the true
// client to X-Forwarded-For; only 203.0.113.0/24 may call. A client header named
// X_Forwarded_For must not stand in for the proxy's (HttpTest::testUnderscoreHeaderCannotSpoofTheProxy).

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

$verifier = new Signwire\Verifier('hopnow', keys: [getenv('SIGNWIRE_TEST_KEY_ID') => getenv('SIGNWIRE_TEST_SECRET')],
    nonceStore: getenv('SIGNWIRE_TEST_NONCE_STORE') ?: null, allowedIps: ['203.0.113.0/24'], trustedProxies: ['127.0.0.1/32']);
try {
    $keyId = $verifier->verifyGlobals();
} catch (Signwire\VerificationException $e) {
    $id = $_SERVER['HTTP_X_TEST_ID'] ?? '-';
    file_put_contents((string) getenv('SIGNWIRE_TEST_LOG'), "$id {$e->getStatusName()} {$e->getMessage()}\n", FILE_APPEND | LOCK_EX);
    http_response_code(401);
    header('Content-Type: text/plain');
    exit("authentication failed\n");
}
header('Content-Type: text/plain');
echo "ok $keyId pid=" . getmypid() . "\n";
