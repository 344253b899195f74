//! HMAC: algorithms, keys with precomputed state, tags, encodings and constant-time verify.
//!
//! A [`Key`] hashes the secret into the HMAC inner and outer states once, at construction.
//! Every [`Key::sign`] then clones those states instead of rehashing the key, which is what
//! makes signing many small requests with one secret cheap.
//!
//! ```
//! use signwire::mac::{Algorithm, Encoding, Key};
//! let key = Key::new(Algorithm::Sha256, b"key").unwrap();
//! let tag = key.sign(b"The quick brown fox jumps over the lazy dog");
//! assert_eq!(
//!     tag.encode(Encoding::Hex),
//!     "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
//! );
//! assert!(key.verify_encoded(b"The quick brown fox jumps over the lazy dog", tag.encode(Encoding::Hex).as_bytes(), Encoding::Hex).is_ok());
//! ```

use crate::error::{Error, Result, Status};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;

/// Largest tag signwire produces (HMAC-SHA512), in bytes.
pub const MAX_TAG_LEN: usize = 64;
/// Longest encoded tag (hex of HMAC-SHA512), in characters, without NUL.
pub const MAX_ENCODED_TAG_LEN: usize = 2 * MAX_TAG_LEN;
const _: () = assert!(MAX_TAG_LEN.div_ceil(3) * 4 <= MAX_ENCODED_TAG_LEN, "base64 of the longest tag must fit");
/// Longest secret accepted, in bytes. Longer keys are hashed by HMAC anyway; the cap keeps
/// a confused caller from passing a file by mistake.
pub const MAX_SECRET_LEN: usize = 4096;

/// The hash function under HMAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA1 (legacy APIs only; still a sound MAC).
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// Tag length in bytes.
    pub fn tag_len(self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }

    /// Parse `hmac-sha256`, `sha256`, `HMAC-SHA256` and the like.
    pub fn parse(name: &str) -> Result<Algorithm> {
        let n = name.trim().to_ascii_lowercase();
        let n = n.strip_prefix("hmac-").unwrap_or(&n);
        match n.replace('-', "").as_str() {
            "sha1" => Ok(Algorithm::Sha1),
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            _ => Err(Error::new(
                Status::UnsupportedAlgorithm,
                format!("unknown MAC algorithm {name:?} (expected hmac-sha1, hmac-sha256 or hmac-sha512)"),
            )),
        }
    }

    /// Canonical name, as used in scheme documents.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "hmac-sha1",
            Algorithm::Sha256 => "hmac-sha256",
            Algorithm::Sha512 => "hmac-sha512",
        }
    }

    /// C ABI number (`SIGNWIRE_HMAC_SHA1` = 1, `…SHA256` = 2, `…SHA512` = 3).
    pub fn from_code(code: i32) -> Result<Algorithm> {
        match code {
            1 => Ok(Algorithm::Sha1),
            2 => Ok(Algorithm::Sha256),
            3 => Ok(Algorithm::Sha512),
            _ => Err(Error::invalid(format!("unknown algorithm code {code}"))),
        }
    }
}

/// How a tag is written as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Lowercase hexadecimal. Verification also accepts uppercase (same bytes, so no
    /// forgery is possible; refusing it would only produce confusing "Invalid signature").
    Hex,
    /// Standard base64 with padding (RFC 4648 §4).
    Base64,
}

impl Encoding {
    /// Parse `hex` or `base64`.
    pub fn parse(name: &str) -> Result<Encoding> {
        match name.trim().to_ascii_lowercase().as_str() {
            "hex" => Ok(Encoding::Hex),
            "base64" => Ok(Encoding::Base64),
            _ => Err(Error::invalid(format!("unknown encoding {name:?} (expected hex or base64)"))),
        }
    }

    /// Canonical name, as used in scheme documents.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
        }
    }

    /// C ABI number (`SIGNWIRE_ENCODING_HEX` = 1, `…BASE64` = 2).
    pub fn from_code(code: i32) -> Result<Encoding> {
        match code {
            1 => Ok(Encoding::Hex),
            2 => Ok(Encoding::Base64),
            _ => Err(Error::invalid(format!("unknown encoding code {code}"))),
        }
    }

    /// Length of an encoded tag of `tag_len` bytes.
    pub fn encoded_len(self, tag_len: usize) -> usize {
        match self {
            Encoding::Hex => tag_len * 2,
            Encoding::Base64 => tag_len.div_ceil(3) * 4,
        }
    }
}

/// A MAC tag: the raw bytes of an HMAC output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    bytes: [u8; MAX_TAG_LEN],
    len: usize,
}

impl Tag {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Overwrite the bytes with zeros (for tags that are themselves keys, as in AWS SigV4's
    /// key derivation; `Tag` is `Copy`, so it cannot wipe itself on drop).
    pub fn wipe(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes);
        self.len = 0;
    }

    /// The tag as text.
    pub fn encode(&self, encoding: Encoding) -> String {
        let mut buf = [0u8; MAX_ENCODED_TAG_LEN];
        self.encode_into(encoding, &mut buf).to_string()
    }

    /// The tag as text in a caller's buffer, without allocating (the per-request path).
    ///
    /// ```
    /// use signwire::mac::{Algorithm, Encoding, Key, MAX_ENCODED_TAG_LEN};
    /// let tag = Key::new(Algorithm::Sha1, b"key").unwrap().sign(b"");
    /// let mut buf = [0u8; MAX_ENCODED_TAG_LEN];
    /// assert_eq!(tag.encode_into(Encoding::Hex, &mut buf), "f42bb0eeb018ebbd4597ae7213711ec60760843f");
    /// ```
    pub fn encode_into<'b>(&self, encoding: Encoding, buf: &'b mut [u8; MAX_ENCODED_TAG_LEN]) -> &'b str {
        let n = match encoding {
            Encoding::Hex => {
                hex_into(self.as_bytes(), buf);
                2 * self.len
            }
            // 64 bytes encode to 88 characters: always fits, so this cannot fail.
            Encoding::Base64 => base64::engine::general_purpose::STANDARD
                .encode_slice(self.as_bytes(), &mut buf[..])
                .unwrap_or_else(|_| unreachable!()),
        };
        // Hex digits and the base64 alphabet are ASCII.
        std::str::from_utf8(&buf[..n]).unwrap_or_else(|_| unreachable!())
    }

    /// A MAC output (at most `MAX_TAG_LEN` bytes: every algorithm's is).
    pub(crate) fn from_digest(out: &[u8]) -> Tag {
        let mut bytes = [0u8; MAX_TAG_LEN];
        bytes[..out.len()].copy_from_slice(out);
        Tag { bytes, len: out.len() }
    }

    /// Constant-time comparison with raw bytes; a length mismatch is simply "not equal".
    pub fn ct_eq_bytes(&self, other: &[u8]) -> bool {
        if other.len() != self.len {
            return false;
        }
        // XOR-fold eight bytes at a time with no early exit, then one `subtle` comparison of
        // the result: the same constant-time property as `subtle` byte by byte, whose
        // optimisation barrier per byte cost as much as the rest of a verification's
        // checks. The tail (SHA-1's 20 bytes) is folded byte by byte.
        let (mine, theirs) = (self.as_bytes(), other);
        let mut diff = 0u64;
        let mut words = mine.chunks_exact(8).zip(theirs.chunks_exact(8));
        for (a, b) in &mut words {
            let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
            diff |= word(a) ^ word(b);
        }
        let tail = mine.len() - mine.len() % 8;
        for (a, b) in mine[tail..].iter().zip(&theirs[tail..]) {
            diff |= u64::from(a ^ b);
        }
        bool::from(diff.ct_eq(&0))
    }
}

impl std::fmt::Debug for Tag {
    // A tag is what a verifier compares against: keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tag({} bytes)", self.len)
    }
}

/// Where the HMAC is computed.
///
/// Both are compiled in and give the same tags (every test vector runs on both); they differ
/// in speed by CPU. With SHA extensions (SHA-NI on x86, the ARMv8 crypto extensions) the
/// RustCrypto `sha2` crate runs as fast as OpenSSL and has less per-call overhead (0.70× of
/// aws-lc at 64 B, 0.87× at 1 KiB, equal at 1 MiB, measured with examples/backends.rs). On
/// x86 CPUs without them, `sha2`'s portable code ran 1.3× slower than aws-lc's AVX2 code at
/// 1 MiB (and about 2.5× on the Xeons of ENVIRONMENT-NOTES), which misses the goal of
/// matching OpenSSL; aws-lc, already linked for sealed bodies, matches it there.
///
/// [`Backend::selected`] picks by the CPU at run time (one library serves both kinds of
/// machine); the environment variable `SIGNWIRE_MAC_BACKEND=rustcrypto|aws-lc`, read once,
/// pins it (for benchmarks and tests).
///
/// ```
/// use signwire::mac::{Algorithm, Backend, Key};
/// let a = Key::with_backend(Algorithm::Sha256, b"key", Backend::RustCrypto).unwrap();
/// let b = Key::with_backend(Algorithm::Sha256, b"key", Backend::AwsLc).unwrap();
/// assert_eq!(a.sign(b"message").as_bytes(), b.sign(b"message").as_bytes());
/// assert_eq!(b.backend(), Backend::AwsLc);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The `hmac`, `sha1` and `sha2` crates (the design card's).
    RustCrypto,
    /// aws-lc-rs (AWS-LC's assembly, as OpenSSL's).
    AwsLc,
}

impl Backend {
    /// The backend [`Key::new`] uses in this process: `SIGNWIRE_MAC_BACKEND` if set to a
    /// known name, else RustCrypto where the CPU has SHA extensions and aws-lc where it has
    /// not (x86 without SHA-NI).
    pub fn selected() -> Backend {
        static SELECTED: std::sync::OnceLock<Backend> = std::sync::OnceLock::new();
        *SELECTED.get_or_init(|| match std::env::var("SIGNWIRE_MAC_BACKEND").as_deref() {
            Ok("rustcrypto") => Backend::RustCrypto,
            Ok("aws-lc") => Backend::AwsLc,
            _ => Backend::for_this_cpu(),
        })
    }

    fn for_this_cpu() -> Backend {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            // What `sha2` itself needs for its SHA-NI code.
            let sha_ni = std::arch::is_x86_feature_detected!("sha")
                && std::arch::is_x86_feature_detected!("sse2")
                && std::arch::is_x86_feature_detected!("ssse3")
                && std::arch::is_x86_feature_detected!("sse4.1");
            if !sha_ni {
                return Backend::AwsLc;
            }
        }
        Backend::RustCrypto
    }

    /// `rustcrypto` or `aws-lc`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::RustCrypto => "rustcrypto",
            Backend::AwsLc => "aws-lc",
        }
    }
}

// Each state in its own allocation of exactly its size: inline, an enum is as large as its
// largest variant, and the unused tail of a smaller one is whatever the stack held when the
// Key was built (copies of another key's state included), which a Box would then carry to
// the heap and leave there when freed; tests/zeroize.rs caught that.
#[derive(Clone)]
enum State {
    Sha1(Box<Hmac<sha1::Sha1>>),
    Sha256(Box<Hmac<sha2::Sha256>>),
    Sha512(Box<Hmac<sha2::Sha512>>),
    // aws-lc's HMAC_CTX, keyed once; AWS-LC cleanses it when it is freed.
    AwsLc(Box<aws_lc_rs::hmac::Key>, Algorithm),
}

/// A secret ready to sign: the HMAC states keyed once.
///
/// The secret itself is not kept; the keyed states are wiped on drop (the `zeroize` feature
/// of `hmac`, or AWS-LC's cleanse).
#[derive(Clone)]
pub struct Key {
    state: State,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({}, <secret>)", self.algorithm().name())
    }
}

impl Key {
    /// Key the HMAC state with `secret`. Empty or oversized secrets are refused.
    pub fn new(algorithm: Algorithm, secret: &[u8]) -> Result<Key> {
        Key::with_backend(algorithm, secret, Backend::selected())
    }

    /// [`Key::new`] on a given backend (benchmarks, and tests that run every vector on both).
    pub fn with_backend(algorithm: Algorithm, secret: &[u8], backend: Backend) -> Result<Key> {
        if secret.is_empty() {
            return Err(Error::invalid("secret is empty"));
        }
        if secret.len() > MAX_SECRET_LEN {
            return Err(Error::new(
                Status::InputTooLarge,
                format!("secret is {} bytes, the limit is {MAX_SECRET_LEN}", secret.len()),
            ));
        }
        Ok(Key { state: Self::state(algorithm, secret, backend) })
    }

    /// Like [`Key::new`] but accepts any length, including empty: for raw test vectors
    /// (RFC 2202, Wycheproof) where such keys are part of the specification.
    pub fn new_unchecked_length(algorithm: Algorithm, secret: &[u8]) -> Key {
        Key { state: Self::state(algorithm, secret, Backend::selected()) }
    }

    /// [`Key::new_unchecked_length`] on a given backend.
    pub fn new_unchecked_length_with_backend(algorithm: Algorithm, secret: &[u8], backend: Backend) -> Key {
        Key { state: Self::state(algorithm, secret, backend) }
    }

    fn state(algorithm: Algorithm, secret: &[u8], backend: Backend) -> State {
        if backend == Backend::AwsLc {
            use aws_lc_rs::hmac;
            let alg = match algorithm {
                Algorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
                Algorithm::Sha256 => hmac::HMAC_SHA256,
                Algorithm::Sha512 => hmac::HMAC_SHA512,
            };
            return State::AwsLc(Box::new(hmac::Key::new(alg, secret)), algorithm);
        }
        // HMAC accepts keys of every length, so new_from_slice cannot fail.
        match algorithm {
            Algorithm::Sha1 => State::Sha1(Box::new(Hmac::new_from_slice(secret).unwrap_or_else(|_| unreachable!()))),
            Algorithm::Sha256 => State::Sha256(Box::new(Hmac::new_from_slice(secret).unwrap_or_else(|_| unreachable!()))),
            Algorithm::Sha512 => State::Sha512(Box::new(Hmac::new_from_slice(secret).unwrap_or_else(|_| unreachable!()))),
        }
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self.state {
            State::Sha1(_) => Algorithm::Sha1,
            State::Sha256(_) => Algorithm::Sha256,
            State::Sha512(_) => Algorithm::Sha512,
            State::AwsLc(_, algorithm) => algorithm,
        }
    }

    /// Where this key's MACs are computed.
    pub fn backend(&self) -> Backend {
        match self.state {
            State::AwsLc(..) => Backend::AwsLc,
            _ => Backend::RustCrypto,
        }
    }

    /// MAC of one message.
    pub fn sign(&self, message: &[u8]) -> Tag {
        self.sign_parts(&[message])
    }

    /// MAC of the concatenation of `parts`, without building the concatenation.
    pub fn sign_parts<P: AsRef<[u8]>>(&self, parts: &[P]) -> Tag {
        fn run<M: Mac + Clone, P: AsRef<[u8]>>(m: &M, parts: &[P]) -> Tag {
            let mut m = m.clone();
            for p in parts {
                m.update(p.as_ref());
            }
            Tag::from_digest(&m.finalize().into_bytes())
        }
        match &self.state {
            State::Sha1(m) => run(&**m, parts),
            State::Sha256(m) => run(&**m, parts),
            State::Sha512(m) => run(&**m, parts),
            State::AwsLc(key, _) => {
                let mut context = aws_lc_rs::hmac::Context::with_key(key);
                for p in parts {
                    context.update(p.as_ref());
                }
                Tag::from_digest(context.sign().as_ref())
            }
        }
    }

    /// Constant-time check of a raw tag. Any length other than the algorithm's is a
    /// `BadSignature` (truncated tags are not accepted).
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> Result<()> {
        self.verify_parts(&[message], tag)
    }

    /// Constant-time check of a raw tag over the concatenation of `parts`.
    pub fn verify_parts<P: AsRef<[u8]>>(&self, parts: &[P], tag: &[u8]) -> Result<()> {
        if self.sign_parts(parts).ct_eq_bytes(tag) {
            Ok(())
        } else {
            Err(Error::new(Status::BadSignature, "signature does not match"))
        }
    }

    /// Constant-time check of an encoded tag. Malformed encodings (non-hex, wrong length)
    /// are reported as `BadSignature` as well: to a MAC check they are just another tag
    /// that does not match.
    pub fn verify_encoded(&self, message: &[u8], encoded: &[u8], encoding: Encoding) -> Result<()> {
        let tag = decode_tag(encoded, encoding, self.algorithm().tag_len())
            .ok_or_else(|| Error::new(Status::BadSignature, "signature is not a well-formed tag for this algorithm"))?;
        self.verify(message, tag.as_bytes())
    }
}

/// Lowercase hex of `bytes` into the front of `out` (at least twice as long), through
/// [`HEX_PAIRS`]: tags and nonces, on every signature.
pub(crate) fn hex_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
}

/// The two lowercase hex digits of each byte: one load per byte where nibble lookups took
/// two.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        i += 1;
    }
    t
};

/// The value of each hex digit (either case); 0xff for every other byte.
pub(crate) static HEX_VALUES: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decode an encoded tag of exactly `tag_len` bytes; `None` when malformed.
///
/// Hex is accepted in either case. Base64 must be canonical standard base64 with padding.
pub fn decode_tag(encoded: &[u8], encoding: Encoding, tag_len: usize) -> Option<Tag> {
    if tag_len > MAX_TAG_LEN || encoded.len() != encoding.encoded_len(tag_len) {
        return None;
    }
    let mut bytes = [0u8; MAX_TAG_LEN];
    match encoding {
        Encoding::Hex => {
            // The signature being decoded is the client's, not a secret: a table is fine.
            let mut bad = 0u8;
            for (out, pair) in bytes[..tag_len].iter_mut().zip(encoded.chunks_exact(2)) {
                let (hi, lo) = (HEX_VALUES[usize::from(pair[0])], HEX_VALUES[usize::from(pair[1])]);
                bad |= hi | lo;
                *out = (hi << 4) | (lo & 15);
            }
            if bad & 0xf0 != 0 {
                return None;
            }
        }
        Encoding::Base64 => {
            let v = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
            if v.len() != tag_len {
                return None;
            }
            bytes[..tag_len].copy_from_slice(&v);
        }
    }
    Some(Tag { bytes, len: tag_len })
}

/// SHA-256 of `data`, lowercase hex (for `body_sha256` components and fingerprints).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// SHA-1 of `data`, lowercase hex (EpinTower's inner hash).
pub fn sha1_hex(data: &[u8]) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_comparison_sees_every_byte_of_every_length() {
        // 20, 32 and 64 bytes: SHA-1's tail after whole words, SHA-256, SHA-512.
        for alg in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            let key = Key::new(alg, b"compare").unwrap();
            let tag = key.sign(b"message");
            let good = tag.as_bytes().to_vec();
            assert!(tag.ct_eq_bytes(&good));
            for i in 0..good.len() {
                for bit in [0x01u8, 0x80] {
                    let mut bad = good.clone();
                    bad[i] ^= bit;
                    assert!(!tag.ct_eq_bytes(&bad), "{} byte {i} bit {bit:#x}", alg.name());
                }
            }
            assert!(!tag.ct_eq_bytes(&good[..good.len() - 1]));
            assert!(!tag.ct_eq_bytes(&[good.as_slice(), &[0]].concat()));
            assert!(!tag.ct_eq_bytes(&[]));
        }
    }

    #[test]
    fn verify_rejects_wrong_length_nonhex_and_accepts_uppercase() {
        let k = Key::new(Algorithm::Sha256, b"k").unwrap();
        let t = k.sign(b"m").encode(Encoding::Hex);
        assert!(k.verify_encoded(b"m", t.as_bytes(), Encoding::Hex).is_ok());
        assert!(k.verify_encoded(b"m", t.to_uppercase().as_bytes(), Encoding::Hex).is_ok());
        assert_eq!(k.verify_encoded(b"m", &t.as_bytes()[..62], Encoding::Hex).unwrap_err().status(), Status::BadSignature);
        let mut bad = t.clone().into_bytes();
        bad[0] = b'g';
        assert_eq!(k.verify_encoded(b"m", &bad, Encoding::Hex).unwrap_err().status(), Status::BadSignature);
        assert_eq!(k.verify_encoded(b"m", b"", Encoding::Hex).unwrap_err().status(), Status::BadSignature);
        assert_eq!(k.verify(b"m", &[0u8; 200]).unwrap_err().status(), Status::BadSignature);
    }

    #[test]
    fn empty_secret_is_refused() {
        assert_eq!(Key::new(Algorithm::Sha1, b"").unwrap_err().status(), Status::InvalidArgument);
    }

    #[test]
    fn debug_output_hides_key_and_tag() {
        let k = Key::new(Algorithm::Sha256, b"supersecret").unwrap();
        assert!(!format!("{k:?}").contains("supersecret"));
        let t = k.sign(b"m");
        assert!(!format!("{t:?}").contains(&t.encode(Encoding::Hex)[..8]));
    }
}
