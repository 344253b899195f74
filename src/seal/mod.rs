//! Sealed (encrypted) request bodies: JWE compact serialization (RFC 7516 / RFC 7518).
//!
//! signwire invents no format: a sealed body is a standard JWE, so a counterparty without
//! signwire opens and writes it with any JOSE library (jwcrypto, joserfc, jose4j, node-jose,
//! web-token/jwt-framework). Two algorithms, nothing else:
//!
//! | `alg` | `enc` | key |
//! |---|---|---|
//! | `dir` | `A256GCM` | a shared 256-bit key ([`SharedKey`]) |
//! | `RSA-OAEP-256` | `A256GCM` | the recipient's RSA key, 2048 bits or more ([`RsaPublicKey`] / [`RsaPrivateKey`]) |
//!
//! The protected header carries `alg`, `enc` and `kid`; the receiver picks its key by `kid`,
//! and the header, base64url as transmitted, is the AES-GCM additional authenticated data,
//! so changing any byte of any part makes opening fail. Opening releases no plaintext unless
//! the whole token authenticates.
//!
//! Encrypt, then sign: the client seals the body and signs the token as the body; the server
//! verifies the signature first and decrypts only a request that passed (see
//! [`seal_and_sign`] and [`verify_and_open`]). Sensitive query parameters can be sealed into
//! one parameter the same way ([`query`]).
//!
//! ```
//! use signwire::seal::{OpeningKeys, Recipient, SharedKey};
//! let key = SharedKey::new(&[0x42; 32])?;
//! let token = Recipient::shared("k1", key.clone())?.seal(b"{\"card\":\"4111111111111111\"}")?;
//! assert_eq!(token.split('.').count(), 5);
//!
//! let keys = OpeningKeys::new();
//! keys.add_shared("k1", key)?;
//! assert_eq!(&keys.open(&token)?[..], b"{\"card\":\"4111111111111111\"}");
//! # Ok::<(), signwire::Error>(())
//! ```

mod flow;
pub mod keys;
pub mod query;

pub use flow::{seal_and_sign, verify_and_open, SealedRequest};
pub use keys::{RsaPrivateKey, RsaPublicKey, SharedKey, MIN_RSA_BITS, SHARED_KEY_LEN};

use crate::canonical::escape_for_display;
use crate::error::{Error, Result, Status};
use crate::keyring::check_key_id;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use zeroize::{Zeroize, Zeroizing};

/// Default and largest limit on a token's length, in bytes (16 MiB). Servers may lower it
/// with [`OpeningKeys::with_max_token_len`].
pub const MAX_TOKEN_LEN: usize = 16 * 1024 * 1024;
/// Longest protected header accepted, base64url-encoded, in bytes.
pub const MAX_HEADER_LEN: usize = 4096;
/// Most keys one [`OpeningKeys`] holds.
pub const MAX_OPENING_KEYS: usize = 1024;

const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
const ENC: &str = "A256GCM";

/// Key management algorithm (the JWE `alg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `dir`: the shared key is the content key.
    Dir,
    /// `RSA-OAEP-256`: a fresh content key per token, encrypted to the recipient's RSA key.
    RsaOaep256,
}

impl Algorithm {
    /// The JWE name (`dir`, `RSA-OAEP-256`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Dir => "dir",
            Algorithm::RsaOaep256 => "RSA-OAEP-256",
        }
    }

    /// Parse a JWE `alg` name; `none` and everything else signwire does not implement are
    /// [`Status::UnsupportedAlgorithm`].
    pub fn parse(name: &str) -> Result<Algorithm> {
        match name {
            "dir" => Ok(Algorithm::Dir),
            "RSA-OAEP-256" => Ok(Algorithm::RsaOaep256),
            "none" => Err(Error::new(Status::UnsupportedAlgorithm, "JWE alg \"none\" is refused")),
            other => Err(Error::new(
                Status::UnsupportedAlgorithm,
                format!("JWE alg \"{}\" is not supported (dir, RSA-OAEP-256)", shown(other)),
            )),
        }
    }
}

enum SealingKey {
    Shared(SharedKey),
    Rsa(RsaPublicKey),
}

/// Who a body is sealed for: a key id and a shared key or RSA public key. `Send + Sync`.
///
/// ```
/// use signwire::seal::{Recipient, RsaPublicKey};
/// let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/seal/rsa2048-public.pem"));
/// let to = Recipient::rsa("bank-2026", RsaPublicKey::parse(pem)?)?;
/// let token = to.seal(b"card=4111111111111111")?;
/// assert_eq!(token.len(), to.sealed_len(21)?);
/// # Ok::<(), signwire::Error>(())
/// ```
pub struct Recipient {
    kid: String,
    key: SealingKey,
    header_b64: String,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipient").field("kid", &self.kid).field("alg", &self.algorithm().name()).finish()
    }
}

fn protected_header(alg: Algorithm, kid: &str) -> String {
    let json = serde_json::json!({ "alg": alg.name(), "enc": ENC, "kid": kid });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

fn b64_len(n: usize) -> usize {
    n / 3 * 4 + [0, 2, 3][n % 3]
}

impl Recipient {
    /// Seal with `dir` + `A256GCM` under a shared key known to the receiver as `kid`.
    pub fn shared(kid: &str, key: SharedKey) -> Result<Recipient> {
        check_key_id(kid)?;
        Ok(Recipient { kid: kid.to_string(), header_b64: protected_header(Algorithm::Dir, kid), key: SealingKey::Shared(key) })
    }

    /// Seal with `RSA-OAEP-256` + `A256GCM` to the receiver's RSA public key, named `kid`.
    pub fn rsa(kid: &str, key: RsaPublicKey) -> Result<Recipient> {
        check_key_id(kid)?;
        if key.bits() < MIN_RSA_BITS {
            return Err(Error::new(Status::WeakKey, format!("the RSA key has {} bits; at least {MIN_RSA_BITS} are required", key.bits())));
        }
        Ok(Recipient { kid: kid.to_string(), header_b64: protected_header(Algorithm::RsaOaep256, kid), key: SealingKey::Rsa(key) })
    }

    /// The key id written into every token.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key management algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            SealingKey::Shared(_) => Algorithm::Dir,
            SealingKey::Rsa(_) => Algorithm::RsaOaep256,
        }
    }

    /// The exact length of the token [`Recipient::seal`] makes from a body of `body_len`
    /// bytes; [`Status::InputTooLarge`] when it would exceed [`MAX_TOKEN_LEN`].
    pub fn sealed_len(&self, body_len: usize) -> Result<usize> {
        let ek = match &self.key {
            SealingKey::Shared(_) => 0,
            SealingKey::Rsa(k) => b64_len(k.modulus_len()),
        };
        let fixed = self.header_b64.len() + ek + b64_len(IV_LEN) + b64_len(TAG_LEN) + 4;
        let limit = MAX_TOKEN_LEN.saturating_sub(fixed) / 4 * 3;
        if body_len > limit {
            return Err(Error::new(
                Status::InputTooLarge,
                format!("a body of {body_len} bytes would seal into a token over {MAX_TOKEN_LEN} bytes"),
            ));
        }
        Ok(fixed + b64_len(body_len))
    }

    /// Seal `body` into a JWE compact token (`header.key.iv.ciphertext.tag`).
    pub fn seal(&self, body: &[u8]) -> Result<String> {
        let total = self.sealed_len(body.len())?;
        let mut cek = Zeroizing::new([0u8; SHARED_KEY_LEN]);
        let mut encrypted_key = Vec::new();
        match &self.key {
            SealingKey::Shared(k) => cek.copy_from_slice(k.as_bytes()),
            SealingKey::Rsa(k) => {
                random(&mut cek[..])?;
                let oaep = k.oaep()?;
                encrypted_key = vec![0u8; oaep.ciphertext_size()];
                let n = oaep
                    .encrypt(&OAEP_SHA256_MGF1SHA256, &cek[..], &mut encrypted_key, None)
                    .map_err(|_| Error::new(Status::Internal, "RSA-OAEP encryption failed"))?
                    .len();
                encrypted_key.truncate(n);
            }
        }
        let mut iv = [0u8; IV_LEN];
        random(&mut iv)?;
        let aead = aes_key(&cek)?;
        let mut data = Zeroizing::new(body.to_vec());
        let tag = aead
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(self.header_b64.as_bytes()), &mut *data)
            .map_err(|_| Error::new(Status::Internal, "AES-GCM encryption failed"))?;
        let mut token = String::with_capacity(total);
        token.push_str(&self.header_b64);
        for part in [&encrypted_key[..], &iv[..], &data[..], tag.as_ref()] {
            token.push('.');
            URL_SAFE_NO_PAD.encode_string(part, &mut token);
        }
        debug_assert_eq!(token.len(), total);
        Ok(token)
    }
}

/// Seal `body` for `recipient`: the same as [`Recipient::seal`].
pub fn seal(body: &[u8], recipient: &Recipient) -> Result<String> {
    recipient.seal(body)
}

/// Open `token` with the key its `kid` names in `keys`: the same as [`OpeningKeys::open`].
pub fn open(token: &[u8], keys: &OpeningKeys) -> Result<Zeroizing<Vec<u8>>> {
    keys.open(token)
}

fn random(out: &mut [u8]) -> Result<()> {
    aws_lc_rs::rand::fill(out).map_err(|_| Error::new(Status::Internal, "the random generator failed"))
}

fn aes_key(cek: &[u8; SHARED_KEY_LEN]) -> Result<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, cek)
        .map(LessSafeKey::new)
        .map_err(|_| Error::new(Status::Internal, "AES-256-GCM key setup failed"))
}

enum OpeningKey {
    Shared(SharedKey),
    Rsa(RsaPrivateKey),
}

impl OpeningKey {
    fn algorithm(&self) -> Algorithm {
        match self {
            OpeningKey::Shared(_) => Algorithm::Dir,
            OpeningKey::Rsa(_) => Algorithm::RsaOaep256,
        }
    }
}

/// The receiver's keys by `kid`. Thread-safe: add or remove keys (rotation) while other
/// threads open tokens.
///
/// ```
/// use signwire::seal::{OpeningKeys, Recipient, RsaPrivateKey};
/// let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/seal/rsa2048-private.pem"));
/// let private = RsaPrivateKey::parse(pem)?;
/// let token = Recipient::rsa("bank-2026", private.public_key())?.seal(b"secret")?;
///
/// let keys = OpeningKeys::new().with_max_token_len(64 * 1024)?;
/// keys.add_rsa("bank-2026", private)?;
/// assert_eq!(&keys.open(&token)?[..], b"secret");
/// # Ok::<(), signwire::Error>(())
/// ```
pub struct OpeningKeys {
    keys: RwLock<HashMap<String, Arc<OpeningKey>>>,
    max_token_len: usize,
}

impl Default for OpeningKeys {
    fn default() -> Self {
        OpeningKeys::new()
    }
}

impl std::fmt::Debug for OpeningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpeningKeys").field("kids", &self.kids()).field("max_token_len", &self.max_token_len).finish()
    }
}

/// The JOSE header members signwire reads. A duplicated member is an error (serde refuses
/// duplicate fields), so a header cannot say one `alg` to one library and another to us.
#[derive(serde::Deserialize)]
struct Header {
    alg: Option<serde_json::Value>,
    enc: Option<serde_json::Value>,
    kid: Option<serde_json::Value>,
    zip: Option<serde_json::Value>,
    crit: Option<serde_json::Value>,
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(Status::MalformedToken, message)
}

fn decryption_failed() -> Error {
    Error::new(Status::DecryptionFailed, "decryption failed: wrong key, or the token was altered")
}

/// A client-controlled string made safe and short for a log line.
fn shown(s: &str) -> String {
    let mut e = escape_for_display(s.as_bytes());
    if e.len() > 64 {
        let mut cut = 64;
        while !e.is_char_boundary(cut) {
            cut -= 1;
        }
        e.truncate(cut);
        e.push('…');
    }
    e
}

fn decode_part(part: &[u8], name: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| malformed(format!("the token's {name} is not valid base64url (unpadded)")))
}

fn header_string(value: Option<serde_json::Value>, name: &str) -> Result<String> {
    match value {
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(_) => Err(malformed(format!("the protected header's \"{name}\" is not a string"))),
        None => Err(malformed(format!("the protected header has no \"{name}\""))),
    }
}

impl OpeningKeys {
    /// No keys yet; tokens up to [`MAX_TOKEN_LEN`] bytes.
    pub fn new() -> OpeningKeys {
        OpeningKeys { keys: RwLock::new(HashMap::new()), max_token_len: MAX_TOKEN_LEN }
    }

    /// Refuse tokens longer than `max` bytes (before any work), at most [`MAX_TOKEN_LEN`].
    pub fn with_max_token_len(mut self, max: usize) -> Result<OpeningKeys> {
        if max == 0 || max > MAX_TOKEN_LEN {
            return Err(Error::invalid(format!("the token limit must be between 1 and {MAX_TOKEN_LEN} bytes")));
        }
        self.max_token_len = max;
        Ok(self)
    }

    /// The current token length limit.
    pub fn max_token_len(&self) -> usize {
        self.max_token_len
    }

    fn insert(&self, kid: &str, key: OpeningKey) -> Result<()> {
        check_key_id(kid)?;
        let mut keys = self.keys.write().map_err(|_| Error::new(Status::Internal, "opening keys lock poisoned"))?;
        if keys.contains_key(kid) {
            return Err(Error::invalid(format!("kid \"{kid}\" already has a key; remove it first")));
        }
        if keys.len() >= MAX_OPENING_KEYS {
            return Err(Error::new(Status::InputTooLarge, format!("at most {MAX_OPENING_KEYS} opening keys")));
        }
        keys.insert(kid.to_string(), Arc::new(key));
        Ok(())
    }

    /// Open `dir` tokens whose `kid` is `kid` with a shared key.
    pub fn add_shared(&self, kid: &str, key: SharedKey) -> Result<()> {
        self.insert(kid, OpeningKey::Shared(key))
    }

    /// Open `RSA-OAEP-256` tokens whose `kid` is `kid` with an RSA private key.
    pub fn add_rsa(&self, kid: &str, key: RsaPrivateKey) -> Result<()> {
        self.insert(kid, OpeningKey::Rsa(key))
    }

    /// Forget a key; true when it was there.
    pub fn remove(&self, kid: &str) -> bool {
        self.keys.write().map(|mut k| k.remove(kid).is_some()).unwrap_or(false)
    }

    /// The key ids held, sorted.
    pub fn kids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.keys.read().map(|k| k.keys().cloned().collect()).unwrap_or_default();
        v.sort();
        v
    }

    fn get(&self, kid: &str) -> Result<Arc<OpeningKey>> {
        let keys = self.keys.read().map_err(|_| Error::new(Status::Internal, "opening keys lock poisoned"))?;
        keys.get(kid).cloned().ok_or_else(|| Error::new(Status::UnknownKey, format!("no opening key for kid \"{}\"", shown(kid))))
    }

    /// Open a JWE compact token. Returns the plaintext (wiped when dropped) only when the
    /// whole token authenticates under the key its `kid` names; otherwise a status:
    /// [`Status::InputTooLarge`] (over the limit), [`Status::MalformedToken`] (parts,
    /// base64url, header JSON, IV or tag length), [`Status::UnsupportedAlgorithm`] (`alg`
    /// or `enc` other than the two pairs above, `zip`, `crit`), [`Status::UnknownKey`],
    /// [`Status::DecryptionFailed`] (wrong key, altered header, key, IV, ciphertext or tag).
    pub fn open(&self, token: impl AsRef<[u8]>) -> Result<Zeroizing<Vec<u8>>> {
        let token = token.as_ref();
        if token.len() > self.max_token_len {
            return Err(Error::new(
                Status::InputTooLarge,
                format!("the token is {} bytes; the limit is {}", token.len(), self.max_token_len),
            ));
        }
        let parts: Vec<&[u8]> = token.split(|b| *b == b'.').collect();
        if parts.len() != 5 {
            let hint = if parts.len() == 3 { " (3 parts is a JWS, a signed token, not an encrypted one)" } else { "" };
            return Err(malformed(format!("the token has {} parts; a JWE compact token has 5{hint}", parts.len())));
        }
        let [header_b64, ek_b64, iv_b64, ct_b64, tag_b64] = [parts[0], parts[1], parts[2], parts[3], parts[4]];
        if header_b64.len() > MAX_HEADER_LEN {
            return Err(Error::new(Status::InputTooLarge, format!("the protected header is over {MAX_HEADER_LEN} bytes")));
        }
        if header_b64.is_empty() {
            return Err(malformed("the protected header is empty"));
        }
        let header_json = decode_part(header_b64, "protected header")?;
        let header: Header = serde_json::from_slice(&header_json)
            .map_err(|e| malformed(format!("the protected header is not a JSON object with unique members ({e})")))?;
        if header.crit.is_some() {
            return Err(Error::new(Status::UnsupportedAlgorithm, "the protected header has \"crit\"; signwire understands no extensions"));
        }
        if header.zip.is_some() {
            return Err(Error::new(Status::UnsupportedAlgorithm, "compressed (\"zip\") tokens are not supported"));
        }
        let alg = Algorithm::parse(&header_string(header.alg, "alg")?)?;
        let enc = header_string(header.enc, "enc")?;
        if enc != ENC {
            return Err(Error::new(
                Status::UnsupportedAlgorithm,
                format!("JWE enc \"{}\" is not supported (A256GCM)", shown(&enc)),
            ));
        }
        let kid = header_string(header.kid, "kid")?;
        let key = self.get(&kid)?;
        if key.algorithm() != alg {
            return Err(Error::new(
                Status::UnsupportedAlgorithm,
                format!("kid \"{}\" holds a {} key but the token uses alg {}", shown(&kid), key.algorithm().name(), alg.name()),
            ));
        }
        let encrypted_key = decode_part(ek_b64, "encrypted key")?;
        let iv: [u8; IV_LEN] = decode_part(iv_b64, "IV")?
            .try_into()
            .map_err(|_| malformed("the token's IV is not 96 bits (A256GCM)"))?;
        let mut data = Zeroizing::new(decode_part(ct_b64, "ciphertext")?);
        let tag = decode_part(tag_b64, "tag")?;
        if tag.len() != TAG_LEN {
            return Err(malformed("the token's tag is not 128 bits (A256GCM)"));
        }
        let cek = match &*key {
            OpeningKey::Shared(k) => {
                if !encrypted_key.is_empty() {
                    return Err(malformed("a \"dir\" token must have an empty encrypted key"));
                }
                Zeroizing::new(*k.as_bytes())
            }
            OpeningKey::Rsa(k) => {
                if encrypted_key.len() != k.modulus_len() {
                    return Err(malformed(format!("the encrypted key is not {} bytes (the RSA modulus size)", k.modulus_len())));
                }
                rsa_unwrap_cek(k, &encrypted_key)?
            }
        };
        data.extend_from_slice(&tag);
        let aead = aes_key(&cek)?;
        match aead.open_in_place(Nonce::assume_unique_for_key(iv), Aad::from(header_b64), &mut data[..]) {
            Ok(plain) => {
                let n = plain.len();
                data.truncate(n);
                Ok(data)
            }
            Err(_) => {
                // AES-GCM may have written unauthenticated plaintext into the buffer; wipe it
                // here rather than relying on the drop.
                data.zeroize();
                Err(decryption_failed())
            }
        }
    }
}

/// Decrypt the content key. On any RSA failure a random key stands in, so that a bad
/// padding and a bad tag end in the same DECRYPTION_FAILED after the same AES work
/// (RFC 7516 §11.5: do not let the RSA step become an oracle).
fn rsa_unwrap_cek(key: &RsaPrivateKey, encrypted_key: &[u8]) -> Result<Zeroizing<[u8; SHARED_KEY_LEN]>> {
    let mut cek = Zeroizing::new([0u8; SHARED_KEY_LEN]);
    random(&mut cek[..])?;
    let mut out = Zeroizing::new(vec![0u8; key.key.min_output_size()]);
    if let Ok(plain) = key.key.decrypt(&OAEP_SHA256_MGF1SHA256, encrypted_key, &mut out, None) {
        if plain.len() == SHARED_KEY_LEN {
            cek.copy_from_slice(plain);
        }
    }
    Ok(cek)
}

#[cfg(test)]
mod tests;
