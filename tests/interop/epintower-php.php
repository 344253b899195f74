<?php
// Live interop between signwire's EpinTower signatures and PHP's own bcrypt (password_hash,
// password_verify, crypt) and sha1. Run by tests/suites/35-epintower-php.sh:
//   php epintower-php.php HEADER_FOR_PHP LIBSIGNWIRE SIGNWIRE_CLI
// bcrypt is salted, so nothing compares hash bytes: every hash is verified by the other side.
declare(strict_types=1);

[$_, $header, $lib, $cliPath] = $argv;
$ffi = FFI::cdef(file_get_contents($header), $lib);

$checks = 0;
$failures = 0;
function check(bool $ok, string $what): void {
    global $checks, $failures;
    $checks++;
    if (!$ok) { $failures++; fwrite(STDERR, "FAIL: $what\n"); }
}

function status_name(int $s): string {
    global $ffi;
    return (string) $ffi->signwire_status_name($s); // FFI returns const char * as a PHP string
}

// PHP's side of the scheme: sha1 applied $rounds times to the concatenation.
function php_input(array $fields, int $rounds): string {
    $x = implode('', $fields);
    for ($i = 0; $i < $rounds; $i++) { $x = sha1($x); }
    return $x;
}

// Fields as the C ABI takes them: const char *const *fields, const size_t *lens, count.
// Returns [ptrs, lens, n, keepalive].
function c_fields(array $fields): array {
    global $ffi;
    $n = count($fields);
    $ptrs = $ffi->new("const char *[" . max($n, 1) . "]");
    $lens = $ffi->new("size_t[" . max($n, 1) . "]");
    $keep = [];
    foreach (array_values($fields) as $i => $f) {
        $len = strlen($f);
        $buf = $ffi->new("char[" . max($len, 1) . "]");
        if ($len > 0) { FFI::memcpy($buf, $f, $len); }
        $keep[] = $buf;
        $ptrs[$i] = $ffi->cast("const char *", $buf);
        $lens[$i] = $len;
    }
    return [$ptrs, $lens, $n, $keep];
}

const DIRS = [1 => 'request', 2 => 'response'];

function ffi_sign(array $fields, int $rounds, int $cost = 0): array {
    global $ffi;
    [$p, $l, $n, $keep] = c_fields($fields);
    $cap = $ffi->signwire_bcrypt_hash_max();
    $out = $ffi->new("char[$cap]");
    $w = $ffi->new("size_t");
    $fn = "signwire_epintower_sign_" . DIRS[$rounds];
    $s = $ffi->$fn($p, $l, $n, $cost, $out, $cap, FFI::addr($w));
    return [status_name($s), $s === 0 ? FFI::string($out, $w->cdata) : null];
}

function ffi_verify(array $fields, int $rounds, string $sig): string {
    global $ffi;
    [$p, $l, $n, $keep] = c_fields($fields);
    if (isset(DIRS[$rounds])) {
        $fn = "signwire_epintower_verify_" . DIRS[$rounds];
        $s = $ffi->$fn($p, $l, $n, $sig, strlen($sig));
    } else {
        $s = $ffi->signwire_epintower_verify_rounds($rounds, $p, $l, $n, $sig, strlen($sig));
    }
    return status_name($s);
}

// The CLI, with one field (index $secretAt) passed through the environment.
function cli(string $cmd, array $fields, int $rounds, ?string $sig = null, int $secretAt = -1, array $extra = []): array {
    global $cliPath;
    $args = [$cliPath, 'epintower', $cmd];
    if ($rounds === 2) { $args[] = '--response'; }
    if ($sig !== null) { array_push($args, '--signature', $sig); }
    $args = array_merge($args, $extra);
    $env = getenv();
    foreach (array_values($fields) as $i => $f) {
        // proc_open leaves out environment variables whose value is empty, so an empty
        // field goes as an argument (random fields may be empty).
        if ($i === $secretAt && $f !== '') { $env['ET_SECRET_FIELD'] = $f; array_push($args, '--field-env', 'ET_SECRET_FIELD'); }
        else { array_push($args, '--field', $f); }
    }
    $p = proc_open($args, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    $out = trim(stream_get_contents($pipes[1]));
    $err = stream_get_contents($pipes[2]);
    $code = proc_close($p);
    return [$code, $out, $err];
}

function random_ascii(): string {
    $len = random_int(0, 40);
    $s = '';
    for ($i = 0; $i < $len; $i++) { $s .= chr(random_int(0x20, 0x7e)); }
    return $s;
}

function random_utf8(): string {
    static $pool = ['é', 'ß', 'Ж', 'щ', 'ع', '中', '文', '🙂', '€', 'ñ', 'a', 'Z', '7', ' ', '-', '_'];
    $len = random_int(1, 20);
    $s = '';
    for ($i = 0; $i < $len; $i++) { $s .= $pool[random_int(0, count($pool) - 1)]; }
    return $s;
}

function random_fields(callable $gen): array {
    $n = random_int(2, 6);
    $f = [];
    for ($i = 0; $i < $n; $i++) { $f[] = $gen(); }
    $f[random_int(0, $n - 1)] = bin2hex(random_bytes(16)); // a secretKey-like field somewhere
    return $f;
}

function mutate(array $fields): array {
    $i = random_int(0, count($fields) - 1);
    $f = $fields[$i];
    if ($f === '') { $fields[$i] = 'x'; return $fields; }
    $j = random_int(0, strlen($f) - 1);
    $f[$j] = chr(ord($f[$j]) ^ 0x01);
    $fields[$i] = $f;
    return $fields;
}

$spec = ['BA078F952DA3AA1B08141D22C69E11DA', 'b1db2d4759e706079016fe7825e7ae18', 'DF6649B8_9D57_53DF_2674_C768FE6DE0CB'];
$sets = ['spec example' => $spec];
for ($i = 0; $i < 3; $i++) { $sets["random ASCII #$i"] = random_fields('random_ascii'); }
for ($i = 0; $i < 3; $i++) { $sets["random UTF-8 #$i"] = random_fields('random_utf8'); }
$sets['random binary'] = [random_bytes(20), "\0\xff\x80", random_bytes(7)]; // C ABI only (argv cannot hold NUL)

foreach ($sets as $name => $fields) {
    $binary = $name === 'random binary';
    foreach (DIRS as $rounds => $dir) {
        $tag = "$name, $dir";
        $input = php_input($fields, $rounds);
        $wrong = php_input($fields, 3 - $rounds);

        // signwire (C ABI via PHP FFI) signs; PHP verifies.
        [$st, $h] = ffi_sign($fields, $rounds);
        check($st === 'SIGNWIRE_OK', "$tag: ffi sign status $st");
        $h ??= '';
        check(password_verify($input, $h), "$tag: PHP password_verify accepts signwire's C ABI hash");
        check(!password_verify($wrong, $h), "$tag: PHP rejects it with the wrong sha1 round count");
        $info = password_get_info($h);
        check($info['algoName'] === 'bcrypt' && ($info['options']['cost'] ?? 0) === 10 && str_starts_with($h, '$2y$'), "$tag: default is \$2y\$ cost 10 ($h)");

        // signwire (CLI, one field from the environment) signs; PHP verifies.
        if (!$binary) {
            [$code, $cliHash, $err] = cli('sign', $fields, $rounds, null, count($fields) - 1);
            check($code === 0, "$tag: CLI sign exit $code: $err");
            check(password_verify($input, $cliHash), "$tag: PHP password_verify accepts the CLI's hash");
            check(str_starts_with($cliHash, '$2y$10$'), "$tag: CLI default cost 10 ($cliHash)");
        }

        // PHP signs (password_hash, default cost 10); signwire verifies.
        $php = password_hash($input, PASSWORD_BCRYPT);
        check(str_starts_with($php, '$2y$10$'), "$tag: PHP's default is \$2y\$10\$");
        check(ffi_verify($fields, $rounds, $php) === 'SIGNWIRE_OK', "$tag: signwire verifies PHP's password_hash");
        check(ffi_verify($fields, 3 - $rounds, $php) === 'SIGNWIRE_ERR_BAD_SIGNATURE', "$tag: wrong round count fails");
        check(ffi_verify(mutate($fields), $rounds, $php) === 'SIGNWIRE_ERR_BAD_SIGNATURE', "$tag: a changed field fails");
        $swapped = array_reverse($fields);
        if (implode('', $swapped) !== implode('', $fields)) {
            check(ffi_verify($swapped, $rounds, $php) === 'SIGNWIRE_ERR_BAD_SIGNATURE', "$tag: changed order fails");
        }
        if (!$binary) {
            [$code, $out] = cli('verify', $fields, $rounds, $php, 0);
            check($code === 0 && $out === 'ok', "$tag: CLI verifies PHP's hash (exit $code, $out)");
            [$code, $out] = cli('verify', mutate($fields), $rounds, $php);
            check($code === 1 && $out === 'SIGNWIRE_ERR_BAD_SIGNATURE', "$tag: CLI rejects a changed field (exit $code, $out)");
            [$code, $out] = cli('verify', $fields, 3 - $rounds, $php);
            check($code === 1, "$tag: CLI rejects the wrong round count (exit $code)");
        }
    }
}

// Cost 12 (other libraries' default) from PHP verifies; signwire signs at 12 when asked.
foreach ([$spec, $sets['random UTF-8 #0']] as $k => $fields) {
    foreach (DIRS as $rounds => $dir) {
        $php12 = password_hash(php_input($fields, $rounds), PASSWORD_BCRYPT, ['cost' => 12]);
        check(ffi_verify($fields, $rounds, $php12) === 'SIGNWIRE_OK', "cost 12 #$k $dir: signwire verifies PHP's cost-12 hash");
    }
}
[$st, $h12] = ffi_sign($spec, 1, 12);
check($st === 'SIGNWIRE_OK' && str_starts_with($h12 ?? '', '$2y$12$') && password_verify(php_input($spec, 1), $h12), "signwire cost 12 hash verifies in PHP");
[$code, $h11] = cli('sign', $spec, 1, null, 1, ['--cost', '11']);
check($code === 0 && str_starts_with($h11, '$2y$11$') && password_verify(php_input($spec, 1), $h11), "CLI --cost 11 verifies in PHP");

// $2a$ / $2b$ from PHP's crypt() verify; $2x$ is refused.
$salt = substr(password_hash('x', PASSWORD_BCRYPT, ['cost' => 4]), 7, 22);
$req = php_input($spec, 1);
check(ffi_verify($spec, 1, crypt($req, '$2a$05$' . $salt)) === 'SIGNWIRE_OK', "PHP crypt \$2a\$ verifies");
check(ffi_verify($spec, 1, crypt($req, '$2b$05$' . $salt)) === 'SIGNWIRE_OK', "PHP crypt \$2b\$ verifies");
check(ffi_verify($spec, 1, crypt($req, '$2x$05$' . $salt)) === 'SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM', "PHP crypt \$2x\$ is refused");
check(ffi_verify($spec, 1, substr($php, 0, 40)) === 'SIGNWIRE_ERR_MALFORMED_HEADER', "a malformed hash is MALFORMED_HEADER");

// The spec's sample as literally written bcrypts an undefined variable, i.e. "": it must not verify.
check(ffi_verify($spec, 1, password_hash('', PASSWORD_BCRYPT, ['cost' => 4])) === 'SIGNWIRE_ERR_BAD_SIGNATURE', "the literal spec sample (empty password) does not verify");

// Raw bytes (0 sha1 rounds): exactly 72 bytes agrees with PHP both ways; 73 is refused
// where PHP 8.2 silently ignores the 73rd byte.
$raw72 = [str_repeat('k', 40), random_ascii() . str_repeat('v', 72)];
$raw72[1] = substr($raw72[1], 0, 32);
$php72 = password_hash(implode('', $raw72), PASSWORD_BCRYPT, ['cost' => 4]);
check(ffi_verify($raw72, 0, $php72) === 'SIGNWIRE_OK', "72 raw bytes: signwire verifies PHP's hash");
[$p, $l, $n, $keep] = c_fields($raw72);
$out = $ffi->new("char[61]");
$w = $ffi->new("size_t");
$s = $ffi->signwire_epintower_sign_rounds(0, $p, $l, $n, 4, $out, 61, FFI::addr($w));
check($s === 0 && password_verify(implode('', $raw72), FFI::string($out, $w->cdata)), "72 raw bytes: PHP verifies signwire's hash");
$raw73 = [implode('', $raw72), 'Z'];
$php73 = password_hash(implode('', $raw73), PASSWORD_BCRYPT, ['cost' => 4]);
check(password_verify(implode('', $raw72), $php73), "PHP itself truncates at 72 bytes (the reason signwire refuses)");
check(ffi_verify($raw73, 0, $php73) === 'SIGNWIRE_ERR_INPUT_TOO_LARGE', "73 raw bytes are refused, not truncated");

// A generic bcrypt scheme from a JSON document, through the scheme handle.
$doc = '{"name":"acme","fields":["merchant","secret","order"],"request_sha1_rounds":1,"response_sha1_rounds":2,"cost":4}';
$sp = $ffi->new("signwire_bcrypt_scheme *");
check($ffi->signwire_bcrypt_scheme_new($doc, FFI::addr($sp)) === 0, "scheme document loads");
$acme = ['M-1', bin2hex(random_bytes(8)), 'O-' . random_int(1, 99999)];
[$p, $l, $n, $keep] = c_fields($acme);
$s = $ffi->signwire_bcrypt_scheme_sign_request($sp, $p, $l, $n, 0, $out, 61, FFI::addr($w));
$acmeHash = FFI::string($out, $w->cdata);
check($s === 0 && str_starts_with($acmeHash, '$2y$04$') && password_verify(sha1(implode('', $acme)), $acmeHash), "generic scheme: PHP verifies its request hash");
$phpAcme = password_hash(sha1(sha1(implode('', $acme))), PASSWORD_BCRYPT, ['cost' => 4]);
check($ffi->signwire_bcrypt_scheme_verify_response($sp, $p, $l, $n, $phpAcme, strlen($phpAcme)) === 0, "generic scheme: signwire verifies PHP's response hash");
[$p2, $l2, $n2, $keep2] = c_fields(array_slice($acme, 0, 2));
check(status_name($ffi->signwire_bcrypt_scheme_verify_response($sp, $p2, $l2, $n2, $phpAcme, strlen($phpAcme))) === 'SIGNWIRE_ERR_INVALID_ARGUMENT', "generic scheme: a missing field is a clear error");
$ffi->signwire_bcrypt_scheme_free($sp);

echo "epintower-php: $checks checks, $failures failed\n";
exit($failures === 0 ? 0 : 1);
