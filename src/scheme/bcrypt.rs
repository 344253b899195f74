//! bcrypt-based signatures: `SIGNATURE = bcrypt(sha1ⁿ(field₁ ‖ field₂ ‖ …))`.
//!
//! Legacy PHP APIs sign with `password_hash(sha1($data), PASSWORD_BCRYPT)` and check with
//! `password_verify`. A [`BcryptScheme`] describes one such API as data — field names in
//! order, sha1 rounds for requests and responses, bcrypt cost and prefix — so a new API of
//! this family is a JSON document, not new code. [`super::epintower`] is the preset.
//!
//! What is hashed: the fields concatenated in order with no separator; then `n` rounds of
//! sha1, each written as 40 lowercase hex characters (PHP's `sha1()`), the next round
//! hashing the previous hex text; then bcrypt of the result. With `n = 0` the concatenated
//! bytes are bcrypted directly, and then the 72-byte and NUL rules of [`hash_password`]
//! apply.
//!
//! ```
//! use signwire::scheme::bcrypt::{BcryptScheme, Direction};
//! let acme = BcryptScheme::from_json(r#"{
//!     "name": "acme-refund",
//!     "fields": ["merchant", "secret", "refundId"],
//!     "request_sha1_rounds": 1,
//!     "cost": 4
//! }"#)?;
//! let sig = acme.sign(Direction::Request, &["M1", "s3cret", "R-77"])?;
//! assert!(sig.starts_with("$2y$04$") && sig.len() == 60);
//! assert!(acme.verify(Direction::Request, &["M1", "s3cret", "R-77"], &sig).is_ok());
//! assert!(acme.verify(Direction::Request, &["M1", "s3cret", "R-78"], &sig).is_err());
//! # Ok::<(), signwire::Error>(())
//! ```

use crate::error::{Error, Result, Status};
use ::bcrypt as bc;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

/// Length of a bcrypt hash (`$2y$10$` + 22 salt + 31 hash characters).
pub const HASH_LEN: usize = 60;
/// The cost used when none is given: EpinTower's and PHP's `PASSWORD_BCRYPT` default.
pub const DEFAULT_COST: u32 = 10;
/// Smallest bcrypt cost (2⁴ rounds).
pub const MIN_COST: u32 = 4;
/// Largest bcrypt cost (2³¹ rounds).
pub const MAX_COST: u32 = 31;
/// How far above its own signing cost a scheme verifies by default. A hash's cost is chosen
/// by whoever sent it and each step doubles the work, so an uncapped verifier lets one
/// `$2y$31$` signature burn ~2²¹ times the cost-10 time before anything is authenticated.
/// Two steps leave room for a peer that signs a little slower (cost 10 → 12 accepted).
pub const VERIFY_COST_MARGIN: u32 = 2;

/// The default highest verified cost for a scheme that signs at `cost`: `cost` + 2, at most 31.
pub fn default_max_verify_cost(cost: u32) -> u32 {
    cost.saturating_add(VERIFY_COST_MARGIN).min(MAX_COST)
}
/// bcrypt reads at most this many password bytes; longer input is refused, never cut.
pub const MAX_PASSWORD_LEN: usize = 72;
/// Most sha1 rounds a scheme may ask for.
pub const MAX_SHA1_ROUNDS: u32 = 16;
/// Most fields one signature may cover.
pub const MAX_FIELDS: usize = 256;
/// Largest total size of the fields of one signature, in bytes.
pub const MAX_DATA_LEN: usize = 1 << 20;

/// The `$2?$` variant written into new hashes.
///
/// `2x` is not offered and is refused on verification: it marks hashes made by the old
/// buggy crypt_blowfish, whose meaning differs between implementations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Prefix {
    /// `$2a$`.
    #[serde(rename = "2a")]
    TwoA,
    /// `$2b$` (OpenBSD's current name).
    #[serde(rename = "2b")]
    TwoB,
    /// `$2y$`, what PHP's `password_hash` writes.
    #[default]
    #[serde(rename = "2y")]
    TwoY,
}

impl Prefix {
    /// `"2a"`, `"2b"` or `"2y"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Prefix::TwoA => "2a",
            Prefix::TwoB => "2b",
            Prefix::TwoY => "2y",
        }
    }

    /// Parse `2a`, `2b`, `2y` (with or without `$`s). `2x` is `UNSUPPORTED_ALGORITHM`.
    ///
    /// ```
    /// use signwire::scheme::bcrypt::Prefix;
    /// assert_eq!(Prefix::parse("$2b$").unwrap(), Prefix::TwoB);
    /// assert_eq!(Prefix::parse("2x").unwrap_err().status(), signwire::Status::UnsupportedAlgorithm);
    /// ```
    pub fn parse(s: &str) -> Result<Prefix> {
        match s.trim_matches('$') {
            "2a" => Ok(Prefix::TwoA),
            "2b" => Ok(Prefix::TwoB),
            "2y" => Ok(Prefix::TwoY),
            "2x" => Err(unsupported_2x()),
            other => Err(Error::invalid(format!(
                "unknown bcrypt prefix {:?} (expected 2y, 2b or 2a)",
                crate::headers::truncate_for_log(other)
            ))),
        }
    }

    #[cfg_attr(signwire_libxcrypt, allow(dead_code))]
    fn version(self) -> bc::Version {
        match self {
            Prefix::TwoA => bc::Version::TwoA,
            Prefix::TwoB => bc::Version::TwoB,
            Prefix::TwoY => bc::Version::TwoY,
        }
    }
}

fn unsupported_2x() -> Error {
    Error::new(
        Status::UnsupportedAlgorithm,
        "bcrypt $2x$ hashes are refused: $2x$ marks the old crypt_blowfish sign-extension bug and \
         implementations disagree on what it means; re-hash with $2y$",
    )
}

/// Which side of an exchange a signature belongs to; schemes may hash them differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// A signature the client sends with a request.
    Request,
    /// A signature the API returns with its response.
    Response,
}

/// What the 7-character header of a bcrypt hash says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashInfo {
    /// The `$2?$` variant.
    pub prefix: Prefix,
    /// The cost (log₂ of the rounds).
    pub cost: u32,
}

fn malformed(why: impl Into<String>) -> Error {
    Error::new(Status::MalformedHeader, why.into())
}

/// Check the shape of a bcrypt hash without hashing anything.
///
/// A hash that is not 60 characters of `$2?$NN$` + bcrypt base64, or whose cost is outside
/// 4–31, is `MALFORMED_HEADER` (it arrives as a request or response field, so a server
/// treats it like any other malformed signature); `$2x$` is `UNSUPPORTED_ALGORITHM`.
///
/// ```
/// use signwire::scheme::bcrypt::{parse_hash, Prefix};
/// let info = parse_hash(b"$2y$12$d.pAefQ.SjGTNY75YxHCh.DgHdkqVTSO0PM/JxryT9e6PAhLzvYhG").unwrap();
/// assert_eq!((info.prefix, info.cost), (Prefix::TwoY, 12));
/// assert!(parse_hash(b"$2y$10$short").is_err());
/// ```
pub fn parse_hash(hash: &[u8]) -> Result<HashInfo> {
    if hash.len() != HASH_LEN {
        return Err(malformed(format!("a bcrypt hash is {HASH_LEN} characters, this one is {}", hash.len())));
    }
    if hash[0] != b'$' || hash[1] != b'2' || hash[3] != b'$' || hash[6] != b'$' {
        return Err(malformed("a bcrypt hash starts with $2?$NN$"));
    }
    let prefix = match hash[2] {
        b'a' => Prefix::TwoA,
        b'b' => Prefix::TwoB,
        b'y' => Prefix::TwoY,
        b'x' => return Err(unsupported_2x()),
        _ => return Err(malformed("unknown bcrypt variant (expected $2y$, $2b$ or $2a$)")),
    };
    if !hash[4].is_ascii_digit() || !hash[5].is_ascii_digit() {
        return Err(malformed("the bcrypt cost is not two decimal digits"));
    }
    let cost = u32::from(hash[4] - b'0') * 10 + u32::from(hash[5] - b'0');
    if !(MIN_COST..=MAX_COST).contains(&cost) {
        return Err(malformed(format!("bcrypt cost {cost} is outside {MIN_COST}-{MAX_COST}")));
    }
    if !hash[7..].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/') {
        return Err(malformed("the bcrypt salt and hash contain characters outside ./A-Za-z0-9"));
    }
    Ok(HashInfo { prefix, cost })
}

fn check_cost(cost: u32) -> Result<()> {
    if (MIN_COST..=MAX_COST).contains(&cost) {
        Ok(())
    } else {
        Err(Error::invalid(format!("bcrypt cost must be {MIN_COST} to {MAX_COST}, got {cost}")))
    }
}

fn check_password(password: &[u8]) -> Result<()> {
    if password.len() > MAX_PASSWORD_LEN {
        return Err(Error::new(
            Status::InputTooLarge,
            format!(
                "bcrypt input is {} bytes; bcrypt reads only the first {MAX_PASSWORD_LEN}, so signwire refuses it \
                 instead of ignoring the rest (hash it with sha1 first: sha1_rounds >= 1)",
                password.len()
            ),
        ));
    }
    if password.contains(&0) {
        return Err(Error::invalid(
            "bcrypt input contains a NUL byte; C bcrypt implementations stop there and PHP refuses it",
        ));
    }
    Ok(())
}

/// bcrypt `password` at `cost` with a fresh random salt, written with `prefix`.
///
/// Input over 72 bytes is `INPUT_TOO_LARGE` and input with a NUL byte is
/// `INVALID_ARGUMENT`: bcrypt would silently ignore everything from there on. Exactly 72
/// bytes is accepted, as PHP accepts it (the `bcrypt` crate's `non_truncating_*` functions
/// refuse it, so signwire checks the limit itself and then calls the plain function, which
/// cannot truncate an input of at most 72 bytes).
///
/// ```
/// use signwire::scheme::bcrypt::{hash_password, verify_password, Prefix};
/// let h = hash_password(b"correct horse", 4, Prefix::TwoY)?;
/// assert!(verify_password(b"correct horse", h.as_bytes()).is_ok());
/// assert!(hash_password(&[b'a'; 73], 4, Prefix::TwoY).is_err());
/// # Ok::<(), signwire::Error>(())
/// ```
pub fn hash_password(password: &[u8], cost: u32, prefix: Prefix) -> Result<String> {
    check_cost(cost)?;
    check_password(password)?;
    #[cfg(signwire_libxcrypt)]
    return xcrypt_hash(password, cost, prefix);
    #[cfg(not(signwire_libxcrypt))]
    return portable_hash(password, cost, prefix);
}

// Two bcrypt backends behind the two functions above, both checked against PHP's vectors
// (tests below and tests/epintower.rs): libxcrypt's crypt_blowfish, PHP's own code and ~15%
// faster, where build.rs finds it (Linux/glibc, unless SIGNWIRE_BCRYPT=rust); the `bcrypt`
// crate everywhere else.

#[cfg_attr(signwire_libxcrypt, allow(dead_code))] // the fallback, still built for the tests below
fn portable_hash(password: &[u8], cost: u32, prefix: Prefix) -> Result<String> {
    let parts = bc::hash_with_result(password, cost).map_err(|e| match e {
        bc::BcryptError::Rand(_) => Error::new(Status::Internal, "the OS random generator failed while making a bcrypt salt"),
        other => Error::new(Status::Internal, format!("bcrypt: {other}")),
    })?;
    Ok(parts.format_for_version(prefix.version()))
}

#[cfg_attr(signwire_libxcrypt, allow(dead_code))]
fn portable_verify(password: &[u8], text: &str) -> Result<bool> {
    match bc::verify(password, text) {
        Ok(ok) => Ok(ok),
        Err(bc::BcryptError::InvalidHash(why)) => Err(malformed(format!("bcrypt hash: {why}"))),
        Err(bc::BcryptError::CostNotAllowed(c)) => Err(malformed(format!("bcrypt cost {c} is outside {MIN_COST}-{MAX_COST}"))),
        Err(other) => Err(Error::new(Status::Internal, format!("bcrypt: {other}"))),
    }
}

#[cfg(signwire_libxcrypt)]
fn xcrypt_hash(password: &[u8], cost: u32, prefix: Prefix) -> Result<String> {
    use base64::Engine;
    let mut salt = Zeroizing::new([0u8; 16]);
    getrandom::fill(&mut salt[..])
        .map_err(|_| Error::new(Status::Internal, "the OS random generator failed while making a bcrypt salt"))?;
    // bcrypt's own base64 alphabet (./A-Za-z0-9), no padding: 16 bytes are 22 characters.
    let engine = base64::engine::GeneralPurpose::new(&base64::alphabet::BCRYPT, base64::engine::general_purpose::NO_PAD);
    let setting = format!("${}${cost:02}${}", prefix.as_str(), engine.encode(&salt[..]));
    super::xcrypt::crypt(password, &setting)?.ok_or_else(|| Error::new(Status::Internal, "libxcrypt could not compute the bcrypt hash"))
}

#[cfg(signwire_libxcrypt)]
fn xcrypt_verify(password: &[u8], text: &str) -> Result<bool> {
    use subtle::ConstantTimeEq;
    let computed = super::xcrypt::crypt(password, text)?.ok_or_else(|| malformed("bcrypt hash: libxcrypt refused its salt"))?;
    Ok(computed.len() == text.len() && bool::from(computed.as_bytes().ct_eq(text.as_bytes())))
}

/// Check `password` against a bcrypt `hash` (`$2y$`, `$2b$` or `$2a$`, any cost 4–31).
///
/// `Ok(())` when it matches, `BAD_SIGNATURE` when it does not; a malformed hash is
/// `MALFORMED_HEADER`, `$2x$` is `UNSUPPORTED_ALGORITHM`, and the password rules of
/// [`hash_password`] apply. The comparison is constant-time.
///
/// ```
/// use signwire::scheme::bcrypt::verify_password;
/// // Made by PHP: password_hash("rasmuslerdorf", PASSWORD_BCRYPT, ["cost" => 4])
/// let php = b"$2y$04$N8DemZKnNHl8Urmn2iqy8eQSRkQtMZTd5k.R7OqE3V.ydQCLgITqa";
/// assert!(verify_password(b"rasmuslerdorf", php).is_ok());
/// ```
pub fn verify_password(password: &[u8], hash: &[u8]) -> Result<()> {
    verify_password_max_cost(password, hash, MAX_COST)
}

fn verify_password_max_cost(password: &[u8], hash: &[u8], max_cost: u32) -> Result<()> {
    check_password(password)?;
    let info = parse_hash(hash)?;
    if info.cost > max_cost {
        return Err(malformed(format!("bcrypt cost {} is above this scheme's max_verify_cost {max_cost}", info.cost)));
    }
    // parse_hash checked that every byte is ASCII.
    let text = std::str::from_utf8(hash).map_err(|_| malformed("bcrypt hash is not ASCII"))?;
    #[cfg(signwire_libxcrypt)]
    let matched = xcrypt_verify(password, text)?;
    #[cfg(not(signwire_libxcrypt))]
    let matched = portable_verify(password, text)?;
    if matched {
        Ok(())
    } else {
        Err(Error::new(Status::BadSignature, "bcrypt signature does not match"))
    }
}

/// The bytes that bcrypt hashes for `fields` after `sha1_rounds` rounds of sha1 (the raw
/// concatenation when `sha1_rounds` is 0). Wiped when dropped: it is as good as the secret.
///
/// ```
/// use signwire::scheme::bcrypt::bcrypt_input;
/// // PHP: sha1("ab" . "c")
/// assert_eq!(&bcrypt_input(&["ab", "c"], 1)?[..], b"a9993e364706816aba3e25717850c26c9cd0d89d");
/// # Ok::<(), signwire::Error>(())
/// ```
pub fn bcrypt_input<F: AsRef<[u8]>>(fields: &[F], sha1_rounds: u32) -> Result<Zeroizing<Vec<u8>>> {
    Ok(sha1_chain(fields, sha1_rounds)?.pop().unwrap_or_default())
}

/// Every intermediate value: the concatenated data, then each sha1 round's hex. For
/// `explain`-style debugging only (the values are as sensitive as the secret field).
pub fn sha1_chain<F: AsRef<[u8]>>(fields: &[F], sha1_rounds: u32) -> Result<Vec<Zeroizing<Vec<u8>>>> {
    check_fields(fields)?;
    check_rounds(sha1_rounds)?;
    let mut chain = Vec::with_capacity(sha1_rounds as usize + 1);
    let mut data = Zeroizing::new(Vec::with_capacity(fields.iter().map(|f| f.as_ref().len()).sum()));
    for f in fields {
        data.extend_from_slice(f.as_ref());
    }
    chain.push(data);
    for _ in 0..sha1_rounds {
        let previous = chain.last().map(|v| v.as_slice()).unwrap_or_default();
        chain.push(Zeroizing::new(sha1_hex(previous).to_vec()));
    }
    Ok(chain)
}

fn sha1_hex(data: &[u8]) -> Zeroizing<[u8; 40]> {
    let digest = Zeroizing::new(<[u8; 20]>::from(Sha1::digest(data)));
    let mut hex = Zeroizing::new([0u8; 40]);
    // Cannot fail: 40 bytes is exactly twice 20. hex writes lowercase, as PHP's sha1() does.
    let _ = hex::encode_to_slice(&digest[..], &mut hex[..]);
    hex
}

/// The input to bcrypt without keeping the concatenation: sha1 is fed field by field.
fn password_for<F: AsRef<[u8]>>(fields: &[F], sha1_rounds: u32) -> Result<Zeroizing<Vec<u8>>> {
    check_fields(fields)?;
    check_rounds(sha1_rounds)?;
    if sha1_rounds == 0 {
        let mut data = Zeroizing::new(Vec::new());
        for f in fields {
            data.extend_from_slice(f.as_ref());
        }
        return Ok(data);
    }
    let mut hasher = Sha1::new();
    for f in fields {
        hasher.update(f.as_ref());
    }
    let digest = Zeroizing::new(<[u8; 20]>::from(hasher.finalize()));
    let mut hex = Zeroizing::new([0u8; 40]);
    let _ = hex::encode_to_slice(&digest[..], &mut hex[..]);
    for _ in 1..sha1_rounds {
        hex = sha1_hex(&hex[..]);
    }
    Ok(Zeroizing::new(hex.to_vec()))
}

fn check_fields<F: AsRef<[u8]>>(fields: &[F]) -> Result<()> {
    if fields.is_empty() {
        return Err(Error::invalid("at least one field is required (the spec's undefined variable would sign the empty string)"));
    }
    if fields.len() > MAX_FIELDS {
        return Err(Error::new(Status::InputTooLarge, format!("{} fields; the limit is {MAX_FIELDS}", fields.len())));
    }
    let total = fields.iter().try_fold(0usize, |acc, f| acc.checked_add(f.as_ref().len()));
    match total {
        Some(n) if n <= MAX_DATA_LEN => Ok(()),
        _ => Err(Error::new(Status::InputTooLarge, format!("the fields total more than {MAX_DATA_LEN} bytes"))),
    }
}

fn check_rounds(rounds: u32) -> Result<()> {
    if rounds > MAX_SHA1_ROUNDS {
        return Err(Error::invalid(format!("sha1_rounds must be 0 to {MAX_SHA1_ROUNDS}, got {rounds}")));
    }
    Ok(())
}

/// A bcrypt-based signature scheme, as data.
///
/// JSON form (every key but `name` optional):
/// `{"name": "...", "fields": ["clientId", ...], "request_sha1_rounds": 1,
///   "response_sha1_rounds": 2, "cost": 10, "prefix": "2y", "max_verify_cost": 12}` (`max_verify_cost` defaults to `cost` + 2).
/// `response_sha1_rounds` defaults to `request_sha1_rounds`. When `fields` is non-empty,
/// every call must pass exactly that many fields (a forgotten field is the commonest cause
/// of "Invalid signature"); when it is empty any number of fields is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BcryptScheme {
    /// Short name, for logs.
    pub name: String,
    /// Field names in signing order (documentation and a count check); may be empty.
    pub fields: Vec<String>,
    /// sha1 rounds before bcrypt for request signatures (0 = bcrypt the data itself).
    pub request_sha1_rounds: u32,
    /// sha1 rounds before bcrypt for response signatures.
    pub response_sha1_rounds: u32,
    /// bcrypt cost of new signatures.
    pub cost: u32,
    /// Prefix of new signatures.
    pub prefix: Prefix,
    /// Highest cost accepted on verification. A hash's cost is chosen by whoever made it and
    /// each step doubles the work, so a higher cost is refused (`MALFORMED_HEADER`) before any
    /// bcrypt work. Default: `cost` + [`VERIFY_COST_MARGIN`] (12 for the cost-10 preset).
    pub max_verify_cost: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    name: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default = "one")]
    request_sha1_rounds: u32,
    #[serde(default)]
    response_sha1_rounds: Option<u32>,
    #[serde(default = "default_cost")]
    cost: u32,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    max_verify_cost: Option<u32>,
}

fn one() -> u32 {
    1
}
fn default_cost() -> u32 {
    DEFAULT_COST
}

/// Largest bcrypt scheme document accepted, in bytes.
pub const MAX_DOCUMENT_LEN: usize = 64 * 1024;

/// Names of the built-in bcrypt presets.
pub const PRESETS: &[&str] = &["epintower"];

impl BcryptScheme {
    /// A preset by name, a path to a JSON document (`*.json`), or a JSON document itself.
    ///
    /// ```
    /// use signwire::scheme::bcrypt::BcryptScheme;
    /// let e = BcryptScheme::load("epintower")?;
    /// assert_eq!((e.request_sha1_rounds, e.response_sha1_rounds, e.cost), (1, 2, 10));
    /// # Ok::<(), signwire::Error>(())
    /// ```
    pub fn load(name_or_document: &str) -> Result<BcryptScheme> {
        let s = name_or_document.trim_start();
        if s.starts_with('{') {
            return BcryptScheme::from_json(s);
        }
        if let Some(p) = BcryptScheme::preset(s) {
            return Ok(p);
        }
        if s.ends_with(".json") || s.contains('/') {
            let meta = std::fs::metadata(s).map_err(|e| Error::invalid(format!("cannot read bcrypt scheme document {s:?}: {e}")))?;
            if meta.len() > MAX_DOCUMENT_LEN as u64 {
                return Err(Error::new(Status::InputTooLarge, format!("bcrypt scheme document {s:?} is over {MAX_DOCUMENT_LEN} bytes")));
            }
            let text = std::fs::read_to_string(s).map_err(|e| Error::invalid(format!("cannot read bcrypt scheme document {s:?}: {e}")))?;
            return BcryptScheme::from_json(&text);
        }
        Err(Error::invalid(format!(
            "unknown bcrypt scheme {:?}: expected one of {PRESETS:?}, a path to a .json document, or a JSON document",
            crate::headers::truncate_for_log(s)
        )))
    }

    /// A built-in preset.
    pub fn preset(name: &str) -> Option<BcryptScheme> {
        match name {
            "epintower" => Some(super::epintower::scheme()),
            _ => None,
        }
    }

    /// Parse and validate a JSON document (format on [`BcryptScheme`]).
    pub fn from_json(text: &str) -> Result<BcryptScheme> {
        if text.len() > MAX_DOCUMENT_LEN {
            return Err(Error::new(Status::InputTooLarge, format!("bcrypt scheme document is over {MAX_DOCUMENT_LEN} bytes")));
        }
        let d: Document = serde_json::from_str(text).map_err(|e| Error::invalid(format!("bcrypt scheme document: {e}")))?;
        let s = BcryptScheme {
            name: d.name,
            fields: d.fields,
            request_sha1_rounds: d.request_sha1_rounds,
            response_sha1_rounds: d.response_sha1_rounds.unwrap_or(d.request_sha1_rounds),
            cost: d.cost,
            prefix: d.prefix.as_deref().map(Prefix::parse).transpose()?.unwrap_or_default(),
            max_verify_cost: d.max_verify_cost.unwrap_or_else(|| default_max_verify_cost(d.cost)),
        };
        s.validate()?;
        Ok(s)
    }

    /// The scheme as a JSON document that [`BcryptScheme::from_json`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "name": self.name,
            "fields": self.fields,
            "request_sha1_rounds": self.request_sha1_rounds,
            "response_sha1_rounds": self.response_sha1_rounds,
            "cost": self.cost,
            "prefix": self.prefix.as_str(),
            "max_verify_cost": self.max_verify_cost,
        })
        .to_string()
    }

    /// Refuse schemes that cannot work.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(format!("bcrypt scheme {:?}: {m}", self.name)));
        if self.name.is_empty() || self.name.len() > 64 {
            return bad("name must be 1 to 64 characters".into());
        }
        if self.fields.len() > MAX_FIELDS {
            return bad(format!("at most {MAX_FIELDS} fields"));
        }
        if self.fields.iter().any(|f| f.is_empty() || f.len() > 64) {
            return bad("field names must be 1 to 64 characters".into());
        }
        for r in [self.request_sha1_rounds, self.response_sha1_rounds] {
            if r > MAX_SHA1_ROUNDS {
                return bad(format!("sha1 rounds must be 0 to {MAX_SHA1_ROUNDS}, got {r}"));
            }
        }
        if !(MIN_COST..=MAX_COST).contains(&self.cost) {
            return bad(format!("cost must be {MIN_COST} to {MAX_COST}, got {}", self.cost));
        }
        if !(self.cost..=MAX_COST).contains(&self.max_verify_cost) {
            return bad(format!("max_verify_cost must be from cost ({}) to {MAX_COST}, got {}", self.cost, self.max_verify_cost));
        }
        Ok(())
    }

    /// The same scheme signing at another cost (4–31).
    ///
    /// ```
    /// use signwire::scheme::bcrypt::BcryptScheme;
    /// assert_eq!(BcryptScheme::load("epintower")?.with_cost(12)?.cost, 12);
    /// assert!(BcryptScheme::load("epintower")?.with_cost(3).is_err());
    /// # Ok::<(), signwire::Error>(())
    /// ```
    pub fn with_cost(mut self, cost: u32) -> Result<BcryptScheme> {
        check_cost(cost)?;
        self.cost = cost;
        self.max_verify_cost = self.max_verify_cost.max(default_max_verify_cost(cost));
        Ok(self)
    }

    /// The same scheme verifying hashes up to `max_verify_cost` (from its cost to 31). Hashes
    /// above it are refused with `MALFORMED_HEADER` before any bcrypt work.
    ///
    /// ```
    /// use signwire::scheme::bcrypt::BcryptScheme;
    /// let e = BcryptScheme::load("epintower")?;
    /// assert_eq!(e.max_verify_cost, 12);                      // cost 10 + 2 by default
    /// assert_eq!(e.clone().with_max_verify_cost(14)?.max_verify_cost, 14);
    /// assert!(e.with_max_verify_cost(9).is_err());           // below the signing cost
    /// # Ok::<(), signwire::Error>(())
    /// ```
    pub fn with_max_verify_cost(mut self, max_verify_cost: u32) -> Result<BcryptScheme> {
        self.max_verify_cost = max_verify_cost;
        self.validate()?;
        Ok(self)
    }

    /// sha1 rounds this scheme uses for `direction`.
    pub fn sha1_rounds(&self, direction: Direction) -> u32 {
        match direction {
            Direction::Request => self.request_sha1_rounds,
            Direction::Response => self.response_sha1_rounds,
        }
    }

    fn check_count(&self, count: usize) -> Result<()> {
        if !self.fields.is_empty() && count != self.fields.len() {
            return Err(Error::invalid(format!(
                "bcrypt scheme {:?} signs {} fields ({}), {count} were given",
                self.name,
                self.fields.len(),
                self.fields.join(", ")
            )));
        }
        Ok(())
    }

    /// Sign `fields` (in order) for `direction`: a fresh 60-character hash.
    pub fn sign<F: AsRef<[u8]>>(&self, direction: Direction, fields: &[F]) -> Result<String> {
        self.sign_with_rounds(self.sha1_rounds(direction), fields)
    }

    /// Verify `signature` over `fields` for `direction`: `Ok(())` or `BAD_SIGNATURE`
    /// (`MALFORMED_HEADER`, `UNSUPPORTED_ALGORITHM` for hashes that cannot be checked).
    pub fn verify<F: AsRef<[u8]>>(&self, direction: Direction, fields: &[F], signature: impl AsRef<[u8]>) -> Result<()> {
        self.verify_with_rounds(self.sha1_rounds(direction), fields, signature)
    }

    /// [`BcryptScheme::sign`] with an explicit number of sha1 rounds.
    pub fn sign_with_rounds<F: AsRef<[u8]>>(&self, sha1_rounds: u32, fields: &[F]) -> Result<String> {
        self.check_count(fields.len())?;
        let password = password_for(fields, sha1_rounds)?;
        hash_password(&password, self.cost, self.prefix)
    }

    /// [`BcryptScheme::verify`] with an explicit number of sha1 rounds.
    pub fn verify_with_rounds<F: AsRef<[u8]>>(&self, sha1_rounds: u32, fields: &[F], signature: impl AsRef<[u8]>) -> Result<()> {
        self.check_count(fields.len())?;
        // The hash's shape is checked before any hashing, so junk costs nothing.
        parse_hash(signature.as_ref())?;
        let password = password_for(fields, sha1_rounds)?;
        verify_password_max_cost(&password, signature.as_ref(), self.max_verify_cost)
    }
}

/// Both backends against PHP's vectors and each other (only where both are built).
#[cfg(all(test, signwire_libxcrypt))]
mod backends {
    use super::*;

    #[test]
    fn both_backends_agree_with_php() {
        let doc: serde_json::Value = serde_json::from_str(include_str!("../../tests/vectors/epintower.json")).unwrap();
        let mut checked = 0;
        for case in doc["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let signature = case["signature"].as_str().unwrap();
            let expect = case["expect"].as_str().unwrap();
            if parse_hash(signature.as_bytes()).is_err() || !matches!(expect, "ok" | "SIGNWIRE_ERR_BAD_SIGNATURE") {
                continue; // refused by parse_hash, before either backend runs
            }
            let fields: Vec<&str> = case["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            let Ok(input) = bcrypt_input(&fields, case["sha1_rounds"].as_u64().unwrap() as u32) else { continue };
            if check_password(&input).is_err() {
                continue;
            }
            let want = expect == "ok";
            assert_eq!(portable_verify(&input, signature).unwrap(), want, "bcrypt crate: {name}");
            assert_eq!(xcrypt_verify(&input, signature).unwrap(), want, "libxcrypt: {name}");
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} vectors reached the backends");
    }

    #[test]
    fn each_backend_verifies_the_others_hashes() {
        for prefix in [Prefix::TwoY, Prefix::TwoB, Prefix::TwoA] {
            // 8-bit input only for $2y$/$2b$: for $2a$, crypt_blowfish (and so PHP) applies
            // its countermeasure for the old sign-extension bug, which the crate does not.
            let eight_bit: &[u8] = if prefix == Prefix::TwoA { b"ascii only" } else { "\u{e9}t\u{e9}".as_bytes() };
            for password in [&b"74865cd92b89741f2ea1188fac34660e880a2a25"[..], &[b'x'; 72][..], eight_bit] {
                let a = xcrypt_hash(password, 4, prefix).unwrap();
                assert!(a.starts_with(&format!("${}$04$", prefix.as_str())), "{a}");
                assert!(portable_verify(password, &a).unwrap(), "{a}");
                let b = portable_hash(password, 4, prefix).unwrap();
                assert!(xcrypt_verify(password, &b).unwrap(), "{b}");
                assert!(!xcrypt_verify(b"other", &b).unwrap());
                assert!(!portable_verify(b"other", &a).unwrap());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(cost: u32) -> BcryptScheme {
        BcryptScheme::from_json(&format!(r#"{{"name":"t","cost":{cost}}}"#)).unwrap()
    }

    #[test]
    fn sha1_rounds_match_published_sha1_values() {
        // FIPS 180 example: sha1("abc") = a9993e36...; sha1 of that hex computed with
        // `printf %s a9993e364706816aba3e25717850c26c9cd0d89d | sha1sum`.
        let chain = sha1_chain(&["a", "b", "c"], 2).unwrap();
        assert_eq!(&chain[0][..], b"abc");
        assert_eq!(&chain[1][..], b"a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(&chain[2][..], b"9ef2bdeea2b1bae79b9ddb930427d0b2c880bdac");
        assert_eq!(&password_for(&["a", "bc"], 2).unwrap()[..], &chain[2][..]);
        assert_eq!(&password_for(&["abc"], 0).unwrap()[..], b"abc");
    }

    #[test]
    fn hash_shape_checks() {
        let good = b"$2y$04$N8DemZKnNHl8Urmn2iqy8eQSRkQtMZTd5k.R7OqE3V.ydQCLgITqa";
        assert_eq!(parse_hash(good).unwrap(), HashInfo { prefix: Prefix::TwoY, cost: 4 });
        let with = |i: usize, b: u8| {
            let mut h = good.to_vec();
            h[i] = b;
            parse_hash(&h).map_err(|e| e.status())
        };
        assert_eq!(with(2, b'x'), Err(Status::UnsupportedAlgorithm));
        assert_eq!(with(2, b'z'), Err(Status::MalformedHeader));
        assert_eq!(with(1, b'3'), Err(Status::MalformedHeader));
        assert_eq!(with(5, b'3'), Err(Status::MalformedHeader)); // cost 03
        assert_eq!(with(4, b'+'), Err(Status::MalformedHeader));
        assert_eq!(with(4, b'3'), Err(Status::MalformedHeader)); // cost 34
        assert_eq!(with(20, b'!'), Err(Status::MalformedHeader));
        assert_eq!(with(20, 0xc3), Err(Status::MalformedHeader));
        assert_eq!(parse_hash(&good[..59]).unwrap_err().status(), Status::MalformedHeader);
        assert_eq!(parse_hash(b"").unwrap_err().status(), Status::MalformedHeader);
    }

    #[test]
    fn raw_input_is_refused_not_truncated() {
        assert_eq!(hash_password(&[b'a'; 73], 4, Prefix::TwoY).unwrap_err().status(), Status::InputTooLarge);
        assert_eq!(hash_password(b"a\0b", 4, Prefix::TwoY).unwrap_err().status(), Status::InvalidArgument);
        let h = hash_password(&[b'a'; 72], 4, Prefix::TwoY).unwrap();
        assert!(verify_password(&[b'a'; 72], h.as_bytes()).is_ok());
        assert_eq!(verify_password(&[b'a'; 73], h.as_bytes()).unwrap_err().status(), Status::InputTooLarge);
        // With 0 sha1 rounds a scheme bcrypts the data itself, so the same rules apply.
        let s = scheme(4);
        assert_eq!(s.sign_with_rounds(0, &[&[b'a'; 40][..], &[b'b'; 33][..]]).unwrap_err().status(), Status::InputTooLarge);
        assert_eq!(s.sign_with_rounds(0, &["a\0"]).unwrap_err().status(), Status::InvalidArgument);
        // ... and one round makes any length fine.
        let long = vec![b'z'; 10_000];
        let sig = s.sign_with_rounds(1, &[&long[..]]).unwrap();
        assert!(s.verify_with_rounds(1, &[&long[..]], &sig).is_ok());
    }

    #[test]
    fn costs_and_prefixes() {
        assert_eq!(hash_password(b"x", 3, Prefix::TwoY).unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(hash_password(b"x", 32, Prefix::TwoY).unwrap_err().status(), Status::InvalidArgument);
        for p in [Prefix::TwoA, Prefix::TwoB, Prefix::TwoY] {
            let h = hash_password(b"x", 5, p).unwrap();
            assert_eq!(&h[..7], format!("${}$05$", p.as_str()));
            assert_eq!(parse_hash(h.as_bytes()).unwrap(), HashInfo { prefix: p, cost: 5 });
            assert!(verify_password(b"x", h.as_bytes()).is_ok());
            assert_eq!(verify_password(b"y", h.as_bytes()).unwrap_err().status(), Status::BadSignature);
        }
    }

    #[test]
    fn max_verify_cost_refuses_expensive_hashes_before_hashing() {
        let mut s = scheme(4);
        s.max_verify_cost = 5;
        let h6 = scheme(6).sign(Direction::Request, &["a"]).unwrap();
        assert_eq!(s.verify(Direction::Request, &["a"], &h6).unwrap_err().status(), Status::MalformedHeader);
        // A cost-31 hash would take days; it must be refused at once.
        let h31 = format!("$2y$31${}", &h6[7..]);
        assert_eq!(s.verify(Direction::Request, &["a"], &h31).unwrap_err().status(), Status::MalformedHeader);
    }

    #[test]
    fn field_count_and_limits() {
        let s = BcryptScheme::from_json(r#"{"name":"n","fields":["a","b"],"cost":4}"#).unwrap();
        let e = s.sign(Direction::Request, &["x"]).unwrap_err();
        assert_eq!(e.status(), Status::InvalidArgument);
        assert!(e.message().contains("a, b"), "{}", e.message());
        let none: [&str; 0] = [];
        assert_eq!(scheme(4).sign(Direction::Request, &none).unwrap_err().status(), Status::InvalidArgument);
        let many = vec!["x"; MAX_FIELDS + 1];
        assert_eq!(scheme(4).sign(Direction::Request, &many).unwrap_err().status(), Status::InputTooLarge);
        let big = vec![0u8; MAX_DATA_LEN + 1];
        assert_eq!(scheme(4).sign(Direction::Request, &[&big[..]]).unwrap_err().status(), Status::InputTooLarge);
        assert_eq!(scheme(4).sign_with_rounds(MAX_SHA1_ROUNDS + 1, &["x"]).unwrap_err().status(), Status::InvalidArgument);
    }

    #[test]
    fn documents() {
        let s = BcryptScheme::from_json(r#"{"name":"n","request_sha1_rounds":3,"prefix":"2b"}"#).unwrap();
        assert_eq!((s.request_sha1_rounds, s.response_sha1_rounds, s.cost, s.prefix), (3, 3, 10, Prefix::TwoB));
        assert_eq!(BcryptScheme::from_json(&s.to_json()).unwrap(), s);
        let e = BcryptScheme::load("epintower").unwrap();
        assert_eq!(BcryptScheme::from_json(&e.to_json()).unwrap(), e);
        for bad in [
            r#"{"name":"n","prefix":"2x"}"#,
            r#"{"name":"n","cost":3}"#,
            r#"{"name":"n","cost":12,"max_verify_cost":11}"#,
            r#"{"name":"n","request_sha1_rounds":17}"#,
            r#"{"name":"","cost":10}"#,
            r#"{"name":"n","colour":"red"}"#,
            r#"{"name":"n","fields":[""]}"#,
            "{",
        ] {
            assert!(BcryptScheme::from_json(bad).is_err(), "{bad}");
        }
        assert_eq!(BcryptScheme::from_json(r#"{"name":"n","prefix":"2x"}"#).unwrap_err().status(), Status::UnsupportedAlgorithm);
        assert_eq!(BcryptScheme::load("nope").unwrap_err().status(), Status::InvalidArgument);
    }
}
