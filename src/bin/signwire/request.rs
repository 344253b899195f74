//! `sign`, `explain`, `verify` and `diff`: thin layers over `Signer`, `Verifier` and
//! `diagnostics`.

use crate::args::{SignArgs, VerifyArgs};
use crate::input;
use crate::{emit, Fail};
use serde_json::json;
use signwire::canonical::{escape_for_display, Request};
use signwire::headers::{unix_now, Headers};
use signwire::{Scheme, Signer, Verifier};
use std::path::Path;
use std::process::ExitCode;

/// Headers as a JSON array of `{"name", "value"}` objects: order and repeats survive.
fn headers_json<'a>(h: impl Iterator<Item = (&'a str, &'a str)>) -> serde_json::Value {
    h.map(|(n, v)| json!({"name": n, "value": v})).collect()
}

/// `sign` (headers) and `explain` (payload, signature, headers, fingerprint).
pub fn sign(a: &SignArgs, explain: bool) -> Result<(), Fail> {
    let scheme = Scheme::load(&a.key.scheme).map_err(Fail::Input)?;
    let secret = input::secret(a.key.secret.secret_env.as_deref(), a.key.secret.secret_file.as_deref())?;
    let body = input::body(a.request.body_file.as_deref())?;
    let signer = Signer::new(scheme.clone(), &a.key.key_id, &secret).map_err(Fail::Input)?;
    let timestamp = input::seconds(a.timestamp.as_deref(), "timestamp")?.unwrap_or_else(unix_now);
    let nonce = match &a.nonce {
        Some(n) => n.clone(),
        None => signwire::headers::generate_nonce(scheme.nonce_hex_len).map_err(Fail::Input)?,
    };
    // Request headers, for schemes that sign some of them (aws-sigv4 signs all given).
    let given = input::headers(&a.request.headers, Fail::Input)?;
    let request = Request::new(&a.request.method, &a.request.url, &body).with_headers(&given);
    let e = signer.explain(&request, timestamp, &nonce).map_err(Fail::Input)?;
    let block = e.headers.to_block().replace("\r\n", "\n");
    if !explain {
        let out = if a.json {
            let v = json!({"key_id": a.key.key_id, "timestamp": timestamp, "nonce": nonce, "headers": headers_json(e.headers.iter())});
            format!("{v}\n")
        } else {
            block
        };
        return emit(out.as_bytes());
    }
    // The fingerprint of the request as it will be sent: the given headers plus the signed ones.
    let sent = Headers::parse(&format!("{}{}", given.to_block(), e.headers.to_block())).map_err(Fail::Input)?;
    let fp = signwire::diagnostics::fingerprint(&scheme, &request.with_headers(&sent));
    let components: Vec<String> = scheme.components.iter().map(|c| c.label()).collect();
    let out = if a.json {
        let v = json!({
            "scheme": scheme.name,
            "algorithm": scheme.algorithm.name(),
            "encoding": scheme.encoding.name(),
            "components": components,
            "separator": scheme.separator,
            "payload_len": e.payload.len(),
            "payload_escaped": escape_for_display(&e.payload),
            "signature": e.signature,
            "headers": headers_json(e.headers.iter()),
            "fingerprint": fp.entries.iter().map(|(l, v)| json!({"label": l, "value": v})).collect::<Vec<_>>(),
            "fingerprint_line": fp.to_line(),
        });
        format!("{v}\n")
    } else {
        let mut s = String::new();
        s += &format!("scheme:     {}\n", scheme.name);
        s += &format!("algorithm:  {} ({})\n", scheme.algorithm.name(), scheme.encoding.name());
        s += &format!("components: {}\n", components.join(" + "));
        s += &format!("separator:  \"{}\"\n", escape_for_display(scheme.separator.as_bytes()));
        s += &format!("payload ({} bytes, escaped):\n{}\n", e.payload.len(), escape_for_display(&e.payload));
        s += &format!("signature:  {}\nheaders:\n{block}", e.signature);
        s += "fingerprints (no secret; compare with the server's diagnostic line: signwire diff):\n";
        for (label, value) in &fp.entries {
            s += &format!("  {label:<16}{value}\n");
        }
        s + &fp.to_line() + "\n"
    };
    emit(out.as_bytes())
}

/// Everything `verify` needs before it can check; failures here are usage or input errors.
fn check(a: &VerifyArgs) -> Result<Result<signwire::Verified, signwire::verifier::Rejected>, Fail> {
    let scheme = Scheme::load(&a.key.scheme).map_err(Fail::Input)?;
    let secret = input::secret(a.key.secret.secret_env.as_deref(), a.key.secret.secret_file.as_deref())?;
    let mut verifier = Verifier::new(scheme);
    verifier.keyring().add_secret(&a.key.key_id, &secret).map_err(Fail::Input)?;
    input::apply_policy(&mut verifier, &a.policy)?;
    if a.headers_file.as_deref() == Some("-") && a.request.body_file.as_deref() == Some("-") {
        return Err(Fail::Usage("--headers-file and --body-file cannot both read stdin".into()));
    }
    let body = input::body(a.request.body_file.as_deref())?;
    let mut lines = a.request.headers.clone();
    if let Some(path) = &a.headers_file {
        let text = if path == "-" {
            String::from_utf8(input::stdin_bytes("headers")?).map_err(|_| Fail::Usage("the headers on stdin are not UTF-8".into()))?
        } else {
            std::fs::read_to_string(path).map_err(|e| Fail::Usage(format!("cannot read --headers-file {path}: {e}")))?
        };
        lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
    }
    // A header the library refuses (e.g. a duplicate signature header) is a refusal.
    let headers = input::headers(&lines, Fail::Refused)?;
    let now = input::seconds(a.now.as_deref(), "now")?.unwrap_or_else(unix_now);
    let request = Request::new(&a.request.method, &a.request.url, &body).with_headers(&headers).with_remote_addr(a.remote_addr.as_deref());
    verifier.set_diagnostics(a.diagnostics || a.json);
    Ok(verifier.verify_diagnosed(&request, now))
}

/// `verify`: the verdict on stdout (text or JSON), the message and diagnostic on stderr.
pub fn verify(a: &VerifyArgs) -> ExitCode {
    let (error, diagnostic) = match check(a) {
        Ok(Ok(v)) => {
            let out = if a.json {
                format!("{}\n", json!({"verdict": "ok", "status": "SIGNWIRE_OK", "key_id": v.key_id, "timestamp": v.timestamp}))
            } else {
                format!("ok {}\n", v.key_id)
            };
            return crate::finish("verify", emit(out.as_bytes()));
        }
        Ok(Err(r)) => (r.error, r.diagnostic),
        Err(Fail::Usage(m)) => return crate::finish("verify", Err(Fail::Usage(m))),
        Err(Fail::Input(e) | Fail::Refused(e)) => (e, None),
    };
    let refused = error.status().is_verification_failure();
    let line = diagnostic.map(|d| d.to_line());
    let out = if a.json {
        let v = json!({
            "verdict": if refused { "refused" } else { "error" },
            "status": error.status().name(),
            "message": error.message(),
            "diagnostic": line,
        });
        format!("{v}\n")
    } else {
        format!("{}\n", error.status().name())
    };
    if let (Some(l), true) = (&line, a.diagnostics) {
        eprintln!("{l}");
    }
    eprintln!("signwire: {}", error.message());
    if let Err(f) = emit(out.as_bytes()) {
        f.report("verify");
    }
    ExitCode::from(if refused { 1 } else { 2 })
}

/// `diff CLIENT SERVER`: name the first signed component that differs.
pub fn diff(client: &Path, server: &Path) -> ExitCode {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let result = read(client)
        .and_then(|c| read(server).and_then(|s| signwire::diagnostics::diff(&c, &s).map_err(|e| e.message().to_string())));
    match result {
        Ok(d) => {
            if let Err(f) = emit(format!("{}\n", d.summary).as_bytes()) {
                f.report("diff");
                return ExitCode::from(2);
            }
            ExitCode::from(if d.label.is_some() { 1 } else { 0 })
        }
        Err(m) => crate::finish("diff", Err(Fail::Usage(m))),
    }
}
