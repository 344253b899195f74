<?php
// Generates tests/vectors/epintower.json with PHP's own sha1, password_hash and crypt, so
// that the expected values come from PHP, not from signwire. Run from the repository root:
//   php tests/vectors/gen-epintower.php > tests/vectors/epintower.json
// bcrypt is salted: each run writes different hashes, all equally valid.

function chain(array $fields, int $rounds): array {
    $data = implode('', $fields);
    $out = [];
    $x = $data;
    for ($i = 0; $i < $rounds; $i++) { $x = sha1($x); $out[] = $x; }
    return [$data, $out, $x];
}

// A canonical 22-character bcrypt salt, taken from a fresh hash.
function salt(): string { return substr(password_hash('salt', PASSWORD_BCRYPT, ['cost' => 4]), 7, 22); }

$spec = ['BA078F952DA3AA1B08141D22C69E11DA', 'b1db2d4759e706079016fe7825e7ae18', 'DF6649B8_9D57_53DF_2674_C768FE6DE0CB'];
$utf8 = ['Ünïcødé-客户', 'секрет🙂', "tab\tand spaces", ''];

$cases = [];
$add = function (string $name, array $fields, int $rounds, string $hash, string $expect, string $note) use (&$cases) {
    [$data, $sha1, ] = chain($fields, $rounds);
    $cases[] = ['name' => $name, 'note' => $note, 'fields' => $fields, 'data' => $data, 'sha1_rounds' => $rounds,
                'sha1' => $sha1, 'signature' => $hash, 'expect' => $expect];
};

// Signatures made exactly as the EpinTower spec intends.
[, , $req] = chain($spec, 1);
[, , $resp] = chain($spec, 2);
$specReq10 = password_hash($req, PASSWORD_BCRYPT);
$specResp10 = password_hash($resp, PASSWORD_BCRYPT);
$add('spec request, cost 10', $spec, 1, $specReq10, 'ok', 'password_hash(sha1($clientId.$secretKey.$transactionId), PASSWORD_BCRYPT)');
$add('spec response, cost 10', $spec, 2, $specResp10, 'ok', 'password_verify(sha1($shaHash), $responseHash) with $shaHash = sha1($data)');
$add('spec request, cost 12', $spec, 1, password_hash($req, PASSWORD_BCRYPT, ['cost' => 12]), 'ok', 'another library\'s default cost');
$add('spec response, cost 12', $spec, 2, password_hash($resp, PASSWORD_BCRYPT, ['cost' => 12]), 'ok', '');
$add('spec request, $2a$ cost 4', $spec, 1, crypt($req, '$2a$04$' . salt()), 'ok', 'crypt() with a $2a$ salt');
$add('spec request, $2b$ cost 5', $spec, 1, crypt($req, '$2b$05$' . salt()), 'ok', 'crypt() with a $2b$ salt');
[, , $u] = chain($utf8, 1);
$add('UTF-8 fields, request', $utf8, 1, password_hash($u, PASSWORD_BCRYPT, ['cost' => 4]), 'ok', 'multi-byte and empty fields');
[, , $u2] = chain($utf8, 2);
$add('UTF-8 fields, response', $utf8, 2, password_hash($u2, PASSWORD_BCRYPT, ['cost' => 4]), 'ok', '');
$raw72 = [str_repeat('A', 40), str_repeat('b', 32)];
$add('72 raw bytes, 0 rounds', $raw72, 0, password_hash(implode('', $raw72), PASSWORD_BCRYPT, ['cost' => 4]), 'ok',
     'bcrypt reads 72 bytes; PHP accepts exactly 72');

// Mismatches: each must fail.
$add('changed field', ['BA078F952DA3AA1B08141D22C69E11DA', 'b1db2d4759e706079016fe7825e7ae18', 'DF6649B8_9D57_53DF_2674_C768FE6DE0CC'], 1, $specReq10, 'SIGNWIRE_ERR_BAD_SIGNATURE', 'last character of transactionId changed');
$add('changed order', [$spec[1], $spec[0], $spec[2]], 1, $specReq10, 'SIGNWIRE_ERR_BAD_SIGNATURE', 'clientId and secretKey swapped');
$add('request signature checked as response', $spec, 2, $specReq10, 'SIGNWIRE_ERR_BAD_SIGNATURE', 'wrong round count');
$add('response signature checked as request', $spec, 1, $specResp10, 'SIGNWIRE_ERR_BAD_SIGNATURE', 'wrong round count');
$add('spec sample as written (empty password)', $spec, 1, password_hash('', PASSWORD_BCRYPT, ['cost' => 4]), 'SIGNWIRE_ERR_BAD_SIGNATURE',
     'the spec bcrypts the undefined $shaEncryptedHash, i.e. ""');
$add('fields run together differently', ['BA078F952DA3AA1B08141D22C69E11DAb1db', '2d4759e706079016fe7825e7ae18DF6649B8_9D57_53DF_2674_C768FE6DE0CB'], 1, $specReq10, 'ok',
     'no separators: only the concatenation counts');

// Hashes that must be refused without hashing.
$x = crypt($req, '$2x$04$' . salt());
$add('$2x$ hash', $spec, 1, $x, 'SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM', 'crypt() with a $2x$ salt: refused, meaning differs between implementations');
$add('truncated hash', $spec, 1, substr($specReq10, 0, 59), 'SIGNWIRE_ERR_MALFORMED_HEADER', '');
$add('cost 3', $spec, 1, '$2y$03$' . substr($specReq10, 7), 'SIGNWIRE_ERR_MALFORMED_HEADER', '');
$add('cost 32', $spec, 1, '$2y$32$' . substr($specReq10, 7), 'SIGNWIRE_ERR_MALFORMED_HEADER', '');
$add('$2$ prefix', $spec, 1, '$2$10$' . substr($specReq10, 7) . 'x', 'SIGNWIRE_ERR_MALFORMED_HEADER', '');
$add('not bcrypt', $spec, 1, sha1('x') . sha1('y'), 'SIGNWIRE_ERR_MALFORMED_HEADER', '80 hex characters');

echo json_encode([
    'description' => 'EpinTower bcrypt(sha1(fields)) vectors made by PHP ' . PHP_VERSION .
        ' (sha1, password_hash, crypt). signature is checked against fields with sha1_rounds; ' .
        'expect is "ok" or the status name. data and sha1 are the intermediates PHP computed.',
    'generator' => 'tests/vectors/gen-epintower.php',
    'cases' => $cases,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
