//! Cases found by the fuzz targets (fuzz/fuzz_targets), pinned so `cargo test` sees them.
//! (The C ABI ones are in tests/c_abi_regressions.rs.)

use signwire::scheme::bcrypt::{BcryptScheme, Direction};
use signwire::Status;

/// EpinTower's request signature as PHP made it: password_hash(sha1(clientId.secretKey.
/// transactionId)) at cost 4 with the `$2a$` prefix (tests/vectors/epintower.json).
const FIELDS: [&str; 3] = ["BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18", "DF6649B8_9D57_53DF_2674_C768FE6DE0CB"];
const PHP_REQUEST: &str = "$2a$04$9SrX13ekFYIfJafzFiA3q.6eUevv5qNp1N/N4iXmAZQ5UBEoOK8IW";

/// Found by bcrypt_hash on its first seed: a scheme document without
/// `response_sha1_rounds` signs responses exactly as requests (the documented default), so a
/// request signature also passes as a response. Only distinct rounds keep the directions
/// apart, as EpinTower's 1 and 2 do.
#[test]
fn bcrypt_directions_differ_only_with_distinct_rounds() {
    let same = BcryptScheme::from_json(r#"{"name":"same","cost":4}"#).unwrap();
    assert_eq!(same.response_sha1_rounds, same.request_sha1_rounds);
    same.verify(Direction::Request, &FIELDS, PHP_REQUEST).unwrap();
    same.verify(Direction::Response, &FIELDS, PHP_REQUEST).unwrap();

    let distinct = BcryptScheme::from_json(r#"{"name":"distinct","request_sha1_rounds":1,"response_sha1_rounds":2,"cost":4}"#).unwrap();
    distinct.verify(Direction::Request, &FIELDS, PHP_REQUEST).unwrap();
    assert_eq!(distinct.verify(Direction::Response, &FIELDS, PHP_REQUEST).unwrap_err().status(), Status::BadSignature);
    let response = distinct.sign(Direction::Response, &FIELDS).unwrap();
    distinct.verify(Direction::Response, &FIELDS, &response).unwrap();
    assert_eq!(distinct.verify(Direction::Request, &FIELDS, &response).unwrap_err().status(), Status::BadSignature);
}

/// Found by bcrypt_hash: a 60-byte string starting `$2x$` whose cost is not two digits is a
/// malformed hash (MALFORMED_HEADER), not an unsupported variant; only a well-formed `$2x$`
/// hash is UNSUPPORTED_ALGORITHM. Either way nothing is hashed.
#[test]
fn two_x_prefix_is_unsupported_only_when_well_formed() {
    use signwire::scheme::bcrypt::parse_hash;
    let mut malformed = b"$2x$l8U".to_vec();
    malformed.resize(60, 0);
    assert_eq!(parse_hash(&malformed).unwrap_err().status(), Status::MalformedHeader);
    // PHP's crypt() made this $2x$ hash (tests/vectors/epintower.json, "$2x$ hash").
    let php_2x = b"$2x$04$Jib0b2pQ1uNnbEeVdcNJ8OGGnP4rGodpmYM5cnJ0bgGUob5ivPL6S";
    assert_eq!(parse_hash(php_2x).unwrap_err().status(), Status::UnsupportedAlgorithm);
}
