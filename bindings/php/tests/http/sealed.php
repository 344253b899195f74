<?php

// Encrypt-then-sign, server side, the legacy-script way: verify the signed request, then open
// its sealed body. Answers "ok KEY_ID sha256(plaintext)" or a generic 401.

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

$verifier = new Signwire\Verifier('hopnow', keys: [getenv('SIGNWIRE_TEST_KEY_ID') => getenv('SIGNWIRE_TEST_SECRET')],
    nonceStore: getenv('SIGNWIRE_TEST_NONCE_STORE') ?: null);
$keys = new Signwire\OpeningKeys(shared: ['k-aes' => (string) hex2bin((string) getenv('SIGNWIRE_TEST_SEAL_KEY'))]);
try {
    [$keyId, $body] = $verifier->verifyGlobalsAndOpen($keys);
} catch (Signwire\VerificationException $e) {
    $id = $_SERVER['HTTP_X_TEST_ID'] ?? '-';
    file_put_contents((string) getenv('SIGNWIRE_TEST_LOG'), "$id {$e->getStatusName()} {$e->getMessage()}\n", FILE_APPEND | LOCK_EX);
    http_response_code(401);
    exit("authentication failed\n");
}
header('Content-Type: text/plain');
echo "ok $keyId " . hash('sha256', $body) . "\n";
