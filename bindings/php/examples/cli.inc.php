<?php

// Shared argument handling of examples/sign.php and examples/verify.php. Their options match
// the `signwire` CLI's, so a demo can swap one for the other.

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

/** @return array{0: array<string,string>, 1: list<string>} single options, repeated --header values */
function signwire_example_args(array $argv, array $takesValue, string $usage): array
{
    $single = [];
    $headers = [];
    for ($i = 1; $i < count($argv); $i += 2) {
        $name = str_starts_with($argv[$i], '--') ? substr($argv[$i], 2) : null;
        if ($name === 'help') {
            fwrite(STDOUT, $usage . "\n");
            exit(0);
        }
        if ($name === 'secret') {
            signwire_example_usage('--secret is not accepted: pass --secret-env VAR or --secret-file PATH', $usage);
        }
        if ($name === null || !in_array($name, $takesValue, true)) {
            signwire_example_usage('unknown argument ' . json_encode($argv[$i]), $usage);
        }
        if (!isset($argv[$i + 1])) {
            signwire_example_usage("--$name needs a value", $usage);
        }
        if ($name === 'header') {
            $headers[] = $argv[$i + 1];
        } elseif (isset($single[$name])) {
            signwire_example_usage("--$name given twice", $usage);
        } else {
            $single[$name] = $argv[$i + 1];
        }
    }
    return [$single, $headers];
}

function signwire_example_usage(string $message, string $usage): never
{
    fwrite(STDERR, "$message\n\n$usage\n");
    exit(2);
}

function signwire_example_need(array $args, string $name, string $usage): string
{
    return $args[$name] ?? signwire_example_usage("--$name is required", $usage);
}

function signwire_example_secret(array $args, string $usage): string
{
    if (isset($args['secret-env']) === isset($args['secret-file'])) {
        signwire_example_usage('give exactly one of --secret-env VAR or --secret-file PATH', $usage);
    }
    if (isset($args['secret-env'])) {
        $v = getenv($args['secret-env']);
        return $v === false ? signwire_example_usage("environment variable {$args['secret-env']} is not set", $usage) : $v;
    }
    $s = @file_get_contents($args['secret-file']);
    if ($s === false) {
        signwire_example_usage("cannot read --secret-file {$args['secret-file']}", $usage);
    }
    return preg_replace('/\r?\n$/', '', $s, 1);
}

function signwire_example_file(?string $path, string $what, string $usage): string
{
    if ($path === null) {
        return '';
    }
    $data = @file_get_contents($path === '-' ? 'php://stdin' : $path);
    return $data === false ? signwire_example_usage("cannot read $what $path", $usage) : $data;
}

function signwire_example_int(array $args, string $name, string $usage): ?int
{
    if (!isset($args[$name])) {
        return null;
    }
    if (!preg_match('/^(0|[1-9][0-9]{0,18})$/', $args[$name])) {
        signwire_example_usage("--$name must be unix seconds", $usage);
    }
    return (int) $args[$name];
}
