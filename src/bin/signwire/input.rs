//! Reading the inputs the commands share: secrets, bodies, header lines, times, the policy.

use crate::args::PolicyArgs;
use crate::Fail;
use signwire::headers::{parse_timestamp, Headers};
use signwire::Verifier;
use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

/// One trailing newline (LF or CRLF) dropped: `echo secret > file` must not change the key.
pub fn trim_newline(mut v: Vec<u8>) -> Vec<u8> {
    if v.ends_with(b"\n") {
        v.pop();
        if v.ends_with(b"\r") {
            v.pop();
        }
    }
    v
}

/// A secret from an environment variable.
pub fn secret_from_env(var: &OsStr) -> Result<Zeroizing<Vec<u8>>, Fail> {
    std::env::var_os(var)
        .map(|v| Zeroizing::new(v.into_encoded_bytes()))
        .ok_or_else(|| Fail::Usage(format!("environment variable {} is not set", var.to_string_lossy())))
}

/// A secret from a file, one trailing newline ignored.
pub fn secret_from_file(path: &Path, option: &str) -> Result<Zeroizing<Vec<u8>>, Fail> {
    std::fs::read(path)
        .map(|b| Zeroizing::new(trim_newline(b)))
        .map_err(|e| Fail::Usage(format!("cannot read {option} {}: {e}", path.display())))
}

/// The secret of `--secret-env`/`--secret-file` (clap makes sure exactly one is given).
pub fn secret(env: Option<&OsStr>, file: Option<&Path>) -> Result<Zeroizing<Vec<u8>>, Fail> {
    match (env, file) {
        (Some(var), _) => secret_from_env(var),
        (None, Some(path)) => secret_from_file(path, "--secret-file"),
        (None, None) => Err(Fail::Usage("a secret is required: --secret-env VAR or --secret-file PATH".into())),
    }
}

/// All of stdin.
pub fn stdin_bytes(what: &str) -> Result<Vec<u8>, Fail> {
    let mut b = Vec::new();
    std::io::stdin().read_to_end(&mut b).map_err(|e| Fail::Usage(format!("cannot read {what} from stdin: {e}")))?;
    Ok(b)
}

/// The body of `--body-file PATH|-` (empty when not given).
pub fn body(file: Option<&str>) -> Result<Vec<u8>, Fail> {
    match file {
        None => Ok(Vec::new()),
        Some("-") => stdin_bytes("the body"),
        Some(p) => std::fs::read(p).map_err(|e| Fail::Usage(format!("cannot read --body-file {p}: {e}"))),
    }
}

/// Unix seconds from an option.
pub fn seconds(value: Option<&str>, option: &str) -> Result<Option<i64>, Fail> {
    value.map(|t| parse_timestamp(t).map_err(|e| Fail::Usage(format!("--{option}: {}", e.message())))).transpose()
}

/// `Name: value` split as HTTP does (the value's surrounding blanks are not part of it).
pub fn header_line(line: &str) -> Result<(&str, &str), Fail> {
    let (n, v) = line.split_once(':').ok_or_else(|| Fail::Usage(format!("--header {line:?} is not 'Name: value'")))?;
    Ok((n.trim(), v.trim_matches([' ', '\t'])))
}

/// Header lines into `Headers`; a header the library refuses is `on_refused`'s kind of failure.
pub fn headers(lines: &[String], on_refused: fn(signwire::Error) -> Fail) -> Result<Headers, Fail> {
    let mut h = Headers::new();
    for line in lines {
        let (n, v) = header_line(line)?;
        h.push(n, v).map_err(on_refused)?;
    }
    Ok(h)
}

/// Apply the shared policy options to a verifier.
pub fn apply_policy(verifier: &mut Verifier, p: &PolicyArgs) -> Result<(), Fail> {
    for cidr in &p.allow_ip {
        verifier.allow_ip(cidr).map_err(|e| Fail::Usage(format!("--allow-ip: {}", e.message())))?;
    }
    for cidr in &p.trusted_proxy {
        verifier.trust_proxy(cidr).map_err(|e| Fail::Usage(format!("--trusted-proxy: {}", e.message())))?;
    }
    if let Some(s) = p.max_age {
        verifier.set_max_age(s).map_err(|e| Fail::Usage(format!("--max-age: {}", e.message())))?;
    }
    if let Some(s) = p.max_future_skew {
        verifier.set_max_future_skew(s).map_err(|e| Fail::Usage(format!("--max-future-skew: {}", e.message())))?;
    }
    if let Some(url) = &p.nonce_store {
        // An unreachable store is a verification outcome (fail closed, exit 1); a malformed
        // URL is an input error.
        verifier
            .set_nonce_store_url(url)
            .map_err(|e| if e.status().is_verification_failure() { Fail::Refused(e) } else { Fail::Input(e) })?;
    }
    Ok(())
}
