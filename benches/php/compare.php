<?php
/*
 * signwire's PHP binding (FFI) vs HopNow written with PHP's own functions, interleaved.
 *
 * The reference is what the HopNow spec's PHP users write: time(), bin2hex(random_bytes(16)),
 * hash_hmac('sha256', $method . $url . $timestamp . $nonce . $body, $secret); verification
 * with the same checks as signwire's, hash_equals(), and an array of seen nonces. Both sides
 * are checked against each other before anything is timed.
 *
 * Method: R rounds; in each round both sides run a fixed number of calls, in alternating
 * order; the ratio is the median over rounds of (signwire time / reference time).
 *
 * Prints one JSON object per line (read by scripts/bench). Needs SIGNWIRE_LIB.
 * Usage: php benches/php/compare.php [--quick]
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';

const SECRET = 'a 32-byte secret for benchmarks!';
const URL = 'https://api.example.com/v1/payments?merchant=42';

// ---- the reference: HopNow by hand ----------------------------------------------------

/** @return array<string,string> */
function pure_sign(string $keyId, string $secret, string $method, string $url, string $body): array
{
    $timestamp = (string) time();
    $nonce = bin2hex(random_bytes(16));
    $signature = hash_hmac('sha256', $method . $url . $timestamp . $nonce . $body, $secret);
    return ['X-API-Key' => $keyId, 'X-Signature' => $signature, 'X-Timestamp' => $timestamp, 'X-Nonce' => $nonce];
}

final class PureVerifier
{
    /** @var array<string,int> */
    private array $seen = [];

    /** @param array<string,string> $keys */
    public function __construct(private array $keys, private int $maxAge = 300, private int $maxFutureSkew = 60)
    {
    }

    /** @param array<string,string> $headers */
    public function verify(string $method, string $url, array $headers, string $body): string
    {
        $keyId = $headers['X-API-Key'] ?? '';
        $signature = $headers['X-Signature'] ?? '';
        $timestamp = $headers['X-Timestamp'] ?? '';
        $nonce = $headers['X-Nonce'] ?? '';
        if ($keyId === '' || $signature === '' || $timestamp === '' || $nonce === '') {
            throw new RuntimeException('missing header');
        }
        if (!ctype_digit($timestamp) || strlen($nonce) !== 32 || !ctype_xdigit($nonce) || strlen($signature) !== 64) {
            throw new RuntimeException('malformed header');
        }
        $secret = $this->keys[$keyId] ?? null;
        if ($secret === null) {
            throw new RuntimeException('unknown key');
        }
        $now = time();
        $ts = (int) $timestamp;
        if ($ts < $now - $this->maxAge || $ts > $now + $this->maxFutureSkew) {
            throw new RuntimeException('timestamp out of window');
        }
        $expected = hash_hmac('sha256', $method . $url . $timestamp . $nonce . $body, $secret);
        if (!hash_equals($expected, strtolower($signature))) {
            throw new RuntimeException('bad signature');
        }
        $seenKey = $keyId . "\0" . $nonce;
        if (($this->seen[$seenKey] ?? 0) > $now) {
            throw new RuntimeException('replayed nonce');
        }
        $this->seen[$seenKey] = $now + $this->maxAge + $this->maxFutureSkew;
        return $keyId;
    }
}

// ---- timing ----------------------------------------------------------------------------

/** Nanoseconds of process CPU time (user + system): waiting for a core is not counted. */
function cpu_ns(): float
{
    $u = getrusage();
    return ($u['ru_utime.tv_sec'] + $u['ru_stime.tv_sec']) * 1e9 + ($u['ru_utime.tv_usec'] + $u['ru_stime.tv_usec']) * 1e3;
}

function timed(callable $fn, int $calls): float
{
    $t0 = cpu_ns();
    for ($i = 0; $i < $calls; $i++) {
        $fn($i);
    }
    return (cpu_ns() - $t0) / $calls;
}

function calibrate(callable $fn, float $blockNs): int
{
    for ($calls = 1; ; $calls *= 4) {
        $t = timed($fn, $calls) * $calls;
        if ($t > $blockNs / 8 || $calls > (1 << 20)) {
            return max(1, (int) ($calls * $blockNs / max($t, 1.0)));
        }
    }
}

function median(array $v): float
{
    sort($v);
    $n = count($v);
    return $n % 2 ? $v[intdiv($n, 2)] : ($v[$n / 2 - 1] + $v[$n / 2]) / 2;
}

function emit(array $row): void
{
    echo json_encode($row, JSON_UNESCAPED_SLASHES), "\n";
}

/**
 * @param callable(int):mixed $sw
 * @param callable(int):mixed $ref
 * @param null|callable(int):void $prepare untimed, before each block (fresh nonces)
 */
function compare(string $row, string $size, int $bytes, callable $sw, callable $ref, int $rounds, float $blockNs, ?callable $prepare = null, string $alg = 'hmac-sha256', int $fixedCalls = 0): void
{
    if ($fixedCalls > 0) {
        $callsSw = $callsRef = $fixedCalls;
    } elseif ($prepare) {
        $fixed = static function (callable $fn) use ($prepare, $blockNs): int {
            $prepare(64);
            return max(1, min(4096, (int) ($blockNs / max(timed($fn, 64), 1.0))));
        };
        $callsSw = $fixed($sw);
        $callsRef = $fixed($ref);
    } else {
        $callsSw = calibrate($sw, $blockNs);
        $callsRef = calibrate($ref, $blockNs);
    }
    $swT = $refT = $ratio = [];
    for ($r = 0; $r < $rounds; $r++) {
        if ($prepare) {
            $prepare(max($callsSw, $callsRef));
        }
        if ($r % 2 === 0) {
            $a = timed($sw, $callsSw);
            $b = timed($ref, $callsRef);
        } else {
            $b = timed($ref, $callsRef);
            $a = timed($sw, $callsSw);
        }
        $swT[] = $a;
        $refT[] = $b;
        $ratio[] = $a / $b;
    }
    emit([
        'group' => 'php', 'row' => $row, 'alg' => $alg, 'size' => $size, 'bytes' => $bytes,
        'signwire_ns' => round(median($swT), 1), 'reference_ns' => round(median($refT), 1),
        'ratio' => round(median($ratio), 4), 'rounds' => $rounds,
    ]);
}

/**
 * EpinTower (bcrypt(sha1(fields)), cost 10) vs the spec's PHP: password_hash(sha1(...)) and
 * password_verify. One call takes tens of milliseconds, so blocks are a few calls each.
 */
function epintower(int $rounds): void
{
    $fields = ['merchant-42', 'order-1001', '100.00', 'EUR', '1700000000'];
    $data = implode('', $fields);
    $hash = Signwire\EpinTower::signRequest($fields);
    if (!password_verify(sha1($data), $hash) || !Signwire\EpinTower::verifyRequest($fields, password_hash(sha1($data), PASSWORD_BCRYPT, ['cost' => 10]))) {
        fwrite(STDERR, "compare.php: EpinTower and password_hash disagree\n");
        exit(2);
    }
    $blockNs = 0.0; // fixed call counts below: calibration would cost more than the rows
    compare('epintower_sign', 'cost10', strlen($data),
        static fn (int $i) => Signwire\EpinTower::signRequest($fields),
        static fn (int $i) => password_hash(sha1($data), PASSWORD_BCRYPT, ['cost' => 10]),
        $rounds, $blockNs, null, 'bcrypt-sha1', 2);
    compare('epintower_verify', 'cost10', strlen($data),
        static fn (int $i) => Signwire\EpinTower::verifyRequest($fields, $hash),
        static fn (int $i) => password_verify(sha1($data), $hash),
        $rounds, $blockNs, null, 'bcrypt-sha1', 2);
}

function main(array $argv): void
{
    $quick = in_array('--quick', $argv, true);
    [$rounds, $blockNs] = $quick ? [5, 10e6] : [11, 50e6];
    emit(['group' => 'meta', 'php' => PHP_VERSION, 'signwire' => Signwire\Library::version()]);
    $signer = new Signwire\Signer('hopnow', keyId: 'k1', secret: SECRET);

    foreach ([[1024, '1KiB'], [65536, '64KiB']] as [$bytes, $label]) {
        $body = '';
        for ($i = 0; $i < $bytes; $i++) {
            $body .= chr(($i * 131 + 7) & 0xFF);
        }
        // Cross-check both ways before timing.
        $refHeaders = pure_sign('k1', SECRET, 'POST', URL, $body);
        $swHeaders = $signer->sign('POST', URL, $body);
        $v = new Signwire\Verifier('hopnow', keys: ['k1' => SECRET]);
        if ($v->verify('POST', URL, $refHeaders, $body) !== 'k1'
            || (new PureVerifier(['k1' => SECRET]))->verify('POST', URL, $swHeaders, $body) !== 'k1'
            || array_keys($swHeaders) !== array_keys($refHeaders)) {
            fwrite(STDERR, "compare.php: signwire and the reference disagree\n");
            exit(2);
        }

        compare('sign', $label, $bytes,
            static fn (int $i) => $signer->sign('POST', URL, $body),
            static fn (int $i) => pure_sign('k1', SECRET, 'POST', URL, $body),
            $rounds, $blockNs);

        $verifier = new Signwire\Verifier('hopnow', keys: ['k1' => SECRET]);
        $pure = new PureVerifier(['k1' => SECRET]);
        $supply = ['sw' => [], 'ref' => []];
        $prepare = static function (int $n) use (&$supply, $signer, $body): void {
            $supply = ['sw' => [], 'ref' => []];
            for ($i = 0; $i < $n; $i++) {
                $supply['sw'][] = $signer->sign('POST', URL, $body);
                $supply['ref'][] = $signer->sign('POST', URL, $body);
            }
        };
        compare('verify', $label, $bytes,
            static function (int $i) use ($verifier, &$supply, $body) {
                return $verifier->verify('POST', URL, $supply['sw'][$i], $body);
            },
            static function (int $i) use ($pure, &$supply, $body) {
                return $pure->verify('POST', URL, $supply['ref'][$i], $body);
            },
            $rounds, $blockNs, $prepare);
    }

    if (class_exists(Signwire\EpinTower::class)) {
        epintower($quick ? 3 : 7);
    } else {
        emit(['group' => 'php', 'row' => 'epintower_sign', 'skipped' => 'this build has no EpinTower']);
    }
}

main($argv);
