// bcrypt hash strings from the network (EpinTower signatures) and bcrypt scheme documents:
// parse_hash accepts exactly `$2[aby]$NN$` + 53 bcrypt-base64 characters with NN in 4..31
// (`$2x$` is UNSUPPORTED_ALGORITHM); verification never panics and refuses what it must;
// a signature made here verifies, and after any one-byte change it never does (except
// another spelling of the same variant, `$2a$`/`$2b$`/`$2y$`). Costs are kept at 4 so the
// fuzzer is not measuring bcrypt.
use arbitrary::Arbitrary;
use signwire::scheme::bcrypt::{parse_hash, verify_password, BcryptScheme, Direction, Prefix};
use signwire::Status;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
pub struct Input<'a> {
    hash: &'a [u8],
    password: &'a [u8],
    document: &'a str,
    fields: Vec<&'a [u8]>,
    response: bool,
    flip_at: u8,
    flip_to: u8,
}

fn grammar(h: &[u8]) -> bool {
    h.len() == 60
        && h[0] == b'$'
        && h[1] == b'2'
        && matches!(h[2], b'a' | b'b' | b'y')
        && h[3] == b'$'
        && h[4].is_ascii_digit()
        && h[5].is_ascii_digit()
        && (4..=31).contains(&((h[4] - b'0') as u32 * 10 + (h[5] - b'0') as u32))
        && h[6] == b'$'
        && h[7..].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
}

fn scheme() -> &'static BcryptScheme {
    static S: OnceLock<BcryptScheme> = OnceLock::new();
    // Distinct rounds per direction, as EpinTower has: response_sha1_rounds defaults to
    // request_sha1_rounds, and then both directions sign alike: the first version of this
    // target crashed on its first seed (php-cost4) for that reason; tests/fuzz_regressions.rs.
    S.get_or_init(|| {
        BcryptScheme::from_json(r#"{"name":"fuzz","request_sha1_rounds":1,"response_sha1_rounds":2,"cost":4,"max_verify_cost":4}"#)
            .unwrap()
    })
}

/// The target's invariants on one input: panics when one is violated.
pub fn check(i: Input) {
    match parse_hash(i.hash) {
        Ok(info) => {
            assert!(grammar(i.hash), "accepted {:?}", String::from_utf8_lossy(i.hash));
            assert_eq!(info.prefix, Prefix::parse(std::str::from_utf8(&i.hash[1..3]).unwrap()).unwrap());
        }
        Err(e) => {
            assert!(!grammar(i.hash), "refused {:?}: {e:?}", String::from_utf8_lossy(i.hash));
            // A well-formed `$2x$` hash is UNSUPPORTED_ALGORITHM; a malformed 60-byte one may
            // be reported either way (regressions: tests/fuzz_regressions.rs).
            let x_any = i.hash.len() == 60 && i.hash.starts_with(b"$2x$");
            let x_well = x_any && grammar(&[b"$2a", &i.hash[3..]].concat());
            match e.status() {
                Status::UnsupportedAlgorithm => assert!(x_any, "{e:?}"),
                Status::MalformedHeader => assert!(!x_well, "{e:?}"),
                other => panic!("{other:?}: {e:?}"),
            }
        }
    }
    // Cheap hashes only: the cost digits decide the work.
    if i.hash.get(4..6) == Some(b"04") {
        if let Err(e) = verify_password(i.password, i.hash) {
            assert!(
                matches!(e.status(), Status::BadSignature | Status::MalformedHeader | Status::UnsupportedAlgorithm
                    | Status::InvalidArgument | Status::InputTooLarge),
                "{e:?}"
            );
        }
    }
    if let Ok(s) = BcryptScheme::from_json(i.document) {
        s.validate().expect("an accepted document validates");
        assert_eq!(BcryptScheme::from_json(&s.to_json()).expect("to_json reads back"), s);
    }

    let dir = if i.response { Direction::Response } else { Direction::Request };
    let s = scheme();
    let Ok(sig) = s.sign(dir, &i.fields) else { return };
    assert!(grammar(sig.as_bytes()));
    s.verify(dir, &i.fields, &sig).expect("own signature verifies");
    let other = if i.response { Direction::Request } else { Direction::Response };
    assert!(s.verify(other, &i.fields, &sig).is_err(), "a signature passed for the other direction");
    let mut altered = sig.into_bytes();
    let at = i.flip_at as usize % altered.len();
    if altered[at] != i.flip_to {
        altered[at] = i.flip_to;
        let same_variant = at == 2 && matches!(i.flip_to, b'a' | b'b' | b'y');
        let got = s.verify(dir, &i.fields, &altered);
        assert!(got.is_err() || same_variant, "altered signature verified (byte {at} -> {:#04x})", i.flip_to);
    }
}
