//! The HTTP/1.1 that `signwire serve` speaks: one request per connection, read with strict
//! limits, answered with `Connection: close`.
//!
//! Written on `std::net` rather than an HTTP crate because the test endpoint needs the
//! request exactly as sent (method, target, header values and body bytes, which a server
//! framework may normalise) and hard bounds on every part of it; a request line, headers and
//! a `Content-Length` body is all its clients (curl, requests, Guzzle, a C client) send, and
//! each part the reader does not handle is refused with a clear status instead of guessed.

use std::io::{BufRead, Read, Write};

/// Longest request head (request line and headers together), in bytes.
pub const MAX_HEAD: usize = 64 * 1024;
/// Most header lines in one request.
pub const MAX_HEADERS: usize = 100;

/// A request as received: nothing is decoded or normalised.
pub struct HttpRequest {
    /// The method token, as sent.
    pub method: String,
    /// The request target (`/path?query`, or an absolute URL), as sent.
    pub target: String,
    /// Header lines in order, names as sent, values without surrounding blanks.
    pub headers: Vec<(String, String)>,
    /// The body: exactly `Content-Length` bytes.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A request the reader will not pass on: the HTTP status to answer and why.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status code.
    pub code: u16,
    /// Why, for the client (never echoes request bytes).
    pub message: String,
}

fn refuse(code: u16, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// The reason phrase of the codes this server sends.
pub fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// One line of the head, without its CRLF (or bare LF); `None` at end of stream.
fn read_line(r: &mut impl BufRead, budget: &mut usize, too_long: u16) -> Result<Option<Vec<u8>>, Refusal> {
    let mut line = Vec::new();
    let n = r
        .by_ref()
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| if is_timeout(&e) { refuse(408, "the request was not received in time") } else { refuse(400, format!("read error: {e}")) })?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(if n > *budget {
            refuse(too_long, format!("the request head is longer than {MAX_HEAD} bytes"))
        } else {
            refuse(400, "the connection closed in the middle of the request head")
        });
    }
    *budget -= n;
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(Some(line))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
}

/// Read one request. `Ok(None)` when the peer closed before sending a byte (a port probe).
/// `w` receives the `100 Continue` interim answer a client may wait for before its body.
pub fn read_request(r: &mut impl BufRead, w: &mut impl Write, max_body: usize) -> Result<Option<HttpRequest>, Refusal> {
    let mut budget = MAX_HEAD;
    let Some(line) = read_line(r, &mut budget, 414)? else { return Ok(None) };
    let line = String::from_utf8(line).map_err(|_| refuse(400, "the request line is not UTF-8"))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(refuse(400, "the request line is not 'METHOD TARGET HTTP/1.1'"));
    };
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(refuse(400, "the method is not an HTTP token"));
    }
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(refuse(400, "the request target is empty or holds control characters or spaces"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(refuse(505, "only HTTP/1.1 and HTTP/1.0 are spoken here"));
    }
    let mut headers = Vec::new();
    loop {
        let Some(line) = read_line(r, &mut budget, 431)? else {
            return Err(refuse(400, "the connection closed in the middle of the request head"));
        };
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(refuse(431, format!("more than {MAX_HEADERS} header lines")));
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(refuse(400, "folded header lines (obs-fold) are not accepted"));
        }
        let line = String::from_utf8(line).map_err(|_| refuse(400, format!("header line {} is not UTF-8", headers.len() + 1)))?;
        let (name, value) = line.split_once(':').ok_or_else(|| refuse(400, format!("header line {} has no ':'", headers.len() + 1)))?;
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(refuse(400, format!("header line {} has an invalid name", headers.len() + 1)));
        }
        headers.push((name.to_string(), value.trim_matches([' ', '\t']).to_string()));
    }
    let mut req = HttpRequest { method: method.to_string(), target: target.to_string(), headers, body: Vec::new() };
    if req.header("transfer-encoding").is_some() {
        return Err(refuse(501, "Transfer-Encoding (chunked bodies) is not supported: send the body with Content-Length"));
    }
    let mut length: Option<usize> = None;
    for (n, v) in &req.headers {
        if n.eq_ignore_ascii_case("content-length") {
            let l = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) { v.parse::<usize>().ok() } else { None };
            let l = l.ok_or_else(|| refuse(400, "Content-Length is not a number"))?;
            if length.is_some_and(|prev| prev != l) {
                return Err(refuse(400, "two different Content-Length headers"));
            }
            length = Some(l);
        }
    }
    let length = length.unwrap_or(0);
    if length > max_body {
        return Err(refuse(413, format!("the body is {length} bytes; this endpoint accepts at most {max_body} (--max-body)")));
    }
    if length > 0 && req.header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        let _ = w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").and_then(|_| w.flush());
    }
    req.body = vec![0; length];
    r.read_exact(&mut req.body).map_err(|e| {
        if is_timeout(&e) {
            refuse(408, "the body was not received in time")
        } else {
            refuse(400, format!("the body ended before its Content-Length ({length} bytes)"))
        }
    })?;
    Ok(Some(req))
}

/// Write a complete response that closes the connection.
pub fn write_response(w: &mut impl Write, code: u16, content_type: &str, extra: &[(&str, &str)], body: &[u8]) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {code} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reason(code),
        body.len()
    );
    for (n, v) in extra {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &[u8], max_body: usize) -> Result<Option<HttpRequest>, Refusal> {
        let mut sink = Vec::new();
        read_request(&mut std::io::Cursor::new(raw.to_vec()), &mut sink, max_body)
    }

    #[test]
    fn reads_a_request_as_sent() {
        let r = read(b"POST /v1/x?b=2&a=1 HTTP/1.1\r\nHost: h:1\r\nX-A:  v w \r\nContent-Length: 3\r\n\r\nabcEXTRA", 10).unwrap().unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str(), r.body.as_slice()), ("POST", "/v1/x?b=2&a=1", &b"abc"[..]));
        assert_eq!(r.header("x-a"), Some("v w"));
        assert!(read(b"", 10).unwrap().is_none());
    }

    #[test]
    fn refuses_what_it_does_not_handle() {
        let code = |raw: &[u8]| read(raw, 10).err().map(|e| e.code);
        assert_eq!(code(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"), Some(413));
        assert_eq!(code(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), Some(501));
        assert_eq!(code(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"), Some(400));
        assert_eq!(code(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), Some(400));
        assert_eq!(code(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"), Some(400));
        assert_eq!(code(b"GET / HTTP/2\r\n\r\n"), Some(505));
        assert_eq!(code(b"GET  / HTTP/1.1\r\n\r\n"), Some(400));
        assert_eq!(code(b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n"), Some(400));
        assert_eq!(code(b"GET / HTTP/1.1\r\nBad Name: a\r\n\r\n"), Some(400));
        assert_eq!(code(b"GET / HTTP/1.1\r\nX: a"), Some(400));
        let long = [b"GET /".as_slice(), &vec![b'a'; MAX_HEAD], b" HTTP/1.1\r\n\r\n"].concat();
        assert_eq!(code(&long), Some(414));
        let many: Vec<u8> = [b"GET / HTTP/1.1\r\n".to_vec(), b"X: y\r\n".repeat(MAX_HEADERS + 1), b"\r\n".to_vec()].concat();
        assert_eq!(code(&many), Some(431));
    }
}
