//! Sealing selected query parameters into one parameter, for APIs that pass sensitive data
//! in the query string.
//!
//! The client takes the chosen `name=value` pairs out of the query (as they appear, still
//! percent-encoded, in their order), joins them with `&`, seals that string into one JWE,
//! and puts the token where the first chosen pair was, as one parameter (`sealed` by
//! default). A JWE compact token uses only base64url characters and dots, so it needs no
//! percent-encoding. Then the client signs the URL as usual; the server verifies the
//! signature over the URL as received, then opens the parameter back into the pairs.
//!
//! Names are matched exactly as they appear in the query (the raw, encoded form).
//!
//! ```
//! use signwire::seal::{query, OpeningKeys, Recipient, SharedKey};
//! let key = SharedKey::new(&[5; 32])?;
//! let to = Recipient::shared("k1", key.clone())?;
//! let sealed = query::seal_query("a=1&card=4111111111111111&cvv=123&b=2", &["card", "cvv"], query::DEFAULT_PARAM, &to)?;
//! assert!(sealed.starts_with("a=1&sealed=ey") && sealed.ends_with("&b=2"));
//! assert!(!sealed.contains("4111"));
//!
//! let keys = OpeningKeys::new();
//! keys.add_shared("k1", key)?;
//! let opened = query::open_query(&sealed, query::DEFAULT_PARAM, &keys)?;
//! assert_eq!(opened.as_str(), "a=1&card=4111111111111111&cvv=123&b=2");
//! assert_eq!(query::pairs(&opened)[1], ("card", "4111111111111111"));
//! # Ok::<(), signwire::Error>(())
//! ```

use super::{OpeningKeys, Recipient};
use crate::error::{Error, Result, Status};
use zeroize::{Zeroize, Zeroizing};

/// The parameter that carries the sealed pairs unless the caller names another.
pub const DEFAULT_PARAM: &str = "sealed";

/// The query split into raw `(name, value)` pairs, in order; no percent-decoding. A pair
/// without `=` has an empty value; empty pieces (`a=1&&b=2`) are skipped.
pub fn pairs(query: &str) -> Vec<(&str, &str)> {
    query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect()
}

fn check_param(param: &str) -> Result<()> {
    if param.is_empty() || !param.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
        return Err(Error::invalid("the sealed parameter's name must be non-empty and use only A-Z a-z 0-9 - . _ ~"));
    }
    Ok(())
}

fn name_of(piece: &str) -> &str {
    piece.split_once('=').map_or(piece, |(n, _)| n)
}

/// Seal every pair of `query` whose name is in `names` into one parameter `param`.
/// Each name must occur in the query, and `param` must not.
pub fn seal_query(query: &str, names: &[&str], param: &str, recipient: &Recipient) -> Result<String> {
    check_param(param)?;
    if names.is_empty() || names.iter().any(|n| n.is_empty()) {
        return Err(Error::invalid("name at least one parameter to seal (names must be non-empty)"));
    }
    if query.contains('#') {
        return Err(Error::invalid("pass the query without a #fragment"));
    }
    let pieces: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if pieces.iter().any(|p| name_of(p) == param) {
        return Err(Error::invalid(format!("the query already has a \"{param}\" parameter")));
    }
    for n in names {
        if !pieces.iter().any(|p| name_of(p) == *n) {
            return Err(Error::invalid(format!("parameter \"{n}\" is not in the query; nothing would be sealed for it")));
        }
    }
    // Sized up front: a reallocation would leave a copy of the card data in freed memory.
    let mut inner = Zeroizing::new(String::with_capacity(query.len()));
    let mut first = None;
    for (i, p) in pieces.iter().enumerate() {
        if names.contains(&name_of(p)) {
            first.get_or_insert(i);
            if !inner.is_empty() {
                inner.push('&');
            }
            inner.push_str(p);
        }
    }
    let token = recipient.seal(inner.as_bytes())?;
    let mut out = String::with_capacity(query.len() + token.len());
    for (i, p) in pieces.iter().enumerate() {
        let sealed_here = Some(i) == first;
        if names.contains(&name_of(p)) && !sealed_here {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        if sealed_here {
            out.push_str(param);
            out.push('=');
            out.push_str(&token);
        } else {
            out.push_str(p);
        }
    }
    Ok(out)
}

/// Open the parameter `param` of `query` and put its pairs back in its place. The query
/// must hold `param` exactly once ([`Status::MalformedToken`] otherwise); opening errors
/// are those of [`OpeningKeys::open`].
pub fn open_query(query: &str, param: &str, keys: &OpeningKeys) -> Result<Zeroizing<String>> {
    check_param(param)?;
    let pieces: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let at: Vec<usize> = pieces.iter().enumerate().filter(|(_, p)| name_of(p) == param).map(|(i, _)| i).collect();
    let i = match at[..] {
        [i] => i,
        [] => return Err(Error::new(Status::MalformedToken, format!("the query has no \"{param}\" parameter"))),
        _ => return Err(Error::new(Status::MalformedToken, format!("the query has \"{param}\" more than once"))),
    };
    let token = pieces[i].split_once('=').map_or("", |(_, v)| v);
    let plain = keys.open(token.as_bytes())?;
    let inner = std::str::from_utf8(&plain).map_err(|_| Error::new(Status::MalformedToken, "the sealed parameters are not UTF-8 text"))?;
    if inner.is_empty() || inner.contains('#') || inner.split('&').any(|p| p.is_empty() || name_of(p) == param) {
        return Err(Error::new(Status::MalformedToken, "the sealed parameters are not a well-formed query"));
    }
    let mut out = Zeroizing::new(String::with_capacity(query.len() + inner.len()));
    for (j, p) in pieces.iter().enumerate() {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(if j == i { inner } else { p });
    }
    Ok(out)
}

fn split_url(url: &str) -> (&str, Option<&str>, &str) {
    let (rest, fragment) = match url.find('#') {
        Some(f) => (&url[..f], &url[f..]),
        None => (url, ""),
    };
    match rest.split_once('?') {
        Some((base, q)) => (base, Some(q), fragment),
        None => (rest, None, fragment),
    }
}

/// [`seal_query`] on a URL's query; the rest of the URL is kept byte for byte.
///
/// ```
/// use signwire::seal::{query, Recipient, SharedKey};
/// let to = Recipient::shared("k1", SharedKey::new(&[5; 32])?)?;
/// let url = query::seal_url("https://api.example.com/v1/pay?card=4111111111111111&x=1", &["card"], "sealed", &to)?;
/// assert!(url.starts_with("https://api.example.com/v1/pay?sealed=ey") && url.ends_with("&x=1"));
/// # Ok::<(), signwire::Error>(())
/// ```
pub fn seal_url(url: &str, names: &[&str], param: &str, recipient: &Recipient) -> Result<String> {
    let (base, query, fragment) = split_url(url);
    let query = query.ok_or_else(|| Error::invalid("the URL has no query to seal parameters from"))?;
    Ok(format!("{base}?{}{fragment}", seal_query(query, names, param, recipient)?))
}

/// [`open_query`] on a URL's query; the rest of the URL is kept byte for byte.
pub fn open_url(url: &str, param: &str, keys: &OpeningKeys) -> Result<Zeroizing<String>> {
    let (base, query, fragment) = split_url(url);
    let query = query.ok_or_else(|| Error::new(Status::MalformedToken, format!("the URL has no query, so no \"{param}\" parameter")))?;
    let mut opened = open_query(query, param, keys)?;
    let mut out = Zeroizing::new(String::with_capacity(base.len() + 1 + opened.len() + fragment.len()));
    out.push_str(base);
    out.push('?');
    out.push_str(&opened);
    out.push_str(fragment);
    opened.zeroize();
    Ok(out)
}
