//! The header block a verifier reads, and the grammar of the fields signwire signs.
//!
//! Headers cross the C ABI as one `Name: value` block, lines separated by CRLF or LF, so
//! that every language can build it from what its framework gives. Names are
//! case-insensitive. Limits are checked before any other work.
//!
//! ```
//! use signwire::headers::Headers;
//! let h = Headers::parse("X-API-Key: k1\r\nx-nonce: 00112233445566778899aabbccddeeff\r\n").unwrap();
//! assert_eq!(h.get("x-api-key").unwrap(), Some("k1"));
//! assert_eq!(h.get("X-NONCE").unwrap(), Some("00112233445566778899aabbccddeeff"));
//! ```

use crate::error::{Error, Result, Status};

/// Longest header value accepted, in bytes.
pub const MAX_HEADER_VALUE_LEN: usize = 8 * 1024;
/// Longest header block accepted, in bytes.
pub const MAX_HEADER_BLOCK_LEN: usize = 256 * 1024;
/// Most header lines accepted in one block.
pub const MAX_HEADER_COUNT: usize = 256;

/// Request headers, names compared case-insensitively, order and duplicates preserved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    // Every name and value back to back in one buffer, found through `spans`: a verifier
    // parses one block per request, and two Strings per header cost more than the checks.
    text: String,
    spans: Vec<Span>,
}

/// One header inside `Headers::text`: the name at `start`, the value right after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    name_len: usize,
    value_len: usize,
}

/// RFC 9110 `tchar`, as a table: header names are checked byte by byte on every request.
static TOKEN_CHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        i += 1;
    }
    t
};

fn is_token_char(b: u8) -> bool {
    TOKEN_CHARS[usize::from(b)]
}

impl Headers {
    /// An empty set.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Parse a `Name: value` block (CRLF or LF line ends; blank lines ignored).
    ///
    /// Refuses lines without a colon, invalid names, obsolete line folding, control
    /// characters in values, values over [`MAX_HEADER_VALUE_LEN`], blocks over
    /// [`MAX_HEADER_BLOCK_LEN`] and more than [`MAX_HEADER_COUNT`] lines.
    pub fn parse(block: &str) -> Result<Headers> {
        if block.len() > MAX_HEADER_BLOCK_LEN {
            return Err(Error::new(
                Status::InputTooLarge,
                format!("header block is {} bytes, the limit is {MAX_HEADER_BLOCK_LEN}", block.len()),
            ));
        }
        let mut h = Headers { text: String::with_capacity(block.len()), spans: Vec::with_capacity(16) };
        // Byte searches for the ASCII delimiters: a verifier parses a block per request,
        // and str's char-pattern searchers cost more than every check on the values.
        let mut rest = block;
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or("");
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                return Err(Error::new(Status::MalformedHeader, "obsolete header line folding is not accepted"));
            }
            let colon = line
                .bytes()
                .position(|b| b == b':')
                .ok_or_else(|| Error::new(Status::MalformedHeader, "header line without ':'"))?;
            let value = line[colon + 1..].trim_start_matches([' ', '\t']).trim_end_matches([' ', '\t']);
            h.push(&line[..colon], value)?;
        }
        Ok(h)
    }

    /// Add one header; the same checks as [`Headers::parse`].
    pub fn push(&mut self, name: &str, value: &str) -> Result<()> {
        if name.is_empty() || !name.bytes().all(is_token_char) {
            return Err(Error::new(Status::MalformedHeader, format!("invalid header name {:?}", truncate_for_log(name))));
        }
        if value.len() > MAX_HEADER_VALUE_LEN {
            return Err(Error::new(
                Status::MalformedHeader,
                format!("header {name} is {} bytes, the limit is {MAX_HEADER_VALUE_LEN}", value.len()),
            ));
        }
        // A fold without early exit compiles to vector code; values are checked per request.
        if value.bytes().fold(false, |bad, b| bad | ((b < 0x20) & (b != b'\t')) | (b == 0x7f)) {
            return Err(Error::new(Status::MalformedHeader, format!("header {name} contains control characters")));
        }
        if self.spans.len() >= MAX_HEADER_COUNT {
            return Err(Error::new(Status::InputTooLarge, format!("more than {MAX_HEADER_COUNT} headers")));
        }
        self.spans.push(Span { start: self.text.len(), name_len: name.len(), value_len: value.len() });
        self.text.push_str(name);
        self.text.push_str(value);
        Ok(())
    }

    fn entry(&self, span: &Span) -> (&str, &str) {
        let (name, rest) = self.text[span.start..].split_at(span.name_len);
        (name, &rest[..span.value_len])
    }

    /// The value of `name`, if present exactly once. A repeated header is `MalformedHeader`:
    /// two `X-Signature` lines are an attack or a proxy bug, never something to pick from.
    pub fn get(&self, name: &str) -> Result<Option<&str>> {
        let mut found = None;
        // Lengths first: most names differ in length, and that test needs no slicing.
        // Bytes, not str slices: no char-boundary checks per entry.
        let text = self.text.as_bytes();
        for span in self.spans.iter().filter(|span| span.name_len == name.len()) {
            if text[span.start..span.start + span.name_len].eq_ignore_ascii_case(name.as_bytes()) {
                if found.is_some() {
                    return Err(Error::new(Status::MalformedHeader, format!("header {name} appears more than once")));
                }
                found = Some(span);
            }
        }
        Ok(found.map(|span| self.entry(span).1))
    }

    /// The value of `name`, which must be present exactly once.
    pub fn require(&self, name: &str) -> Result<&str> {
        self.get(name)?
            .ok_or_else(|| Error::new(Status::MissingHeader, format!("required header {name} is missing")))
    }

    /// All entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans.iter().map(|span| self.entry(span))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The block form, `Name: value\r\n` per entry.
    pub fn to_block(&self) -> String {
        let mut s = String::with_capacity(self.text.len() + 4 * self.spans.len());
        for (n, v) in self.iter() {
            s.push_str(n);
            s.push_str(": ");
            s.push_str(v);
            s.push_str("\r\n");
        }
        s
    }
}

/// Parse a timestamp as signed: canonical decimal unix seconds only.
///
/// HopNow's payload has no separators, so `0123` and `123` would sign different bytes for the
/// same instant, and `+123`, ` 123` or `1e3` invite parsers to disagree. Only `0` or a digit
/// string without leading zeros that fits in an `i64` is accepted.
///
/// ```
/// use signwire::headers::parse_timestamp;
/// assert_eq!(parse_timestamp("1700000000").unwrap(), 1_700_000_000);
/// assert!(parse_timestamp("01700000000").is_err());
/// assert!(parse_timestamp("-5").is_err());
/// ```
pub fn parse_timestamp(s: &str) -> Result<i64> {
    let malformed = |why: &str| Error::new(Status::MalformedHeader, format!("timestamp {:?} {why}", truncate_for_log(s)));
    if s.is_empty() {
        return Err(malformed("is empty"));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("is not a decimal number of seconds"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(malformed("has leading zeros"));
    }
    s.parse::<i64>().map_err(|_| malformed("overflows"))
}

/// Check a nonce: exactly `hex_len` ASCII hex digits (either case).
///
/// ```
/// use signwire::headers::check_nonce;
/// assert!(check_nonce("00112233445566778899aabbccddeeff", 32).is_ok());
/// assert!(check_nonce("0011", 32).is_err());
/// ```
pub fn check_nonce(s: &str, hex_len: usize) -> Result<()> {
    if s.len() != hex_len || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::new(
            Status::MalformedHeader,
            format!("nonce must be exactly {hex_len} hex characters, got {} characters", s.len()),
        ));
    }
    Ok(())
}

/// Longest nonce [`generate_nonce_into`] makes, in hex characters.
pub const MAX_NONCE_HEX_LEN: usize = 128;

/// A fresh nonce: `hex_len / 2` bytes from the OS generator, lowercase hex.
pub fn generate_nonce(hex_len: usize) -> Result<String> {
    Ok(generate_nonce_into(hex_len, &mut [0u8; MAX_NONCE_HEX_LEN])?.to_string())
}

/// [`generate_nonce`] into a caller's buffer: one system call and no allocation, for the
/// per-request signing path. `hex_len` is at most [`MAX_NONCE_HEX_LEN`].
///
/// ```
/// use signwire::headers::{check_nonce, generate_nonce_into, MAX_NONCE_HEX_LEN};
/// let mut buf = [0u8; MAX_NONCE_HEX_LEN];
/// let nonce = generate_nonce_into(32, &mut buf).unwrap();
/// assert!(check_nonce(nonce, 32).is_ok());
/// ```
pub fn generate_nonce_into(hex_len: usize, buf: &mut [u8; MAX_NONCE_HEX_LEN]) -> Result<&str> {
    if hex_len > MAX_NONCE_HEX_LEN {
        return Err(Error::invalid(format!("nonce length {hex_len} is over {MAX_NONCE_HEX_LEN} hex characters")));
    }
    let mut raw = [0u8; MAX_NONCE_HEX_LEN / 2];
    let raw = &mut raw[..hex_len.div_ceil(2)];
    random_bytes(raw)?;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, &b) in raw.iter().enumerate() {
        buf[2 * i] = DIGITS[usize::from(b >> 4)];
        buf[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    // Only hex digits were written.
    Ok(std::str::from_utf8(&buf[..hex_len]).unwrap_or_else(|_| unreachable!()))
}

/// Bytes from the OS generator, drawn 1 KiB at a time into a per-thread pool: one
/// `getrandom` system call per nonce cost about 0.9 µs on a VM, as much as the HMAC of a
/// 1 KiB request. Every byte is still the kernel's and used once: a used byte is wiped,
/// and a pool filled before `fork` is never used by the child (the process id is
/// compared on every draw), so two processes never send the same nonce.
fn random_bytes(out: &mut [u8]) -> Result<()> {
    use std::cell::RefCell;
    use zeroize::Zeroize;
    const POOL: usize = 1024;
    struct Pool {
        pid: u32,
        used: usize,
        bytes: [u8; POOL],
    }
    impl Drop for Pool {
        fn drop(&mut self) {
            self.bytes.zeroize();
        }
    }
    thread_local! {
        static POOL_OF_THREAD: RefCell<Pool> = const { RefCell::new(Pool { pid: 0, used: POOL, bytes: [0; POOL] }) };
    }
    let os = |buf: &mut [u8]| getrandom::fill(buf).map_err(|e| Error::new(Status::Internal, format!("OS random generator failed: {e}")));
    if out.len() > POOL / 4 {
        return os(out);
    }
    let drawn = POOL_OF_THREAD.try_with(|cell| -> Result<bool> {
        let Ok(mut pool) = cell.try_borrow_mut() else { return Ok(false) };
        let pid = std::process::id();
        if pool.pid != pid || POOL - pool.used < out.len() {
            os(&mut pool.bytes)?;
            pool.pid = pid;
            pool.used = 0;
        }
        let range = pool.used..pool.used + out.len();
        out.copy_from_slice(&pool.bytes[range.clone()]);
        pool.bytes[range].zeroize();
        pool.used += out.len();
        Ok(true)
    });
    match drawn {
        Ok(Ok(true)) => Ok(()),
        Ok(Err(e)) => Err(e),
        // The thread is exiting (its pool is gone) or a draw is in progress: go to the OS.
        Ok(Ok(false)) | Err(_) => os(out),
    }
}

/// Current unix time in seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// At most 64 characters of untrusted text, for log messages.
pub(crate) fn truncate_for_log(s: &str) -> String {
    if s.chars().count() <= 64 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(64).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_block_variants() {
        let h = Headers::parse("A: 1\nB:2\r\n\r\nc:  3 \r\n").unwrap();
        assert_eq!(h.get("a").unwrap(), Some("1"));
        assert_eq!(h.get("B").unwrap(), Some("2"));
        assert_eq!(h.get("C").unwrap(), Some("3"));
        assert_eq!(h.get("d").unwrap(), None);
    }

    #[test]
    fn bad_blocks() {
        assert_eq!(Headers::parse("nocolon").unwrap_err().status(), Status::MalformedHeader);
        assert_eq!(Headers::parse("A: 1\n folded").unwrap_err().status(), Status::MalformedHeader);
        assert_eq!(Headers::parse("Bad Name: 1").unwrap_err().status(), Status::MalformedHeader);
        let big = format!("A: {}", "x".repeat(MAX_HEADER_VALUE_LEN + 1));
        assert_eq!(Headers::parse(&big).unwrap_err().status(), Status::MalformedHeader);
        let dup = Headers::parse("A: 1\na: 2").unwrap();
        assert_eq!(dup.get("A").unwrap_err().status(), Status::MalformedHeader);
        assert_eq!(Headers::new().require("A").unwrap_err().status(), Status::MissingHeader);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("0").unwrap(), 0);
        for bad in ["", "+1", "-1", " 1", "1 ", "01", "1.0", "1e3", "9223372036854775808", "abc"] {
            assert_eq!(parse_timestamp(bad).unwrap_err().status(), Status::MalformedHeader, "{bad:?}");
        }
        assert_eq!(parse_timestamp("9223372036854775807").unwrap(), i64::MAX);
    }

    #[test]
    fn nonces() {
        let n = generate_nonce(32).unwrap();
        assert_eq!(n.len(), 32);
        assert!(check_nonce(&n, 32).is_ok());
        assert_ne!(n, generate_nonce(32).unwrap());
        assert!(check_nonce("0123456789ABCDEF0123456789abcdef", 32).is_ok());
        assert!(check_nonce("0123456789abcdef0123456789abcdeg", 32).is_err());
        assert!(check_nonce("0123456789abcdef0123456789abcdef0", 32).is_err());
    }
}
