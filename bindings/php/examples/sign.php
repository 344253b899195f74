<?php

// Sign a request and print its authentication headers, one "Name: value" per line.
//   SECRET=... php bindings/php/examples/sign.php --scheme hopnow --key-id k1 --secret-env SECRET \
//       --method POST --url https://api.example.com/v1/pay --body-file body.json

declare(strict_types=1);

require __DIR__ . '/cli.inc.php';

$usage = <<<'TXT'
usage: php sign.php --scheme S --key-id ID (--secret-env VAR | --secret-file PATH)
                    --method M --url URL [--body-file PATH|-] [--timestamp T] [--nonce N]
TXT;

[$args] = signwire_example_args($argv, ['scheme', 'key-id', 'secret-env', 'secret-file', 'method', 'url', 'body-file', 'timestamp', 'nonce'], $usage);
try {
    $signer = new Signwire\Signer(
        signwire_example_need($args, 'scheme', $usage),
        keyId: signwire_example_need($args, 'key-id', $usage),
        secret: signwire_example_secret($args, $usage)
    );
    $headers = $signer->sign(
        signwire_example_need($args, 'method', $usage),
        signwire_example_need($args, 'url', $usage),
        body: signwire_example_file($args['body-file'] ?? null, '--body-file', $usage),
        timestamp: signwire_example_int($args, 'timestamp', $usage),
        nonce: $args['nonce'] ?? null
    );
} catch (Signwire\StatusException $e) {
    echo $e->getStatusName(), "\n";
    fwrite(STDERR, "sign.php: {$e->getMessage()}\n");
    exit(2);
} catch (Signwire\LibraryException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(2);
}
foreach ($headers as $name => $value) {
    echo "$name: $value\n";
}
