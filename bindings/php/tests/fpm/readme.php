<?php

// README's PHP verifier, exactly as written there (no nonceStore), serving FastCGI requests in
// FpmTest::testReadmeVerifierRefusesReplaysAcrossWorkers.

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

header('X-Worker: ' . getmypid());
$verifier = new Signwire\Verifier('hopnow', keys: ['k1' => 'my api secret']);
try {
    echo $verifier->verifyGlobals(publicOrigin: 'https://api.example.com'), "\n";
} catch (Signwire\VerificationException $e) {
    http_response_code(401);
    echo 'refused: ', $e->getStatusName(), "\n";
}
