//! Component identifiers and their values (RFC 9421 sections 2.1 and 2.2).
//!
//! A component identifier is a structured-field string item: a lowercase field name
//! (`"content-digest"`) or a derived component (`"@method"`), with parameters (`;sf`,
//! `;key="a"`, `;bs`, `;name="q"`). [`ComponentId::value`] derives the value from a
//! [`Message`]; signer and verifier call the same code.

use super::structured_field::{self as sf, BareItem, Item, Parameters};
use crate::error::{Error, Result, Status};
use crate::headers::Headers;
use base64::Engine;

/// The parts of an HTTP message that components are derived from.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The request method (for a response: the request's).
    pub method: &'a str,
    /// The target URI: absolute (`https://host/path?query`) or origin-form (`/path?query`,
    /// with the authority taken from `Host`).
    pub url: &'a str,
    /// The message's header fields.
    pub headers: &'a Headers,
    /// The status code, for a response; `None` for a request.
    pub status: Option<u16>,
}

/// The pieces of the target URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    pub scheme: Option<&'a str>,
    pub authority: Option<&'a str>,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

/// Split an absolute or origin-form URL; any fragment is dropped (it is never sent).
pub(crate) fn split_url(url: &str) -> Result<Target<'_>> {
    let url = url.split('#').next().unwrap_or("");
    let (scheme, rest) = match url.find("://") {
        Some(i) if url[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) && i > 0 => {
            (Some(&url[..i]), &url[i + 3..])
        }
        _ => (None, url),
    };
    let (authority, rest) = if scheme.is_some() {
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        (Some(&rest[..end]), &rest[end..])
    } else {
        if !rest.starts_with('/') {
            return Err(Error::invalid(format!(
                "the URL must be absolute (https://host/path) or origin-form (/path), got {:?}",
                crate::headers::truncate_for_log(url)
            )));
        }
        (None, rest)
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    Ok(Target { scheme, authority, path, query })
}

/// Lowercase host, default port removed (RFC 9110 section 4.2.3 normalisation).
fn normalize_authority(authority: &str, scheme: Option<&str>) -> String {
    let mut a = authority.to_ascii_lowercase();
    let default = match scheme.map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Some(":443"),
        Some("http") => Some(":80"),
        _ => None,
    };
    if let Some(port) = default {
        if a.ends_with(port) {
            a.truncate(a.len() - port.len());
        }
    }
    a
}

/// Header fields whose structured type RFC 9421 implementations must know for `;sf` and
/// `;key`: the signature fields, the digest fields, and a few common registered ones.
fn structured_type(name: &str) -> Option<SfType> {
    Some(match name {
        "signature-input" | "signature" | "accept-signature" | "content-digest" | "repr-digest"
        | "want-content-digest" | "want-repr-digest" | "priority" | "example-dict" => SfType::Dictionary,
        "cache-status" | "proxy-status" | "example-list" => SfType::List,
        "example-item" => SfType::Item,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SfType {
    Dictionary,
    List,
    Item,
}

/// One covered component: its name and parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentId {
    /// `@method`, `content-digest`...
    pub name: String,
    /// `sf`, `key`, `bs`, `name`.
    pub params: Parameters,
}

const DERIVED: [&str; 10] = [
    "@method",
    "@target-uri",
    "@authority",
    "@scheme",
    "@request-target",
    "@path",
    "@query",
    "@query-param",
    "@status",
    "@signature-params",
];

impl ComponentId {
    /// Parse `@method`, `content-type`, `content-digest;sf`, `example-dict;key="a"`,
    /// `@query-param;name="Pet"` (the text form used in scheme documents and on the command
    /// line), or the structured-field string item itself (`"@method"`).
    pub fn parse(text: &str) -> Result<ComponentId> {
        let item = if text.starts_with('"') {
            sf::parse_item(text)?
        } else {
            let (name, params) = text.split_once(';').map_or((text, ""), |(n, p)| (n, p));
            let mut quoted = String::new();
            sf::serialize_bare_item(&BareItem::String(name.to_string()), &mut quoted)?;
            if !params.is_empty() {
                quoted.push(';');
                quoted.push_str(params);
            }
            sf::parse_item(&quoted).map_err(|e| Error::invalid(format!("component {text:?}: {}", e.message())))?
        };
        ComponentId::from_item(&item).map_err(|e| Error::invalid(e.message().to_string()))
    }

    /// The identifier from a `Signature-Input` item; refuses what RFC 9421 forbids or what
    /// signwire does not derive (`;req`, `;tr`, unknown derived names or parameters).
    pub fn from_item(item: &Item) -> Result<ComponentId> {
        let BareItem::String(name) = &item.bare else {
            return Err(bad("a component identifier must be a string"));
        };
        let id = ComponentId { name: name.clone(), params: item.params.clone() };
        id.check()?;
        Ok(id)
    }

    fn check(&self) -> Result<()> {
        let name = self.name.as_str();
        if name.starts_with('@') {
            if !DERIVED.contains(&name) || name == "@signature-params" {
                return Err(bad(format!("unknown or forbidden derived component {name:?}")));
            }
            for (k, v) in &self.params {
                match (name, k.as_str(), v) {
                    ("@query-param", "name", BareItem::String(_)) => {}
                    _ => return Err(bad(format!("unsupported parameter {k:?} on {name}"))),
                }
            }
            if name == "@query-param" && sf::param(&self.params, "name").is_none() {
                return Err(bad("@query-param needs a name parameter"));
            }
            return Ok(());
        }
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(bad(format!("field names in component identifiers are lowercase tokens, got {name:?}")));
        }
        let (mut has_sf, mut has_bs, mut has_key) = (false, false, false);
        for (k, v) in &self.params {
            match (k.as_str(), v) {
                ("sf", BareItem::Boolean(true)) => has_sf = true,
                ("bs", BareItem::Boolean(true)) => has_bs = true,
                ("key", BareItem::String(_)) => has_key = true,
                _ => return Err(bad(format!("unsupported parameter {k:?} on field {name:?}"))),
            }
        }
        if has_bs && (has_sf || has_key) {
            return Err(bad(format!("field {name:?}: bs cannot be combined with sf or key")));
        }
        Ok(())
    }

    /// The identifier as it appears in the signature base and in `Signature-Input`.
    pub fn serialize_into(&self, out: &mut String) -> Result<()> {
        sf::serialize_item(&self.to_item(), out)
    }

    /// The structured-field item form.
    pub fn to_item(&self) -> Item {
        Item { bare: BareItem::String(self.name.clone()), params: self.params.clone() }
    }

    /// The text form (`@query-param;name="Pet"`), as accepted by [`ComponentId::parse`].
    pub fn to_text(&self) -> String {
        let mut s = self.name.clone();
        let _ = sf::serialize_params(&self.params, &mut s);
        s
    }

    /// The component's value in `message` (RFC 9421 section 2).
    pub fn value(&self, message: &Message<'_>) -> Result<String> {
        let name = self.name.as_str();
        if !name.starts_with('@') {
            return self.field_value(message.headers);
        }
        if name == "@status" {
            return message.status.map(|s| s.to_string()).ok_or_else(|| bad("@status is only for responses"));
        }
        if message.status.is_some() {
            return Err(bad(format!("{name} of the request is not available when signing a response")));
        }
        let target = split_url(message.url)?;
        let authority = || -> Result<String> {
            match target.authority {
                Some(a) => Ok(normalize_authority(a, target.scheme)),
                None => message
                    .headers
                    .get("host")?
                    .map(|h| normalize_authority(h.trim(), None))
                    .ok_or_else(|| Error::new(Status::MissingHeader, "@authority needs an absolute URL or a Host header")),
            }
        };
        let path = if target.path.is_empty() { "/" } else { target.path };
        Ok(match name {
            "@method" => message.method.to_string(),
            // The absolute URL as sent (without a fragment): what the signer had in hand.
            "@target-uri" => {
                target.scheme.ok_or_else(|| bad("@target-uri needs an absolute URL"))?;
                message.url.split('#').next().unwrap_or("").to_string()
            }
            "@authority" => authority()?,
            "@scheme" => target.scheme.ok_or_else(|| bad("@scheme needs an absolute URL"))?.to_ascii_lowercase(),
            "@request-target" => match target.query {
                Some(q) => format!("{path}?{q}"),
                None => path.to_string(),
            },
            "@path" => path.to_string(),
            "@query" => format!("?{}", target.query.unwrap_or("")),
            "@query-param" => {
                let Some(BareItem::String(wanted)) = sf::param(&self.params, "name") else {
                    return Err(bad("@query-param needs a name parameter"));
                };
                let mut found: Option<String> = None;
                for pair in target.query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                    let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                    if reencode(n) == *wanted {
                        if found.is_some() {
                            return Err(bad(format!("query parameter {wanted:?} appears more than once")));
                        }
                        found = Some(reencode(v));
                    }
                }
                found.ok_or_else(|| Error::new(Status::MissingHeader, format!("query parameter {wanted:?} is absent")))?
            }
            _ => return Err(bad(format!("unknown derived component {name:?}"))),
        })
    }

    fn field_value(&self, headers: &Headers) -> Result<String> {
        let lines: Vec<&str> =
            headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(&self.name)).map(|(_, v)| v.trim_matches([' ', '\t'])).collect();
        if lines.is_empty() {
            return Err(Error::new(Status::MissingHeader, format!("covered header field {:?} is missing", self.name)));
        }
        if sf::param(&self.params, "bs").is_some() {
            let encoded: Vec<String> =
                lines.iter().map(|l| format!(":{}:", base64::engine::general_purpose::STANDARD.encode(l.as_bytes()))).collect();
            return Ok(encoded.join(", "));
        }
        let combined = lines.join(", ");
        let key = sf::param(&self.params, "key");
        if sf::param(&self.params, "sf").is_none() && key.is_none() {
            return Ok(combined);
        }
        let ty = structured_type(&self.name)
            .ok_or_else(|| bad(format!("field {:?} is not a structured field signwire knows the type of", self.name)))?;
        let malformed = |e: Error| Error::new(Status::MalformedHeader, format!("field {:?}: {}", self.name, e.message()));
        match (ty, key) {
            (SfType::Dictionary, Some(BareItem::String(k))) => {
                let dict = sf::parse_dictionary(&combined).map_err(malformed)?;
                let (_, member) = dict
                    .iter()
                    .find(|(name, _)| name == k)
                    .ok_or_else(|| Error::new(Status::MissingHeader, format!("field {:?} has no key {k:?}", self.name)))?;
                let mut out = String::new();
                sf::serialize_member(member, &mut out)?;
                Ok(out)
            }
            (_, Some(_)) => Err(bad(format!("key applies to dictionary fields; {:?} is not one", self.name))),
            (SfType::Dictionary, None) => sf::serialize_dictionary(&sf::parse_dictionary(&combined).map_err(malformed)?),
            (SfType::List, None) => sf::serialize_list(&sf::parse_list(&combined).map_err(malformed)?),
            (SfType::Item, None) => {
                let mut out = String::new();
                sf::serialize_item(&sf::parse_item(&combined).map_err(malformed)?, &mut out)?;
                Ok(out)
            }
        }
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(Status::MalformedHeader, message.into())
}

/// application/x-www-form-urlencoded parsing of one name or value (`+` is a space, `%XX` a
/// byte), then percent-encoding of every byte outside `A-Z a-z 0-9 * - . _` (RFC 9421
/// section 2.2.8: spaces come out as `%20`, never `+`).
pub(crate) fn reencode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => decoded.push(b' '),
            b'%' if bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit) => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                decoded.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 2;
            }
            b => decoded.push(b),
        }
        i += 1;
    }
    // WHATWG decodes without BOM and replaces invalid UTF-8 before re-encoding.
    let text = String::from_utf8_lossy(&decoded);
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"*-._".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<'a>(url: &'a str, headers: &'a Headers) -> Message<'a> {
        Message { method: "POST", url, headers, status: None }
    }

    fn value(id: &str, url: &str, headers: &str) -> Result<String> {
        let h = Headers::parse(headers).unwrap();
        ComponentId::parse(id)?.value(&msg(url, &h))
    }

    #[test]
    fn rfc9421_section_2_2_examples() {
        let url = "https://www.example.com/path?param=value";
        assert_eq!(value("@target-uri", url, "").unwrap(), "https://www.example.com/path?param=value");
        assert_eq!(value("@authority", url, "").unwrap(), "www.example.com");
        assert_eq!(value("@scheme", "http://www.example.com/path", "").unwrap(), "http");
        assert_eq!(value("@request-target", url, "").unwrap(), "/path?param=value");
        assert_eq!(value("@path", url, "").unwrap(), "/path");
        assert_eq!(value("@query", "https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman", "").unwrap(), "?param=value&foo=bar&baz=bat%2Dman");
        assert_eq!(value("@query", "https://www.example.com/path?queryString", "").unwrap(), "?queryString");
        assert_eq!(value("@query", "https://www.example.com/path", "").unwrap(), "?");
        let q = "https://example.com/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something";
        assert_eq!(value("@query-param;name=\"var\"", q, "").unwrap(), "this%20is%20a%20big%0Avalue");
        assert_eq!(value("@query-param;name=\"bar\"", q, "").unwrap(), "with%20plus%20whitespace");
        assert_eq!(value("@query-param;name=\"fa%C3%A7ade%22%3A%20\"", q, "").unwrap(), "something");
        // Section 2.1: values trimmed, lines combined with ", ".
        let h = "Host: www.example.com\nX-OWS-Header:   Leading and trailing whitespace.   \nX-Obs-Fold-Header: Obsolete line folding.\nCache-Control: max-age=60\nCache-Control:    must-revalidate\nExample-Dict:  a=1,    b=2;x=1;y=2,   c=(a   b   c)\nX-Empty-Header:\n";
        assert_eq!(value("x-ows-header", url, h).unwrap(), "Leading and trailing whitespace.");
        assert_eq!(value("cache-control", url, h).unwrap(), "max-age=60, must-revalidate");
        assert_eq!(value("x-empty-header", url, h).unwrap(), "");
        assert_eq!(value("example-dict", url, h).unwrap(), "a=1,    b=2;x=1;y=2,   c=(a   b   c)");
        assert_eq!(value("example-dict;sf", url, h).unwrap(), "a=1, b=2;x=1;y=2, c=(a b c)");
        assert_eq!(value("example-dict;key=\"a\"", url, h).unwrap(), "1");
        assert_eq!(value("example-dict;key=\"b\"", url, h).unwrap(), "2;x=1;y=2");
        assert_eq!(value("example-dict;key=\"c\"", url, h).unwrap(), "(a b c)");
        // Section 2.1.3 (bs).
        let h = "Example-Header: value, with, lots\nExample-Header: of, commas\n";
        assert_eq!(value("example-header", url, h).unwrap(), "value, with, lots, of, commas");
        assert_eq!(value("example-header;bs", url, h).unwrap(), ":dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:");
    }

    #[test]
    fn origin_form_and_normalisation() {
        assert_eq!(value("@authority", "/foo", "Host: Example.COM:443").unwrap(), "example.com:443");
        assert_eq!(value("@authority", "HTTPS://Example.COM:443/foo", "").unwrap(), "example.com");
        assert_eq!(value("@path", "https://example.com", "").unwrap(), "/");
        assert!(value("@target-uri", "/foo", "Host: example.com").is_err());
        assert!(value("@authority", "/foo", "").is_err());
        assert!(value("@query-param;name=\"a\"", "https://h/?a=1&a=2", "").is_err());
    }

    #[test]
    fn identifiers_are_checked() {
        for bad in ["Content-Type", "@unknown", "@signature-params", "x;bs;sf", "x;req", "@method;name=\"a\"", "@query-param", ""] {
            assert!(ComponentId::parse(bad).is_err(), "{bad:?}");
        }
        let id = ComponentId::parse("@query-param;name=\"Pet\"").unwrap();
        let mut s = String::new();
        id.serialize_into(&mut s).unwrap();
        assert_eq!(s, "\"@query-param\";name=\"Pet\"");
        assert_eq!(ComponentId::parse(&s).unwrap(), id);
        assert_eq!(id.to_text(), "@query-param;name=\"Pet\"");
    }
}
