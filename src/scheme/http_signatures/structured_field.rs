//! Structured field values (RFC 8941): a strict parser and the canonical serialiser.
//!
//! `Signature-Input`, `Signature` and `Content-Digest` are dictionaries, and every component
//! identifier is a string item with parameters. The parser follows RFC 8941 section 4.2 step
//! by step and refuses anything outside the grammar (no lenient whitespace, no unknown item
//! types); the serialiser follows section 4.1, so a parsed value serialises to the one form
//! every conforming signer produces.
//!
//! ```
//! use signwire::scheme::http_signatures::structured_field::{parse_dictionary, serialize_dictionary};
//! let d = parse_dictionary(r#"sig1=("@method" "@path");created=1618884475;keyid="k",  x=:AQI=:"#).unwrap();
//! assert_eq!(serialize_dictionary(&d).unwrap(), r#"sig1=("@method" "@path");created=1618884475;keyid="k", x=:AQI=:"#);
//! assert!(parse_dictionary("sig1=(\"@method\"").is_err());
//! ```

use crate::error::{Error, Result, Status};
use base64::Engine;

/// Largest integer magnitude RFC 8941 allows (15 digits).
pub const MAX_INTEGER: i64 = 999_999_999_999_999;

/// A bare item (RFC 8941 section 3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BareItem {
    /// An integer, at most 15 digits.
    Integer(i64),
    /// A decimal, held in thousandths (at most 12 integer and 3 fraction digits).
    Decimal(i64),
    /// A string of printable ASCII.
    String(String),
    /// A token (`sha-256`, `*foo`).
    Token(String),
    /// A byte sequence (`:base64:`).
    ByteSeq(Vec<u8>),
    /// A boolean (`?1`, `?0`).
    Boolean(bool),
}

/// Parameters, in order; keys unique (a repeated key overwrites the earlier value in place).
pub type Parameters = Vec<(String, BareItem)>;

/// An item with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The value.
    pub bare: BareItem,
    /// Its parameters.
    pub params: Parameters,
}

/// An inner list with its parameters (`("a" "b");p=1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InnerList {
    /// The items.
    pub items: Vec<Item>,
    /// The list's parameters.
    pub params: Parameters,
}

/// A member of a list or dictionary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Member {
    /// A single item.
    Item(Item),
    /// An inner list.
    InnerList(InnerList),
}

/// A dictionary, in order; keys unique (a repeated key overwrites the earlier value in place).
pub type Dictionary = Vec<(String, Member)>;

/// A list.
pub type List = Vec<Member>;

impl Item {
    /// An item without parameters.
    pub fn new(bare: BareItem) -> Item {
        Item { bare, params: Vec::new() }
    }
}

/// The value of `key` in parameters.
pub fn param<'a>(params: &'a Parameters, key: &str) -> Option<&'a BareItem> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn malformed(what: &str, at: usize) -> Error {
    Error::new(Status::MalformedHeader, format!("structured field: {what} at byte {at}"))
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Parser<'a> {
        // RFC 8941 4.2: discard leading and trailing SP (only SP, not HTAB).
        let bytes = input.as_bytes();
        let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
        let end = bytes.iter().rposition(|&b| b != b' ').map_or(start, |e| e + 1);
        Parser { input: &bytes[start..end], pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn eof(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn err(&self, what: &str) -> Error {
        malformed(what, self.pos)
    }

    fn dictionary(&mut self) -> Result<Dictionary> {
        let mut dict: Dictionary = Vec::new();
        while !self.eof() {
            let key = self.key()?;
            let member = if self.peek() == Some(b'=') {
                self.pos += 1;
                self.item_or_inner_list()?
            } else {
                Member::Item(Item { bare: BareItem::Boolean(true), params: self.parameters()? })
            };
            match dict.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = member,
                None => dict.push((key, member)),
            }
            if self.list_separator()? {
                break;
            }
        }
        Ok(dict)
    }

    fn list(&mut self) -> Result<List> {
        let mut list = Vec::new();
        while !self.eof() {
            list.push(self.item_or_inner_list()?);
            if self.list_separator()? {
                break;
            }
        }
        Ok(list)
    }

    /// After a member: OWS, then end (true) or a comma followed by another member.
    fn list_separator(&mut self) -> Result<bool> {
        self.skip_ows();
        if self.eof() {
            return Ok(true);
        }
        if self.peek() != Some(b',') {
            return Err(self.err("expected ',' between members"));
        }
        self.pos += 1;
        self.skip_ows();
        if self.eof() {
            return Err(self.err("trailing ','"));
        }
        Ok(false)
    }

    fn item_or_inner_list(&mut self) -> Result<Member> {
        if self.peek() == Some(b'(') {
            self.inner_list().map(Member::InnerList)
        } else {
            self.item().map(Member::Item)
        }
    }

    fn inner_list(&mut self) -> Result<InnerList> {
        self.pos += 1; // '('
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            match self.peek() {
                None => return Err(self.err("unterminated inner list")),
                Some(b')') => {
                    self.pos += 1;
                    return Ok(InnerList { items, params: self.parameters()? });
                }
                Some(_) => {
                    items.push(self.item()?);
                    if !matches!(self.peek(), Some(b' ' | b')')) {
                        return Err(self.err("expected ' ' or ')' in inner list"));
                    }
                }
            }
        }
    }

    fn item(&mut self) -> Result<Item> {
        let bare = self.bare_item()?;
        Ok(Item { bare, params: self.parameters()? })
    }

    fn bare_item(&mut self) -> Result<BareItem> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.byte_seq(),
            Some(b'?') => self.boolean(),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => self.token(),
            _ => Err(self.err("expected an item")),
        }
    }

    fn parameters(&mut self) -> Result<Parameters> {
        let mut params: Parameters = Vec::new();
        while self.peek() == Some(b';') {
            self.pos += 1;
            self.skip_sp();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.pos += 1;
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => params.push((key, value)),
            }
        }
        Ok(params)
    }

    fn key(&mut self) -> Result<String> {
        let start = self.pos;
        if !matches!(self.peek(), Some(b'a'..=b'z' | b'*')) {
            return Err(self.err("a key starts with a lowercase letter or '*'"));
        }
        while matches!(self.peek(), Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')) {
            self.pos += 1;
        }
        Ok(String::from_utf8_lossy(&self.input[start..self.pos]).into_owned())
    }

    fn number(&mut self) -> Result<BareItem> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.err("a number needs a digit"));
        }
        let start = self.pos;
        let mut dot: Option<usize> = None;
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' => self.pos += 1,
                b'.' if dot.is_none() => {
                    if self.pos - start > 12 {
                        return Err(self.err("a decimal has at most 12 integer digits"));
                    }
                    dot = Some(self.pos);
                    self.pos += 1;
                }
                _ => break,
            }
            let len = self.pos - start;
            if (dot.is_none() && len > 15) || (dot.is_some() && len > 16) {
                return Err(self.err("number too long"));
            }
        }
        let text = std::str::from_utf8(&self.input[start..self.pos]).map_err(|_| self.err("number"))?;
        let sign = if negative { -1 } else { 1 };
        match dot {
            None => Ok(BareItem::Integer(sign * text.parse::<i64>().map_err(|_| self.err("integer"))?)),
            Some(d) => {
                let frac = &self.input[d + 1..self.pos];
                if frac.is_empty() || frac.len() > 3 {
                    return Err(self.err("a decimal has 1 to 3 fraction digits"));
                }
                let int: i64 = text[..d - start].parse().map_err(|_| self.err("decimal"))?;
                let mut thousandths = 0i64;
                for i in 0..3 {
                    thousandths = thousandths * 10 + frac.get(i).map_or(0, |c| (c - b'0') as i64);
                }
                Ok(BareItem::Decimal(sign * (int * 1000 + thousandths)))
            }
        }
    }

    fn string(&mut self) -> Result<BareItem> {
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else { return Err(self.err("unterminated string")) };
            self.pos += 1;
            match c {
                b'\\' => match self.peek() {
                    Some(e @ (b'"' | b'\\')) => {
                        self.pos += 1;
                        out.push(e as char);
                    }
                    _ => return Err(self.err("a string escapes only '\"' and '\\'")),
                },
                b'"' => return Ok(BareItem::String(out)),
                0x20..=0x7e => out.push(c as char),
                _ => return Err(self.err("a string holds printable ASCII only")),
            }
        }
    }

    fn token(&mut self) -> Result<BareItem> {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(|c| is_tchar(c) || c == b':' || c == b'/') {
            self.pos += 1;
        }
        Ok(BareItem::Token(String::from_utf8_lossy(&self.input[start..self.pos]).into_owned()))
    }

    fn byte_seq(&mut self) -> Result<BareItem> {
        self.pos += 1; // ':'
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == b':' {
                break;
            }
            if !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=') {
                return Err(self.err("a byte sequence holds base64 only"));
            }
            self.pos += 1;
        }
        if self.eof() {
            return Err(self.err("unterminated byte sequence"));
        }
        let b64 = &self.input[start..self.pos];
        self.pos += 1; // ':'
        // RFC 8941 4.2.7: parsers SHOULD NOT fail on missing padding or non-zero pad bits.
        let decoded = LENIENT_BASE64.decode(b64).map_err(|_| malformed("invalid base64 in byte sequence", start))?;
        Ok(BareItem::ByteSeq(decoded))
    }

    fn boolean(&mut self) -> Result<BareItem> {
        self.pos += 1; // '?'
        let value = match self.peek() {
            Some(b'1') => true,
            Some(b'0') => false,
            _ => return Err(self.err("a boolean is ?0 or ?1")),
        };
        self.pos += 1;
        Ok(BareItem::Boolean(value))
    }
}

const LENIENT_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// RFC 9110 `tchar`.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn finish<T>(mut p: Parser<'_>, value: Result<T>) -> Result<T> {
    let value = value?;
    p.skip_sp();
    if !p.eof() {
        return Err(p.err("unexpected trailing characters"));
    }
    Ok(value)
}

/// Parse a dictionary field value (several field lines joined with `", "` first).
pub fn parse_dictionary(input: &str) -> Result<Dictionary> {
    let mut p = Parser::new(input);
    let v = p.dictionary();
    finish(p, v)
}

/// Parse a list field value.
pub fn parse_list(input: &str) -> Result<List> {
    let mut p = Parser::new(input);
    let v = p.list();
    finish(p, v)
}

/// Parse an item field value.
pub fn parse_item(input: &str) -> Result<Item> {
    let mut p = Parser::new(input);
    if p.eof() {
        return Err(p.err("empty item"));
    }
    let v = p.item();
    finish(p, v)
}

fn unserializable(what: impl Into<String>) -> Error {
    Error::new(Status::InvalidArgument, format!("structured field: cannot serialise {}", what.into()))
}

/// Serialise a bare item (RFC 8941 4.1.3).
pub fn serialize_bare_item(item: &BareItem, out: &mut String) -> Result<()> {
    match item {
        BareItem::Integer(i) => {
            if !(-MAX_INTEGER..=MAX_INTEGER).contains(i) {
                return Err(unserializable("an integer beyond 15 digits"));
            }
            out.push_str(&i.to_string());
        }
        BareItem::Decimal(t) => {
            if t.unsigned_abs() / 1000 > 999_999_999_999 {
                return Err(unserializable("a decimal beyond 12 integer digits"));
            }
            if *t < 0 {
                out.push('-');
            }
            let abs = t.unsigned_abs();
            out.push_str(&(abs / 1000).to_string());
            out.push('.');
            let frac = format!("{:03}", abs % 1000);
            let trimmed = frac.trim_end_matches('0');
            out.push_str(if trimmed.is_empty() { "0" } else { trimmed });
        }
        BareItem::String(s) => {
            out.push('"');
            for c in s.chars() {
                if !(' '..='~').contains(&c) {
                    return Err(unserializable("a string with characters outside printable ASCII"));
                }
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        BareItem::Token(t) => {
            let b = t.as_bytes();
            let first_ok = b.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'*');
            if !first_ok || !b[1..].iter().all(|&c| is_tchar(c) || c == b':' || c == b'/') {
                return Err(unserializable(format!("the token {t:?}")));
            }
            out.push_str(t);
        }
        BareItem::ByteSeq(bytes) => {
            out.push(':');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
            out.push(':');
        }
        BareItem::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
    Ok(())
}

fn serialize_key(key: &str, out: &mut String) -> Result<()> {
    let b = key.as_bytes();
    let first_ok = b.first().is_some_and(|c| c.is_ascii_lowercase() || *c == b'*');
    if !first_ok || !b.iter().all(|&c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')) {
        return Err(unserializable(format!("the key {key:?}")));
    }
    out.push_str(key);
    Ok(())
}

/// Serialise parameters (RFC 8941 4.1.1.2).
pub fn serialize_params(params: &Parameters, out: &mut String) -> Result<()> {
    for (k, v) in params {
        out.push(';');
        serialize_key(k, out)?;
        if *v != BareItem::Boolean(true) {
            out.push('=');
            serialize_bare_item(v, out)?;
        }
    }
    Ok(())
}

/// Serialise an item with its parameters.
pub fn serialize_item(item: &Item, out: &mut String) -> Result<()> {
    serialize_bare_item(&item.bare, out)?;
    serialize_params(&item.params, out)
}

/// Serialise an inner list with its parameters.
pub fn serialize_inner_list(list: &InnerList, out: &mut String) -> Result<()> {
    out.push('(');
    for (i, item) in list.items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        serialize_item(item, out)?;
    }
    out.push(')');
    serialize_params(&list.params, out)
}

/// Serialise a list member or dictionary value.
pub fn serialize_member(member: &Member, out: &mut String) -> Result<()> {
    match member {
        Member::Item(i) => serialize_item(i, out),
        Member::InnerList(l) => serialize_inner_list(l, out),
    }
}

/// Serialise a dictionary (RFC 8941 4.1.2).
pub fn serialize_dictionary(dict: &Dictionary) -> Result<String> {
    let mut out = String::new();
    for (i, (k, member)) in dict.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        serialize_key(k, &mut out)?;
        match member {
            Member::Item(Item { bare: BareItem::Boolean(true), params }) => serialize_params(params, &mut out)?,
            m => {
                out.push('=');
                serialize_member(m, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// Serialise a list (RFC 8941 4.1.1).
pub fn serialize_list(list: &List) -> Result<String> {
    let mut out = String::new();
    for (i, member) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        serialize_member(member, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_dict(input: &str) -> String {
        serialize_dictionary(&parse_dictionary(input).unwrap()).unwrap()
    }

    #[test]
    fn rfc8941_examples() {
        assert_eq!(roundtrip_dict("a=?0, b, c; foo=bar"), "a=?0, b, c;foo=bar");
        assert_eq!(roundtrip_dict("rating=1.5, feelings=(joy sadness)"), "rating=1.5, feelings=(joy sadness)");
        assert_eq!(roundtrip_dict("a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid"), "a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid");
        assert_eq!(roundtrip_dict("en=\"Applepie\", da=:w4ZibGV0w6ZydGU=:"), "en=\"Applepie\", da=:w4ZibGV0w6ZydGU=:");
        let l = parse_list("(\"foo\" \"bar\"), (\"baz\"), (\"bat\" \"one\"), ()").unwrap();
        assert_eq!(serialize_list(&l).unwrap(), "(\"foo\" \"bar\"), (\"baz\"), (\"bat\" \"one\"), ()");
        assert_eq!(parse_item("-12.300").unwrap().bare, BareItem::Decimal(-12300));
        let mut s = String::new();
        serialize_bare_item(&BareItem::Decimal(-12300), &mut s).unwrap();
        assert_eq!(s, "-12.3");
    }

    #[test]
    fn duplicates_overwrite_in_place() {
        assert_eq!(roundtrip_dict("a=1, b=2, a=3"), "a=3, b=2");
        assert_eq!(serialize_list(&parse_list("x;a=1;b=2;a=3").unwrap()).unwrap(), "x;a=3;b=2");
    }

    #[test]
    fn strictness() {
        for bad in [
            "a=1,", "a=1,,b=2", "A=1", "a=(1 2", "a=(1\t2)", "a=\"unterminated", "a=\"bad\\n\"", "a=1.2345",
            "a=1234567890123.1", "a=1234567890123456", "a=?2", "a=:abc!:", "a=:abc", "a=1 b=2", "a=-", "a=\u{e9}",
            "a=1;B=2", "a=(\"x\"\"y\")",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(parse_item("").is_err());
        assert!(parse_item("1 2").is_err());
        // Leading/trailing SP are discarded; tabs around commas are OWS.
        assert_eq!(roundtrip_dict("  a=1,\tb=2  "), "a=1, b=2");
        // Unpadded base64 is accepted (RFC 8941 4.2.7) and serialised padded.
        assert_eq!(roundtrip_dict("a=:AQI:"), "a=:AQI=:");
    }

    #[test]
    fn serialiser_refuses_what_the_grammar_cannot_hold() {
        let mut s = String::new();
        assert!(serialize_bare_item(&BareItem::String("é".into()), &mut s).is_err());
        assert!(serialize_bare_item(&BareItem::Token("1abc".into()), &mut s).is_err());
        assert!(serialize_bare_item(&BareItem::Integer(MAX_INTEGER + 1), &mut s).is_err());
        assert!(serialize_dictionary(&vec![("Bad".into(), Member::Item(Item::new(BareItem::Integer(1))))]).is_err());
    }
}
