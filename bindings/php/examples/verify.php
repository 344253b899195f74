<?php

// Verify a request signed elsewhere (the signwire CLI, C, Python, ...). Prints "ok KEY_ID" and
// exits 0, or prints the status name and exits 1 (2 for usage or input errors).
//   signwire sign ... > headers.txt
//   SECRET=... php bindings/php/examples/verify.php --scheme hopnow --key-id k1 --secret-env SECRET \
//       --method POST --url https://api.example.com/v1/pay --body-file body.json --headers-file headers.txt

declare(strict_types=1);

require __DIR__ . '/cli.inc.php';

$usage = <<<'TXT'
usage: php verify.php --scheme S --key-id ID (--secret-env VAR | --secret-file PATH)
                      --method M --url URL (--header 'Name: value' ... | --headers-file PATH|-)
                      [--body-file PATH|-] [--now T] [--remote-addr IP] [--max-age S]
TXT;

[$args, $lines] = signwire_example_args(
    $argv,
    ['scheme', 'key-id', 'secret-env', 'secret-file', 'method', 'url', 'header', 'headers-file', 'body-file', 'now', 'remote-addr', 'max-age'],
    $usage
);
if (isset($args['headers-file'])) {
    if (($args['body-file'] ?? null) === '-' && $args['headers-file'] === '-') {
        signwire_example_usage('--body-file and --headers-file cannot both read stdin', $usage);
    }
    $lines = array_merge($lines, preg_split('/\r?\n/', signwire_example_file($args['headers-file'], '--headers-file', $usage), -1, PREG_SPLIT_NO_EMPTY));
}
$headers = [];
foreach ($lines as $line) {
    if (!str_contains($line, ':')) {
        signwire_example_usage('header ' . json_encode($line) . " is not 'Name: value'", $usage);
    }
    [$name, $value] = explode(':', $line, 2);
    $headers[trim($name)][] = trim($value, " \t");
}
try {
    $verifier = new Signwire\Verifier(
        signwire_example_need($args, 'scheme', $usage),
        keys: [signwire_example_need($args, 'key-id', $usage) => signwire_example_secret($args, $usage)],
        maxAge: signwire_example_int($args, 'max-age', $usage)
    );
    $keyId = $verifier->verify(
        signwire_example_need($args, 'method', $usage),
        signwire_example_need($args, 'url', $usage),
        $headers,
        body: signwire_example_file($args['body-file'] ?? null, '--body-file', $usage),
        remoteAddr: $args['remote-addr'] ?? null,
        now: signwire_example_int($args, 'now', $usage)
    );
} catch (Signwire\VerificationException $e) {
    echo $e->getStatusName(), "\n";
    fwrite(STDERR, "verify.php: {$e->getMessage()}\n");
    exit(1);
} catch (Signwire\StatusException $e) {
    echo $e->getStatusName(), "\n";
    fwrite(STDERR, "verify.php: {$e->getMessage()}\n");
    exit(2);
} catch (Signwire\LibraryException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(2);
}
echo "ok $keyId\n";
