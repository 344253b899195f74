//! The signature base (RFC 9421 section 2.5): one builder for signing and verifying.
//!
//! Each covered component gives a line `"<identifier>": <value>` ending in LF; the last line
//! is `"@signature-params": <inner list>` with no LF after it.

use super::components::Message;
use super::params::SignatureParams;
use crate::error::Result;

/// The signature base of `params` over `message`.
pub fn signature_base(params: &SignatureParams, message: &Message<'_>) -> Result<String> {
    let mut base = String::with_capacity(256);
    for component in &params.components {
        component.serialize_into(&mut base)?;
        base.push_str(": ");
        base.push_str(&component.value(message)?);
        base.push('\n');
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(&params.serialize()?);
    Ok(base)
}

/// The base with every byte outside printable ASCII written as `\xNN` (a line feed as `\n`
/// followed by a real line break), for `explain` output: invisible differences (a trailing
/// space, a tab, a stray CR) are what usually break interoperability.
pub fn escape_for_display(base: &str) -> String {
    let mut out = String::with_capacity(base.len() + 16);
    let bytes = base.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' => out.push_str("\\n\n"),
            b'\\' => out.push_str("\\\\"),
            0x21..=0x7e => out.push(b as char),
            // A space shows as itself unless it ends a line, where nobody would see it.
            b' ' if !matches!(bytes.get(i + 1), None | Some(b'\n')) => out.push(' '),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}
