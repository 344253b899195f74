<?php
// The PHP side of the cross-language sealed-body round trip (tests/seal/roundtrip.sh), using
// the PHP binding (bindings/php).
//   php php_peer.php client PORT BODY   seal for the server's RSA key, sign, POST; exit 0 when
//                                       the answer is 200 and echoes BODY
//   php -S 127.0.0.1:PORT php_peer.php  as a router: verify, then open; 200 + plaintext or 401
// Environment: SEAL_RSA_PUBLIC / SEAL_RSA_PRIVATE (PEM files), HMAC_SECRET_FILE.
declare(strict_types=1);

require dirname(__DIR__, 2) . '/bindings/php/autoload.php';

$secret = rtrim((string) file_get_contents((string) getenv('HMAC_SECRET_FILE')), "\n");

if (PHP_SAPI === 'cli-server') {
    $verifier = new Signwire\Verifier('hopnow', keys: ['client-1' => $secret]);
    $keys = new Signwire\OpeningKeys(rsa: ['server-rsa' => (string) file_get_contents((string) getenv('SEAL_RSA_PRIVATE'))]);
    $url = 'http://' . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI'];
    try {
        [$keyId, $plain] = $keys->verifyAndOpen($verifier, $_SERVER['REQUEST_METHOD'], $url, getallheaders(), (string) file_get_contents('php://input'));
        error_log("php server: $keyId sent " . strlen($plain) . ' bytes');
        echo $plain;
    } catch (Signwire\StatusException $e) {
        error_log("php server: refused: {$e->getStatusName()}: {$e->getMessage()}");
        http_response_code(401);
        echo $e->getStatusName();
    }
    return;
}

[, $mode, $port, $body] = $argv + [null, null, null, null];
if ($mode !== 'client') {
    fwrite(STDERR, "usage: php php_peer.php client PORT BODY\n");
    exit(2);
}
$url = "http://127.0.0.1:$port/v1/pay";
$token = Signwire\Recipient::rsa('server-rsa', (string) file_get_contents((string) getenv('SEAL_RSA_PUBLIC')))->seal($body);
$headers = (new Signwire\Signer('hopnow', keyId: 'client-1', secret: $secret))->sign('POST', $url, body: $token);
if (str_contains($token, '4111')) {
    exit(1);
}
$lines = ['Content-Type: application/jose'];
foreach ($headers as $name => $value) {
    $lines[] = "$name: $value";
}
$ctx = stream_context_create(['http' => ['method' => 'POST', 'header' => implode("\r\n", $lines), 'content' => $token, 'ignore_errors' => true]]);
$answer = file_get_contents($url, false, $ctx);
$status = (int) explode(' ', $http_response_header[0] ?? 'HTTP/1.1 0')[1];
echo "php client: HTTP $status, answer: $answer\n";
exit($status === 200 && $answer === $body ? 0 : 1);
