//! Tokens sealed by jwcrypto (an independent JOSE implementation, tests/seal/gen_vectors.py)
//! open in signwire to exactly the plaintext jwcrypto sealed; the ones signwire must refuse
//! get exactly the expected status. Live interop both ways runs in suite 45-seal.

use serde_json::Value;
use signwire::seal::{OpeningKeys, RsaPrivateKey, SharedKey};

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/seal")
}

#[test]
fn jwcrypto_tokens_open_or_are_refused_as_recorded() {
    let doc: Value = serde_json::from_slice(&std::fs::read(dir().join("jose-vectors.json")).unwrap()).unwrap();
    let keys = OpeningKeys::new();
    let aes = hex::decode(doc["keys"]["aes-1"]["aes_hex"].as_str().unwrap()).unwrap();
    keys.add_shared("aes-1", SharedKey::new(&aes).unwrap()).unwrap();
    let pem = std::fs::read(dir().join(doc["keys"]["rsa-1"]["rsa_private_pem"].as_str().unwrap())).unwrap();
    keys.add_rsa("rsa-1", RsaPrivateKey::parse(&pem).unwrap()).unwrap();

    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let (mut ok, mut refused) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let result = keys.open(token);
        match case["expect"].as_str().unwrap() {
            "ok" => {
                let want = hex::decode(case["plaintext_hex"].as_str().unwrap()).unwrap();
                assert_eq!(&result.unwrap_or_else(|e| panic!("{name}: {e}"))[..], &want[..], "{name}");
                ok += 1;
            }
            status => {
                let e = result.err().unwrap_or_else(|| panic!("{name}: opened but must be refused"));
                assert_eq!(e.status().name(), status, "{name}: {e}");
                refused += 1;
            }
        }
    }
    assert!(ok >= 7 && refused >= 10, "{ok} opened, {refused} refused");
}
