//! `signwire serve`: a local test endpoint. It verifies every request it receives with the
//! given scheme, keys and policy, exactly as a server using the library would, and answers
//! with the verdict, the status name and the server-side fingerprint line, so that a client
//! developer can run `signwire diff` against it without the real API.
//!
//! One request per connection, one connection at a time: a development tool, not a server.
//! The answers hold no secret and no expected signature (the fingerprint has neither).

use crate::args::ServeArgs;
use crate::http::{self, HttpRequest};
use crate::input;
use crate::{emit, Fail};
use serde_json::json;
use signwire::canonical::escape_for_display;
use signwire::diagnostics::Diagnostic;
use signwire::headers::{unix_now, Headers};
use signwire::{Request, Scheme, Status, Verifier};
use std::io::{BufReader, Read};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

/// How long one client may take to send its request (the server handles one at a time).
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// `ID=VALUE` of `--key-env` and `--key-file`.
fn split_key<'a>(spec: &'a str, option: &str) -> Result<(&'a str, &'a str), Fail> {
    spec.split_once('=')
        .filter(|(id, v)| !id.is_empty() && !v.is_empty())
        .ok_or_else(|| Fail::Usage(format!("{option} takes ID=VALUE, got {spec:?}")))
}

fn verifier(a: &ServeArgs, scheme: Scheme) -> Result<Verifier, Fail> {
    let mut v = Verifier::new(scheme);
    let mut keys = 0;
    if let Some(id) = &a.key_id {
        let s = input::secret(a.secret.secret_env.as_deref(), a.secret.secret_file.as_deref())?;
        v.keyring().add_secret(id, &s).map_err(Fail::Input)?;
        keys += 1;
    } else if a.secret.secret_env.is_some() || a.secret.secret_file.is_some() {
        return Err(Fail::Usage("--secret-env/--secret-file need --key-id (or use --key-env ID=VAR, --key-file ID=PATH)".into()));
    }
    for spec in &a.key_env {
        let (id, var) = split_key(spec, "--key-env")?;
        v.keyring().add_secret(id, &input::secret_from_env(var.as_ref())?).map_err(Fail::Input)?;
        keys += 1;
    }
    for spec in &a.key_file {
        let (id, path) = split_key(spec, "--key-file")?;
        v.keyring().add_secret(id, &input::secret_from_file(path.as_ref(), "--key-file")?).map_err(Fail::Input)?;
        keys += 1;
    }
    if keys == 0 {
        return Err(Fail::Usage("give at least one key: --key-id ID with --secret-env/--secret-file, --key-env ID=VAR or --key-file ID=PATH".into()));
    }
    input::apply_policy(&mut v, &a.policy)?;
    v.set_diagnostics(true);
    Ok(v)
}

/// `--public-url` as an origin (optionally with a path prefix) without a trailing slash.
fn public_origin(url: &str) -> Result<String, Fail> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(['?', '#']) && !r.bytes().any(|b| b <= b' ') => {
            Ok(url.trim_end_matches('/').to_string())
        }
        _ => Err(Fail::Usage(format!("--public-url must be http(s)://host[:port][/prefix] without query, got {url:?}"))),
    }
}

/// Run until killed, or until `--max-requests` requests have been answered.
pub fn run(a: &ServeArgs) -> Result<(), Fail> {
    let scheme = Scheme::load(&a.scheme).map_err(Fail::Input)?;
    let verifier = verifier(a, scheme)?;
    let origin = a.public_url.as_deref().map(public_origin).transpose()?;
    let listener = TcpListener::bind(&a.listen).map_err(|e| Fail::Usage(format!("cannot listen on {}: {e}", a.listen)))?;
    let addr = listener.local_addr().map_err(|e| Fail::Usage(format!("cannot read the bound address: {e}")))?;
    if !addr.ip().is_loopback() {
        eprintln!("signwire serve: warning: listening on {addr}, reachable from other hosts (a test endpoint; the default is loopback)");
    }
    // The one line on stdout: tests and scripts wait for it instead of sleeping.
    emit(format!("listening on http://{addr}\n").as_bytes())?;
    let mut answered = 0u64;
    for conn in listener.incoming() {
        if a.max_requests.is_some_and(|m| answered >= m) {
            break;
        }
        match conn {
            Ok(stream) => {
                if handle(&verifier, origin.as_deref(), a, stream) {
                    answered += 1;
                }
            }
            Err(e) => eprintln!("signwire serve: accept failed: {e}"),
        }
        if a.max_requests.is_some_and(|m| answered >= m) {
            break;
        }
    }
    Ok(())
}

/// What one request got: HTTP code, verdict, status, message, key id, fingerprint line.
struct Answer {
    code: u16,
    verdict: &'static str,
    status: Status,
    message: String,
    key_id: Option<String>,
    url: Option<String>,
    fingerprint: Option<String>,
}

impl Answer {
    fn http_error(code: u16, message: String) -> Answer {
        let status = if code == 413 { Status::InputTooLarge } else { Status::InvalidArgument };
        Answer { code, verdict: "error", status, message, key_id: None, url: None, fingerprint: None }
    }

    fn text(&self) -> String {
        let mut s = format!("verdict: {}\nstatus: {}\n", self.verdict, self.status.name());
        if let Some(k) = &self.key_id {
            s += &format!("key_id: {k}\n");
        }
        if !self.message.is_empty() {
            s += &format!("message: {}\n", self.message);
        }
        if let Some(u) = &self.url {
            s += &format!("url: {u}\n");
        }
        if let Some(fp) = &self.fingerprint {
            s += "# save this answer and run: signwire diff CLIENT_EXPLAIN_OUTPUT THIS_ANSWER\n";
            s += fp;
            s.push('\n');
        }
        s
    }

    fn json(&self) -> String {
        let v = json!({
            "verdict": self.verdict,
            "status": self.status.name(),
            "message": self.message,
            "key_id": self.key_id,
            "url": self.url,
            "fingerprint": self.fingerprint,
        });
        format!("{v}\n")
    }
}

/// The URL the client signed: the public origin (or http:// + Host) + the request target.
fn signed_url(req: &HttpRequest, origin: Option<&str>) -> Result<String, String> {
    if req.target.starts_with('/') {
        return match (origin, req.header("host")) {
            (Some(o), _) => Ok(format!("{o}{}", req.target)),
            (None, Some(h)) if !h.is_empty() => Ok(format!("http://{h}{}", req.target)),
            (None, _) => Err("no Host header to rebuild the URL from (or start the server with --public-url)".into()),
        };
    }
    if origin.is_none() && (req.target.starts_with("http://") || req.target.starts_with("https://")) {
        return Ok(req.target.clone());
    }
    Err("the request target must be a path (/...) or, without --public-url, an absolute http(s) URL".into())
}

fn verify(v: &Verifier, req: &HttpRequest, origin: Option<&str>, peer: &str) -> Answer {
    let url = match signed_url(req, origin) {
        Ok(u) => u,
        Err(m) => return Answer::http_error(400, m),
    };
    let mut headers = Headers::new();
    for (n, val) in &req.headers {
        if let Err(e) = headers.push(n, val) {
            let code = if e.status().is_verification_failure() { 401 } else { 400 };
            let verdict = if code == 401 { "refused" } else { "error" };
            return Answer { code, verdict, status: e.status(), message: e.message().into(), key_id: None, url: Some(url), fingerprint: None };
        }
    }
    let now = unix_now();
    let request = Request::new(&req.method, &url, &req.body).with_headers(&headers).with_remote_addr(Some(peer));
    match v.verify_diagnosed(&request, now) {
        Ok(ok) => Answer {
            code: 200,
            verdict: "ok",
            status: Status::Ok,
            message: String::new(),
            key_id: Some(ok.key_id),
            fingerprint: Some(Diagnostic::new(v.scheme(), &request, Status::Ok, now).to_line()),
            url: Some(url),
        },
        Err(r) => {
            let refused = r.error.status().is_verification_failure();
            let fp = r.diagnostic.unwrap_or_else(|| Diagnostic::new(v.scheme(), &request, r.error.status(), now));
            Answer {
                code: if refused { 401 } else { 400 },
                verdict: if refused { "refused" } else { "error" },
                status: r.error.status(),
                message: r.error.message().into(),
                key_id: None,
                url: Some(url),
                fingerprint: Some(fp.to_line()),
            }
        }
    }
}

/// Answer one connection; `false` when the peer sent nothing (not counted as a request).
fn handle(v: &Verifier, origin: Option<&str>, a: &ServeArgs, stream: TcpStream) -> bool {
    let peer = stream.peer_addr().map(|p| p.ip().to_string()).unwrap_or_default();
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else { return false };
    let mut reader = BufReader::new(read_half);
    let mut writer = &stream;
    let (answer, wants_json, line, complete) = match http::read_request(&mut reader, &mut writer, a.max_body) {
        Ok(None) => return false,
        Ok(Some(req)) => {
            let wants_json = a.json || req.header("accept").is_some_and(|h| h.contains("application/json"));
            let line = format!("{} {}", escape_for_display(req.method.as_bytes()), escape_for_display(req.target.as_bytes()));
            (verify(v, &req, origin, &peer), wants_json, line, true)
        }
        Err(r) => (Answer::http_error(r.code, r.message), a.json, "(unreadable request)".to_string(), false),
    };
    eprintln!("signwire serve: {peer} {line} -> {} {}", answer.code, answer.status.name());
    if let Some(fp) = &answer.fingerprint {
        eprintln!("signwire serve: {fp}");
    }
    let (ctype, body) =
        if wants_json { ("application/json", answer.json()) } else { ("text/plain; charset=utf-8", answer.text()) };
    let status = answer.status.name();
    let extra = [("X-Signwire-Verdict", answer.verdict), ("X-Signwire-Status", status)];
    if let Err(e) = http::write_response(&mut writer, answer.code, ctype, &extra, body.as_bytes()) {
        eprintln!("signwire serve: cannot answer {peer}: {e}");
    }
    // Closing with unread bytes makes the kernel send a reset that can destroy the answer
    // before the client reads it: say we are done, then drain briefly what the client still sends.
    let _ = stream.shutdown(Shutdown::Write);
    if !complete {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let _ = reader.take(1 << 20).read_to_end(&mut Vec::new());
    }
    true
}
