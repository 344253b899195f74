<?php

// Run under valgrind by MemoryTest: every native handle the binding creates is freed exactly
// once (a double free is an invalid free, a missed one a definite leak), on success and error paths.

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

if (($argv[1] ?? '') === 'leak') {
    // Control: a handle nobody frees must be reported, or this check proves nothing.
    $ffi = Signwire\Library::ffi();
    $scheme = Signwire\Scheme::open('hopnow');
    unset($scheme);
    exit("leaked\n");
}

for ($i = 0; $i < 20; $i++) {
    $s = new Signwire\Signer('hopnow', keyId: 'k1', secret: 'secret-0123456789abcdef');
    $v = new Signwire\Verifier('hopnow', keys: ['k1' => ['old-secret-0123456', 'secret-0123456789abcdef']], maxAge: 60);
    $h = $s->sign('POST', 'https://a.example/x?y=1', body: "b\0dy");
    $v->verify('POST', 'https://a.example/x?y=1', $h, body: "b\0dy");
    try {
        $v->verify('POST', 'https://a.example/x?y=1', $h, body: "b\0dy");
    } catch (Signwire\NonceReplayedException) {
    }
    $v->retireSecret('k1', 'old-secret-0123456');
    $s->__destruct();
    unset($s, $v);
    Signwire\Hmac::sign('sha512', 'k', 'message', 'base64');
    Signwire\Scheme::canonicalPayload('hopnow', 'GET', 'https://a.example/', nonce: str_repeat('a', 32), timestamp: 1);
    $keys = new Signwire\OpeningKeys(shared: ['aes' => str_repeat('k', 32)]);
    $keys->open(Signwire\Recipient::shared('aes', str_repeat('k', 32))->seal('sealed'));
    unset($keys);
    $db = sys_get_temp_dir() . '/signwire-valgrind-' . getmypid() . '.db';
    $stored = new Signwire\Verifier('hopnow', keys: ['k1' => 'secret-0123456789abcdef'], nonceStore: "sqlite://$db",
        allowedIps: ['127.0.0.0/8'], trustedProxies: ['10.0.0.0/8']);
    $closure = new Signwire\Verifier('hopnow', keys: ['k1' => 'secret-0123456789abcdef'], nonceStore: fn (string $k, string $n, int $t): bool => true);
    $h = (new Signwire\Signer('hopnow', keyId: 'k1', secret: 'secret-0123456789abcdef'))->sign('GET', 'https://a.example/');
    $stored->verify('GET', 'https://a.example/', $h, remoteAddr: '127.0.0.1');
    $closure->verify('GET', 'https://a.example/', $h);
    unset($stored, $closure);
    @unlink($db);
    @unlink("$db-wal");
    @unlink("$db-shm");
    if ($i < 2) { // bcrypt is slow under valgrind; twice shows create/free pairs up
        $b = new Signwire\BcryptScheme('{"name":"m","cost":4}');
        $b->verifyResponse(['a', 'b'], $b->signResponse(['a', 'b']));
        unset($b);
        Signwire\EpinTower::verifyRequest(['a'], Signwire\EpinTower::signRequest(['a', 1], cost: 4));
    }
}
foreach ([fn () => new Signwire\Verifier('hopnow', keys: ['k1' => 'secret-0123456789', 'k2' => '']),
          fn () => new Signwire\Verifier('hopnow', maxAge: 0),
          fn () => new Signwire\Signer('hopnow', keyId: 'k1', secret: ''),
          fn () => new Signwire\Signer('nope', keyId: 'k1', secret: 'x'),
          fn () => new Signwire\OpeningKeys(shared: ['ok' => str_repeat('k', 32), 'weak' => 'short']),
          fn () => Signwire\Recipient::shared('k', 'short'),
          fn () => new Signwire\BcryptScheme('{"name":"x","cost":3}'),
          fn () => Signwire\EpinTower::signRequest(['a'], cost: 3)] as $failing) {
    try {
        $failing();
    } catch (Signwire\UsageException) {
    }
}
echo "done\n";
