// Sealed-body tokens (JWE compact) from the network: OpeningKeys::open, open_query and the
// RSA key parsers on arbitrary bytes never panic; an arbitrary token never opens (nobody
// sealed it); a token sealed here opens to its plaintext, and after any one-byte change it
// never opens again.
use arbitrary::Arbitrary;
use signwire::seal::query::open_query;
use signwire::seal::{OpeningKeys, Recipient, RsaPrivateKey, RsaPublicKey, SharedKey};
use signwire::Status;
use std::sync::OnceLock;

const PRIVATE_PEM: &[u8] = include_bytes!("../../tests/vectors/seal/rsa2048-private.pem");

#[derive(Arbitrary, Debug)]
pub struct Input<'a> {
    token: &'a [u8],
    query: &'a str,
    key_bytes: &'a [u8],
    plaintext: &'a [u8],
    rsa: bool,
    flip_at: u32,
    flip_to: u8,
}

struct Keys {
    opening: OpeningKeys,
    shared: Recipient,
    rsa: Recipient,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let opening = OpeningKeys::new().with_max_token_len(1 << 20).unwrap();
        let shared = SharedKey::new(&[7u8; 32]).unwrap();
        opening.add_shared("s1", shared.clone()).unwrap();
        let private = RsaPrivateKey::parse(PRIVATE_PEM).unwrap();
        let rsa = Recipient::rsa("r1", private.public_key()).unwrap();
        opening.add_rsa("r1", private).unwrap();
        Keys { opening, shared: Recipient::shared("s1", shared).unwrap(), rsa }
    })
}

fn refusal(status: Status) -> bool {
    matches!(
        status,
        Status::MalformedToken | Status::UnsupportedAlgorithm | Status::UnknownKey | Status::DecryptionFailed | Status::InputTooLarge
    )
}

/// The target's invariants on one input: panics when one is violated.
pub fn check(i: Input) {
    let k = keys();
    match k.opening.open(i.token) {
        Ok(_) => panic!("an unsealed token opened"),
        Err(e) => assert!(refusal(e.status()), "{e:?}"),
    }
    if let Err(e) = open_query(i.query, "sealed", &k.opening) {
        assert!(refusal(e.status()) || matches!(e.status(), Status::InvalidArgument | Status::MissingHeader), "{e:?}");
    }
    let _ = RsaPublicKey::parse(i.key_bytes);
    let _ = RsaPrivateKey::parse(i.key_bytes);
    let _ = SharedKey::new(i.key_bytes);

    let to = if i.rsa { &k.rsa } else { &k.shared };
    let token = to.seal(i.plaintext).expect("sealing works");
    assert_eq!(token.len(), to.sealed_len(i.plaintext.len()).unwrap());
    assert_eq!(&k.opening.open(&token).expect("own token opens")[..], i.plaintext);
    let mut altered = token.into_bytes();
    let at = i.flip_at as usize % altered.len();
    if altered[at] != i.flip_to {
        altered[at] = i.flip_to;
        match k.opening.open(&altered) {
            Ok(p) => panic!("altered token opened (byte {at} -> {:#04x}): {:?}", i.flip_to, &p[..]),
            Err(e) => assert!(refusal(e.status()), "{e:?}"),
        }
    }
}
