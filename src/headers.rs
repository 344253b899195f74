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
#[derive(Clone, Default)]
pub struct Headers {
    // The parsed block as it came (one copy), or names and values pushed one by one; each
    // header found through `spans`: a verifier parses one block per request, and two
    // Strings per header cost more than the checks.
    text: String,
    spans: Vec<Span>,
}

/// Equal when they hold the same names and values in the same order, however they were
/// written (line ends, spacing around values).
impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One header inside `Headers::text`. `u32` offsets: a block is at most 256 KiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    name_start: u32,
    name_len: u32,
    value_start: u32,
    value_len: u32,
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

/// Each byte, ASCII letters lowercased.
static LOWERCASE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).to_ascii_lowercase();
        i += 1;
    }
    t
};

/// ASCII case-insensitive equality through a table, without an exit per byte: the
/// verifier looks up four names per request, and std's byte-by-byte comparison was a fifth
/// of its overhead.
pub(crate) fn eq_ignore_ascii_case(a: &[u8], b: &[u8]) -> bool {
    // The last bytes first: header names of one length mostly share a prefix ("X-").
    let last = |s: &[u8]| s.last().map_or(0, |&c| LOWERCASE[usize::from(c)]);
    a.len() == b.len()
        && last(a) == last(b)
        && a.iter().zip(b).fold(0u8, |d, (&x, &y)| d | (LOWERCASE[usize::from(x)] ^ LOWERCASE[usize::from(y)])) == 0
}

/// The index of the first byte at or after `i` that a value may not hold (or `b.len()`).
/// Eight bytes at a time while none is below 0x20 or DEL, then byte by byte: values are
/// mostly long runs of hex or base64, scanned on every request.
fn scan_value(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // Exact "some byte is below 0x20" and "some byte is 0x7f" tests (Mycroft's trick).
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let del = x ^ (ONES * 0x7f);
        let has_del = del.wrapping_sub(ONES) & !del & HIGHS;
        if below_space | has_del != 0 {
            break; // a tab, the line end, or a bad byte: the loop below decides
        }
        i += 8;
    }
    while i < b.len() && VALUE_CHARS[usize::from(b[i])] {
        i += 1;
    }
    i
}

/// Bytes a header value may hold: everything but the controls (tab excepted) and DEL.
static VALUE_CHARS: [bool; 256] = {
    let mut t = [true; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = i == 0x09;
        i += 1;
    }
    t[0x7f] = false;
    t
};

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
        let mut h = Headers { text: String::new(), spans: Vec::new() };
        h.parse_into(block)?;
        Ok(h)
    }

    /// [`Headers::parse`] into this set, replacing what it held and reusing its memory:
    /// for a server that verifies many requests on one thread.
    ///
    /// ```
    /// use signwire::headers::Headers;
    /// let mut h = Headers::new();
    /// for block in ["A: 1\r\n", "B: 2\r\n"] {
    ///     h.parse_into(block).unwrap();
    ///     assert_eq!(h.len(), 1);
    /// }
    /// assert_eq!(h.get("b").unwrap(), Some("2"));
    /// ```
    pub fn parse_into(&mut self, block: &str) -> Result<()> {
        self.text.clear();
        self.spans.clear();
        if block.len() > MAX_HEADER_BLOCK_LEN {
            return Err(Error::new(
                Status::InputTooLarge,
                format!("header block is {} bytes, the limit is {MAX_HEADER_BLOCK_LEN}", block.len()),
            ));
        }
        if self.parse_fast(block) {
            self.text.push_str(block);
            return Ok(());
        }
        // Something the fast pass does not accept: parse again line by line, which names
        // the problem (or, should the fast pass have been too strict, accepts the block).
        self.spans.clear();
        let result = self.parse_slow(block);
        if result.is_err() {
            self.text.clear();
            self.spans.clear();
        }
        result
    }

    /// Empty the set, overwriting the text it held (header values may include cookies or
    /// tokens), and keep the memory for the next [`Headers::parse_into`].
    pub fn clear_and_wipe(&mut self) {
        use zeroize::Zeroize;
        // Only the bytes in use: the rest of the capacity was wiped when it was last used.
        self.text.as_mut_str().zeroize();
        self.text.clear();
        self.spans.clear();
    }

    /// One pass over the bytes with table lookups, recording spans into `block` (copied
    /// by the caller on success). Returns false, leaving the error to [`Self::parse_slow`],
    /// on anything but well-formed lines: the same lines `parse_slow` accepts.
    fn parse_fast(&mut self, block: &str) -> bool {
        const SP: u8 = b' ';
        const HT: u8 = b'\t';
        let b = block.as_bytes();
        let n = b.len();
        if self.spans.capacity() == 0 {
            self.spans.reserve(16);
        }
        let mut i = 0;
        while i < n {
            // Blank line: "\n", "\r\n", or a lone "\r" at the very end.
            if b[i] == b'\n' {
                i += 1;
                continue;
            }
            if b[i] == b'\r' && (i + 1 == n || b[i + 1] == b'\n') {
                i += 2;
                continue;
            }
            // Name: tchars up to the first ':' (a line starting with SP/HT, an empty or
            // invalid name, or no colon: the slow pass says which).
            let name_start = i;
            while i < n && TOKEN_CHARS[usize::from(b[i])] {
                i += 1;
            }
            if i == name_start || i == n || b[i] != b':' {
                return false;
            }
            let name_len = i - name_start;
            i += 1;
            while i < n && (b[i] == SP || b[i] == HT) {
                i += 1;
            }
            let value_start = i;
            i = scan_value(b, i);
            let mut value_end = i;
            while value_end > value_start && (b[value_end - 1] == SP || b[value_end - 1] == HT) {
                value_end -= 1;
            }
            // The line must end here: end of block, "\n", or "\r" then "\n" or end.
            if i < n {
                match b[i] {
                    b'\n' => i += 1,
                    b'\r' if i + 1 == n || b[i + 1] == b'\n' => i += 2,
                    _ => return false,
                }
            }
            if value_end - value_start > MAX_HEADER_VALUE_LEN || self.spans.len() >= MAX_HEADER_COUNT {
                return false;
            }
            // Offsets fit: the block is at most MAX_HEADER_BLOCK_LEN bytes.
            self.spans.push(Span {
                name_start: name_start as u32,
                name_len: name_len as u32,
                value_start: value_start as u32,
                value_len: (value_end - value_start) as u32,
            });
        }
        true
    }

    fn parse_slow(&mut self, block: &str) -> Result<()> {
        // Byte searches for the ASCII delimiters: str's char-pattern searchers cost more.
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
            self.push(&line[..colon], value)?;
        }
        Ok(())
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
        if self.text.len() + name.len() + value.len() > u32::MAX as usize {
            return Err(Error::new(Status::InputTooLarge, "headers are larger than 4 GiB"));
        }
        let name_start = self.text.len() as u32;
        self.text.push_str(name);
        let value_start = self.text.len() as u32;
        self.text.push_str(value);
        self.spans.push(Span { name_start, name_len: name.len() as u32, value_start, value_len: value.len() as u32 });
        Ok(())
    }

    fn name_of(&self, span: &Span) -> &str {
        let start = span.name_start as usize;
        &self.text[start..start + span.name_len as usize]
    }

    fn value_of(&self, span: &Span) -> &str {
        let start = span.value_start as usize;
        &self.text[start..start + span.value_len as usize]
    }

    fn entry(&self, span: &Span) -> (&str, &str) {
        (self.name_of(span), self.value_of(span))
    }

    /// The value of `name`, if present exactly once. A repeated header is `MalformedHeader`:
    /// two `X-Signature` lines are an attack or a proxy bug, never something to pick from.
    pub fn get(&self, name: &str) -> Result<Option<&str>> {
        let [found] = self.find([name])?;
        Ok(found)
    }

    /// The value of each of `names` (`None` where absent) in one pass over the headers;
    /// `MalformedHeader` for the first name, in `names` order, that appears more than once.
    fn find<const N: usize>(&self, names: [&str; N]) -> Result<[Option<&str>; N]> {
        let text = self.text.as_bytes();
        let mut found: [Option<&Span>; N] = [None; N];
        let mut repeated = [false; N];
        for span in &self.spans {
            let start = span.name_start as usize;
            for (i, want) in names.iter().enumerate() {
                // Lengths first: most names differ in length, and that test needs no
                // slicing. Bytes, not str slices: no char-boundary checks per entry.
                let want = want.as_bytes();
                if span.name_len as usize == want.len()
                    && text.get(start..start + want.len()).is_some_and(|n| eq_ignore_ascii_case(n, want))
                {
                    repeated[i] |= found[i].is_some();
                    found[i] = Some(span);
                }
            }
        }
        if let Some(i) = repeated.iter().position(|&r| r) {
            return Err(Error::new(Status::MalformedHeader, format!("header {} appears more than once", names[i])));
        }
        Ok(found.map(|span| span.map(|span| self.value_of(span))))
    }

    /// [`Headers::require`] for several names in one pass over the headers (verification
    /// needs four on every request; four passes cost three more scans of every name).
    /// A repeated header is reported before a missing one; otherwise the first name, in
    /// `names` order, that fails.
    ///
    /// ```
    /// let h = signwire::Headers::parse("X-Nonce: ab\r\nX-API-Key: k1\r\n").unwrap();
    /// assert_eq!(h.require_all(["x-api-key", "X-Nonce"]).unwrap(), ["k1", "ab"]);
    /// assert!(h.require_all(["X-API-Key", "X-Signature"]).is_err());
    /// ```
    pub fn require_all<const N: usize>(&self, names: [&str; N]) -> Result<[&str; N]> {
        let found = self.find(names)?;
        let mut values = [""; N];
        for (i, value) in found.into_iter().enumerate() {
            values[i] = value.ok_or_else(|| Error::new(Status::MissingHeader, format!("required header {} is missing", names[i])))?;
        }
        Ok(values)
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
    // Digits only, so each step is one multiply-add; overflow is the only failure left.
    s.bytes()
        .try_fold(0i64, |n, d| n.checked_mul(10)?.checked_add(i64::from(d - b'0')))
        .ok_or_else(|| malformed("overflows"))
}

/// Check a nonce: exactly `hex_len` ASCII hex digits (either case).
///
/// ```
/// use signwire::headers::check_nonce;
/// assert!(check_nonce("00112233445566778899aabbccddeeff", 32).is_ok());
/// assert!(check_nonce("0011", 32).is_err());
/// ```
pub fn check_nonce(s: &str, hex_len: usize) -> Result<()> {
    // A fold without early exit over a table: no branch per character.
    if s.len() != hex_len || s.bytes().fold(0u8, |bad, b| bad | crate::mac::HEX_VALUES[usize::from(b)]) & 0xf0 != 0 {
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
    crate::mac::hex_into(raw, buf);
    // Only hex digits were written.
    Ok(std::str::from_utf8(&buf[..hex_len]).unwrap_or_else(|_| unreachable!()))
}

/// Bytes from the OS generator, drawn 1 KiB at a time into a per-thread pool: one
/// `getrandom` system call per nonce cost about 0.9 µs on a VM, as much as the HMAC of a
/// 1 KiB request. Every byte is still the kernel's and used once: a used byte is wiped,
/// and a pool filled before `fork` is never used by the child (see [`fork_stamp`]), so two
/// processes never send the same nonce.
fn random_bytes(out: &mut [u8]) -> Result<()> {
    use std::cell::RefCell;
    use zeroize::Zeroize;
    const POOL: usize = 1024;
    struct Pool {
        stamp: u64,
        used: usize,
        bytes: [u8; POOL],
    }
    impl Drop for Pool {
        fn drop(&mut self) {
            self.bytes.zeroize();
        }
    }
    thread_local! {
        static POOL_OF_THREAD: RefCell<Pool> = const { RefCell::new(Pool { stamp: 0, used: POOL, bytes: [0; POOL] }) };
    }
    let os = |buf: &mut [u8]| getrandom::fill(buf).map_err(|e| Error::new(Status::Internal, format!("OS random generator failed: {e}")));
    if out.len() > POOL / 4 {
        return os(out);
    }
    let drawn = POOL_OF_THREAD.try_with(|cell| -> Result<bool> {
        let Ok(mut pool) = cell.try_borrow_mut() else { return Ok(false) };
        let stamp = fork_stamp();
        if pool.stamp != stamp || POOL - pool.used < out.len() {
            os(&mut pool.bytes)?;
            pool.stamp = stamp;
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

/// Changes in a child process after `fork`, so that a per-thread pool copied by the fork
/// is never drawn from again.
///
/// On Unix: a counter bumped by a `pthread_atfork` child handler, registered on first use,
/// so the check is one atomic load. Comparing the process id, as before, was a `getpid`
/// system call per nonce (glibc no longer caches it): a third of signing a 1 KiB request.
/// `fork()` through libc (Python's `os.fork`, PHP-FPM, gunicorn, `posix_spawn`) runs the
/// handler; a raw `clone` system call that bypasses libc would not, which is why the
/// process id is still used where the handler could not be registered, and elsewhere.
fn fork_stamp() -> u64 {
    #[cfg(unix)]
    {
        use std::sync::atomic::{AtomicU64, Ordering};
        static GENERATION: AtomicU64 = AtomicU64::new(1);
        static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        extern "C" fn in_child() {
            // Async-signal-safe: one atomic add, no allocation, no lock.
            GENERATION.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: registers a handler that only touches an atomic; pthread_atfork has no
        // other precondition.
        if *REGISTERED.get_or_init(|| unsafe { libc::pthread_atfork(None, None, Some(in_child)) } == 0) {
            // The top bit keeps a generation apart from any process id below.
            return GENERATION.load(Ordering::Relaxed) | 1 << 63;
        }
    }
    u64::from(std::process::id())
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

/// The authentication headers of one signed request, in the scheme's order:
/// key id, signature, timestamp, nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    // The `Name: value\r\n` block itself, with where each name and value is in it: signing
    // builds one string, and the C ABI copies it out as it is. The spans are inline (no
    // scheme sends more than MAX_SIGNED_HEADERS): a Vec of them cost an allocation per
    // signature.
    block: String,
    spans: [[u32; 4]; MAX_SIGNED_HEADERS],
    len: usize,
}

/// Most headers any scheme's signature sends (HopNow's four).
const MAX_SIGNED_HEADERS: usize = 4;

impl SignedHeaders {
    pub(crate) fn with_capacity(capacity: usize) -> SignedHeaders {
        SignedHeaders { block: String::with_capacity(capacity), spans: [[0; 4]; MAX_SIGNED_HEADERS], len: 0 }
    }

    /// Every caller is in this crate and sends a fixed set of headers (the presets' tests
    /// sign with each of them), so a full set is a bug here: an `Internal` error, not a panic.
    pub(crate) fn push(&mut self, name: &str, value: &str) -> Result<()> {
        if self.len == MAX_SIGNED_HEADERS {
            return Err(Error::new(Status::Internal, format!("a scheme sends more than {MAX_SIGNED_HEADERS} signed headers")));
        }
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let start = self.block.len();
        self.block.push_str(name);
        self.block.push_str(": ");
        self.block.push_str(value);
        self.block.push_str("\r\n");
        let value_start = start + name.len() + 2;
        self.spans[self.len] = [at(start), at(start + name.len()), at(value_start), at(value_start + value.len())];
        self.len += 1;
        Ok(())
    }

    /// Header value by name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// (name, value) pairs, in order.
    ///
    /// ```
    /// use signwire::{Request, Scheme, Signer};
    /// let signer = Signer::new(Scheme::load("hopnow").unwrap(), "k1", b"secret").unwrap();
    /// let signed = signer.sign_at(&Request::new("GET", "https://h/", b""), 1700000000, "00112233445566778899aabbccddeeff").unwrap();
    /// let names: Vec<&str> = signed.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.spans[..self.len].iter().map(|&[start, name_end, value_start, value_end]| {
            let span = |a: u32, b: u32| self.block.get(a as usize..b as usize).unwrap_or_default();
            (span(start, name_end), span(value_start, value_end))
        })
    }

    pub(crate) fn from_entries(entries: &[(&str, &str)]) -> Result<SignedHeaders> {
        let mut h = SignedHeaders::with_capacity(256);
        for (n, v) in entries {
            h.push(n, v)?;
        }
        Ok(h)
    }

    /// `Name: value\r\n` lines.
    pub fn to_block(&self) -> String {
        self.block.clone()
    }

    /// `Name: value\r\n` lines, borrowed.
    ///
    /// ```
    /// use signwire::{Request, Scheme, Signer};
    /// let signer = Signer::new(Scheme::load("hopnow").unwrap(), "k1", b"secret").unwrap();
    /// let signed = signer.sign_at(&Request::new("GET", "https://h/", b""), 1700000000, "00112233445566778899aabbccddeeff").unwrap();
    /// assert!(signed.as_block().starts_with("X-API-Key: k1\r\nX-Signature: "));
    /// assert!(signed.as_block().ends_with("X-Nonce: 00112233445566778899aabbccddeeff\r\n"));
    /// ```
    pub fn as_block(&self) -> &str {
        &self.block
    }
}

/// `n` in decimal, in `buf` (20 digits hold any u64): no allocation per signature.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[i..]).unwrap_or_else(|_| unreachable!())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_all_names_the_first_failing_header_in_order() {
        let h = Headers::parse("X-Nonce: n\r\nx-api-key: k\r\nX-Signature: s\r\nX-Timestamp: 1\r\n").unwrap();
        assert_eq!(h.require_all(["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]).unwrap(), ["k", "s", "1", "n"]);
        let missing = Headers::parse("X-Nonce: n\r\n").unwrap();
        let e = missing.require_all(["X-API-Key", "X-Nonce", "X-Other"]).unwrap_err();
        assert_eq!(e.status(), Status::MissingHeader);
        assert!(e.message().contains("X-API-Key"), "{}", e.message());
        let twice = Headers::parse("X-Nonce: a\r\nX-API-Key: k\r\nx-nonce: b\r\n").unwrap();
        let e = twice.require_all(["X-API-Key", "X-Nonce"]).unwrap_err();
        assert_eq!(e.status(), Status::MalformedHeader);
        assert!(e.message().contains("X-Nonce appears more than once"), "{}", e.message());
        // The same answers as `require`, name by name.
        for name in ["X-API-Key", "X-Nonce"] {
            assert_eq!(twice.require(name).map_err(|e| e.status()), twice.require_all([name]).map(|[v]| v).map_err(|e| e.status()));
        }
    }

    #[test]
    fn parse_block_variants() {
        let h = Headers::parse("A: 1\nB:2\r\n\r\nc:  3 \r\n").unwrap();
        assert_eq!(h.get("a").unwrap(), Some("1"));
        assert_eq!(h.get("B").unwrap(), Some("2"));
        assert_eq!(h.get("C").unwrap(), Some("3"));
        assert_eq!(h.get("d").unwrap(), None);
    }

    /// The fast pass accepts exactly what the line-by-line pass accepts, with the same
    /// names and values, on random blocks over the bytes that matter to the grammar.
    #[test]
    fn fast_and_slow_parses_agree() {
        const ALPHABET: [&str; 14] = [":", " ", "\t", "\r", "\n", "\r\n", "a", "B", "-", "x: 1", "\u{1}", "\u{7f}", "é", "\r\n\r\n"];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut accepted = 0;
        for _ in 0..200_000 {
            let len = (next() % 12) as usize;
            let block: String = (0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect();
            let mut fast = Headers::new();
            let fast_ok = fast.parse_fast(&block);
            if fast_ok {
                fast.text.push_str(&block);
            }
            let mut slow = Headers::new();
            let slow_ok = slow.parse_slow(&block).is_ok();
            assert_eq!(fast_ok, slow_ok, "{block:?}");
            if fast_ok {
                accepted += 1;
                assert_eq!(fast, slow, "{block:?}");
            }
            assert_eq!(Headers::parse(&block).is_ok(), slow_ok, "{block:?}");
        }
        assert!(accepted > 10_000, "the generator must reach well-formed blocks too ({accepted})");
    }

    #[test]
    fn case_insensitive_names_agree_with_std() {
        let names = ["", "a", "A", "x-api-key", "X-API-KEY", "X-Api-Key", "x-api-kez", "X-Signature", "X-Timestamp", "^", "~", "_", "\u{7f}", "@", "`", "[", "{", "Z", "z", "0123456789abcdefX", "0123456789ABCDEFx", "é", "É"];
        for a in names {
            for b in names {
                assert_eq!(eq_ignore_ascii_case(a.as_bytes(), b.as_bytes()), a.eq_ignore_ascii_case(b), "{a:?} {b:?}");
            }
        }
        for x in 0..=255u8 {
            for y in 0..=255u8 {
                assert_eq!(eq_ignore_ascii_case(&[x, b'k', y], &[y, b'K', x]), [x, b'k', y].eq_ignore_ascii_case(&[y, b'K', x]), "{x} {y}");
            }
        }
    }

    /// Every byte value at every position of a long value (the eight-at-a-time scan).
    #[test]
    fn every_byte_in_long_values() {
        for pos in 0..24 {
            for byte in 0..=255u8 {
                let mut value = b"0123456789abcdef01234567".to_vec();
                value[pos] = byte;
                let Ok(value) = String::from_utf8(value) else { continue };
                for end in ["", "\n", "\r\n", "\r"] {
                    let block = format!("X-Long: {value}{end}Next: 1\r\n");
                    let mut fast = Headers::new();
                    let fast_ok = fast.parse_fast(&block);
                    let mut slow = Headers::new();
                    let slow_ok = slow.parse_slow(&block).is_ok();
                    assert_eq!(fast_ok, slow_ok, "{block:?}");
                    if fast_ok {
                        fast.text.push_str(&block);
                        assert_eq!(fast, slow, "{block:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn parse_into_reuses_and_clears() {
        let mut h = Headers::parse("A: 1\r\nB: 2\r\n").unwrap();
        h.parse_into("C: 3").unwrap();
        assert_eq!(h.iter().collect::<Vec<_>>(), [("C", "3")]);
        assert!(h.parse_into("bad line").is_err());
        assert!(h.is_empty(), "a refused block leaves nothing behind");
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

    #[test]
    fn more_signed_headers_than_fit_is_an_internal_error_not_a_panic() {
        let four = [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")];
        assert_eq!(SignedHeaders::from_entries(&four).unwrap().iter().count(), 4);
        let five = [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4"), ("E", "5")];
        let e = SignedHeaders::from_entries(&five).unwrap_err();
        assert_eq!(e.status(), Status::Internal);
        assert!(e.message().contains("more than 4 signed headers"), "{}", e.message());
    }

    #[test]
    fn decimal_matches_to_string() {
        for n in [0u64, 1, 9, 10, 99, 100, 1_700_000_000, u64::MAX] {
            assert_eq!(decimal(n, &mut [0u8; 20]), n.to_string());
        }
    }
}
