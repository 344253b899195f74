//! `signwire seal`, `open`, `seal-query`, `open-query`: sealed bodies from the command line.
//!
//! Keys come from files or environment variables, never from arguments. Data that may be
//! sensitive (bodies, queries) comes from files or stdin for the same reason. stdout holds
//! only the token or the plaintext: a failure's status name goes to stderr, so that
//! `signwire open ... > plain.txt` never writes it into the output file.

use crate::args::{OpenArgs, OpenQueryArgs, SealArgs, SealKey, SealQueryArgs};
use crate::input::{secret_from_env, secret_from_file, trim_newline};
use crate::{emit, Fail};
use signwire::seal::{query, OpeningKeys, Recipient, RsaPrivateKey, RsaPublicKey, SharedKey};
use signwire::{Error, Status};
use zeroize::Zeroizing;

enum KeySource {
    Aes(Zeroizing<Vec<u8>>),
    Rsa(Zeroizing<Vec<u8>>),
}

/// The one key source clap let through.
fn key_source(k: &SealKey) -> Result<KeySource, Fail> {
    Ok(match (&k.aes_key_file, &k.aes_key_env, &k.rsa_key_file, &k.rsa_key_env) {
        (Some(p), ..) => KeySource::Aes(secret_from_file(p, "--aes-key-file")?),
        (_, Some(v), ..) => KeySource::Aes(secret_from_env(v)?),
        (.., Some(p), _) => KeySource::Rsa(secret_from_file(p, "--rsa-key-file")?),
        (.., Some(v)) => KeySource::Rsa(secret_from_env(v)?),
        _ => return Err(Fail::Usage("a key is required: --aes-key-file, --aes-key-env, --rsa-key-file or --rsa-key-env".into())),
    })
}

/// 64 hex digits or 43 unpadded base64url characters; the two lengths cannot be confused.
fn aes_key(text: &[u8]) -> Result<SharedKey, Fail> {
    let t = text.trim_ascii();
    let raw = match t.len() {
        64 => hex::decode(t).ok(),
        43 => {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t).ok()
        }
        _ => None,
    }
    .map(Zeroizing::new)
    .ok_or_else(|| Fail::Usage("the AES key must be 32 bytes written as 64 hex digits or 43 base64url characters".into()))?;
    SharedKey::new(&raw).map_err(Fail::Input)
}

/// A file, or stdin for `None` and `-`.
fn read_input(file: Option<&str>, option: &str, trim: bool) -> Result<Zeroizing<Vec<u8>>, Fail> {
    let data = match file {
        None | Some("-") => crate::input::stdin_bytes("the input")?,
        Some(p) => std::fs::read(p).map_err(|e| Fail::Usage(format!("cannot read --{option} {p}: {e}")))?,
    };
    Ok(Zeroizing::new(if trim { trim_newline(data) } else { data }))
}

fn recipient(kid: &str, k: &SealKey) -> Result<Recipient, Fail> {
    match key_source(k)? {
        KeySource::Aes(t) => Recipient::shared(kid, aes_key(&t)?),
        KeySource::Rsa(pem) => Recipient::rsa(kid, RsaPublicKey::parse(&pem).map_err(Fail::Input)?),
    }
    .map_err(Fail::Input)
}

fn opening_keys(kid: &str, k: &SealKey, max_token_len: Option<usize>) -> Result<OpeningKeys, Fail> {
    let mut keys = OpeningKeys::new();
    if let Some(n) = max_token_len {
        keys = keys.with_max_token_len(n).map_err(Fail::Input)?;
    }
    match key_source(k)? {
        KeySource::Aes(t) => keys.add_shared(kid, aes_key(&t)?),
        KeySource::Rsa(pem) => keys.add_rsa(kid, RsaPrivateKey::parse(&pem).map_err(Fail::Input)?),
    }
    .map_err(Fail::Input)?;
    Ok(keys)
}

/// Failures of a token to open exit 1; everything else (keys, usage) exits 2.
fn opened<T>(r: signwire::Result<T>) -> Result<T, Fail> {
    r.map_err(|e| match e.status() {
        Status::MalformedToken | Status::DecryptionFailed | Status::UnsupportedAlgorithm | Status::UnknownKey | Status::InputTooLarge => {
            Fail::Refused(e)
        }
        _ => Fail::Input(e),
    })
}

fn text(data: &[u8], what: &str) -> Result<String, Fail> {
    String::from_utf8(data.to_vec()).map_err(|_| Fail::Input(Error::new(Status::InvalidUtf8, format!("the {what} is not UTF-8"))))
}

/// `seal`: the token on stdout.
pub fn seal(a: &SealArgs) -> Result<(), Fail> {
    let r = recipient(&a.kid, &a.key)?;
    let body = read_input(a.body_file.as_deref(), "body-file", false)?;
    emit(r.seal(&body).map_err(Fail::Input)?.as_bytes())
}

/// `open`: the plaintext on stdout.
pub fn open(a: &OpenArgs) -> Result<(), Fail> {
    let keys = opening_keys(&a.kid, &a.key, a.max_token_len)?;
    let token = read_input(a.token_file.as_deref(), "token-file", true)?;
    emit(&opened(keys.open(&token[..]))?)
}

/// `seal-query`: the query with the named parameters sealed into one.
pub fn seal_query(a: &SealQueryArgs) -> Result<(), Fail> {
    let r = recipient(&a.kid, &a.key)?;
    let names: Vec<&str> = a.params.split(',').map(str::trim).collect();
    let q = text(&read_input(a.query_file.as_deref(), "query-file", true)?, "query")?;
    let param = a.param.as_deref().unwrap_or(query::DEFAULT_PARAM);
    emit(query::seal_query(&q, &names, param, &r).map_err(Fail::Input)?.as_bytes())
}

/// `open-query`: the query with the sealed parameter opened back into its parameters.
pub fn open_query(a: &OpenQueryArgs) -> Result<(), Fail> {
    let keys = opening_keys(&a.kid, &a.key, a.max_token_len)?;
    let q = text(&read_input(a.query_file.as_deref(), "query-file", true)?, "query")?;
    let param = a.param.as_deref().unwrap_or(query::DEFAULT_PARAM);
    emit(opened(query::open_query(&q, param, &keys))?.as_bytes())
}
