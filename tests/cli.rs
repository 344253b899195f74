//! The `signwire` command line against the shared vectors (Python's hmac).

mod common;
use common::{body, s, vectors};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_signwire"));
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn header_args(block: &str) -> Vec<String> {
    block.lines().filter(|l| !l.is_empty()).flat_map(|l| ["--header".to_string(), l.to_string()]).collect()
}

#[test]
fn sign_and_verify_every_hopnow_vector() {
    let doc = vectors("hopnow.json");
    for v in doc["vectors"].as_array().unwrap() {
        let b = body(&v["body"]);
        let env = [("HOPNOW_SECRET", s(v, "secret"))];
        let base = ["--scheme", "hopnow", "--key-id", s(v, "key_id"), "--secret-env", "HOPNOW_SECRET", "--method", s(v, "method"), "--url", s(v, "url"), "--body-file", "-"];
        let mut sign: Vec<&str> = vec!["sign"];
        sign.extend(base);
        sign.extend(["--timestamp", s(v, "timestamp"), "--nonce", s(v, "nonce")]);
        let o = cli(&sign, &env, &b);
        assert!(o.status.success(), "{}: {}", s(v, "name"), String::from_utf8_lossy(&o.stderr));
        let out = stdout(&o);
        assert!(out.contains(&format!("X-Signature: {}\n", s(v, "signature"))), "{}: {out}", s(v, "name"));

        // Verify the vector's own headers (not the CLI's output) at the vector's time.
        let block = format!(
            "X-API-Key: {}\nX-Signature: {}\nX-Timestamp: {}\nX-Nonce: {}\n",
            s(v, "key_id"), s(v, "signature"), s(v, "timestamp"), s(v, "nonce")
        );
        let hdrs = header_args(&block);
        let mut verify: Vec<&str> = vec!["verify"];
        verify.extend(base);
        verify.extend(["--now", s(v, "timestamp")]);
        verify.extend(hdrs.iter().map(String::as_str));
        let o = cli(&verify, &env, &b);
        assert_eq!(o.status.code(), Some(0), "{}: {}", s(v, "name"), String::from_utf8_lossy(&o.stderr));
        assert_eq!(stdout(&o), format!("ok {}\n", s(v, "key_id")));

        // One byte of body changed.
        let mut tampered = b.clone();
        tampered.push(b' ');
        let o = cli(&verify, &env, &tampered);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(stdout(&o), "SIGNWIRE_ERR_BAD_SIGNATURE\n");
    }
}

#[test]
fn explain_prints_the_escaped_payload_and_signature() {
    let doc = vectors("hopnow.json");
    let v = doc["vectors"].as_array().unwrap().iter().find(|v| s(v, "name").contains("CRLF")).unwrap();
    let o = cli(
        &["explain", "--scheme", "hopnow", "--key-id", s(v, "key_id"), "--secret-env", "S", "--method", s(v, "method"), "--url", s(v, "url"), "--body-file", "-", "--timestamp", s(v, "timestamp"), "--nonce", s(v, "nonce")],
        &[("S", s(v, "secret"))],
        &body(&v["body"]),
    );
    assert!(o.status.success());
    let out = stdout(&o);
    // Escaped independently here: printable ASCII stays, the rest is named or \xNN.
    let payload = hex::decode(s(v, "payload_hex")).unwrap();
    let mut escaped = String::new();
    for b in payload {
        match b {
            b'\r' => escaped.push_str("\\r"),
            b'\n' => escaped.push_str("\\n"),
            b'\t' => escaped.push_str("\\t"),
            b'\\' => escaped.push_str("\\\\"),
            0x20..=0x7e => escaped.push(b as char),
            _ => escaped.push_str(&format!("\\x{b:02x}")),
        }
    }
    assert!(out.contains(&format!("\n{escaped}\n")), "{out}");
    assert!(out.contains(&format!("signature:  {}", s(v, "signature"))));
    assert!(!out.contains(s(v, "secret")));
}

#[test]
fn json_scheme_file_and_secret_file() {
    let doc = vectors("generic.json");
    let dir = std::env::temp_dir().join(format!("signwire-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scheme_path = dir.join("acme.json");
    std::fs::write(&scheme_path, doc["scheme"].to_string()).unwrap();
    let v = &doc["vectors"][1]; // no request header to pass
    let secret_path = dir.join("secret");
    std::fs::write(&secret_path, format!("{}\n", s(v, "secret"))).unwrap();
    let o = cli(
        &["sign", "--scheme", scheme_path.to_str().unwrap(), "--key-id", s(v, "key_id"), "--secret-file", secret_path.to_str().unwrap(), "--method", s(v, "method"), "--url", s(v, "url"), "--timestamp", s(v, "timestamp"), "--nonce", s(v, "nonce")],
        &[],
        b"",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains(&format!("X-Acme-Signature: {}\n", s(v, "signature"))), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replay_and_usage_errors() {
    let env = [("S", "secret")];
    let url = "https://api.example.com/v1/x";
    let o = cli(&["sign", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "S", "--method", "POST", "--url", url], &env, b"");
    assert!(o.status.success());
    let hdrs = header_args(&stdout(&o));
    let mut verify = vec!["verify", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "S", "--method", "POST", "--url", url];
    verify.extend(hdrs.iter().map(String::as_str));
    assert_eq!(cli(&verify, &env, b"").status.code(), Some(0));
    // The sign output piped in as a header block verifies too.
    let piped = ["verify", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "S", "--method", "POST", "--url", url, "--headers-file", "-"];
    let o = cli(&piped, &env, &stdout(&cli(&["sign", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "S", "--method", "POST", "--url", url], &env, b"")).into_bytes());
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), "ok k1\n".to_string()), "{}", String::from_utf8_lossy(&o.stderr));
    // A wrong secret on the verifying side.
    let o = cli(&verify, &[("S", "other")], b"");
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(1), "SIGNWIRE_ERR_BAD_SIGNATURE\n"));
    // Secrets are never accepted on the command line.
    let o = cli(&["sign", "--scheme", "hopnow", "--key-id", "k1", "--secret", "x", "--method", "GET", "--url", url], &[], b"");
    assert_eq!(o.status.code(), Some(2));
    // Missing environment variable, unknown option, unknown scheme, lowercase method.
    assert_eq!(cli(&["sign", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "NOPE_NOT_SET", "--method", "GET", "--url", url], &[], b"").status.code(), Some(2));
    assert_eq!(cli(&["sign", "--bogus", "1"], &[], b"").status.code(), Some(2));
    assert_eq!(cli(&["sign", "--scheme", "nope", "--key-id", "k1", "--secret-env", "S", "--method", "GET", "--url", url], &env, b"").status.code(), Some(2));
    // sign's stdout holds headers only (`sign ... > headers.txt` feeds curl): the status
    // name of a failure goes to stderr.
    let o = cli(&["sign", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "S", "--method", "get", "--url", url], &env, b"");
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(2), ""));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SIGNWIRE_ERR_INVALID_ARGUMENT"));
    // A stale request.
    let mut stale = verify.clone();
    stale.extend(["--now", "4102444800"]);
    let o = cli(&stale, &env, b"");
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(1), "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD\n"));
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_and_version_for_every_command() {
    for sub in [
        "sign", "verify", "explain", "diff", "serve", "seal", "open", "seal-query", "open-query", "epintower", "completions", "man",
        "version",
    ] {
        let o = cli(&[sub, "--help"], &[], b"");
        assert_eq!(o.status.code(), Some(0), "{sub} --help: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage: signwire "), "{sub} --help: {}", stdout(&o));
        assert!(o.stderr.is_empty(), "{sub} --help wrote to stderr");
    }
    for sub in ["sign", "verify", "explain"] {
        let o = cli(&["epintower", sub, "--help"], &[], b"");
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("FIELD"), "{}", stdout(&o));
    }
    let want = format!("signwire {}\n", env!("CARGO_PKG_VERSION"));
    for args in [&["--version"][..], &["-V"], &["version"]] {
        let o = cli(args, &[], b"");
        assert_eq!((o.status.code(), stdout(&o)), (Some(0), want.clone()), "{args:?}");
    }
}

#[test]
fn usage_errors_are_short_on_stderr_with_suggestions() {
    let o = cli(&["sgin"], &[], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("'sign'"), "{}", stderr(&o));
    let o = cli(&["sign", "--scheme", "hopnow", "--key-id", "k", "--secret-env", "S", "--method", "GET", "--url", "https://h/", "--nocne", "1"], &[("S", "s")], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("--nonce"), "{}", stderr(&o));
    assert!(stderr(&o).lines().count() <= 8, "{}", stderr(&o));
    // A missing required option and a secret on the command line: no echo of the secret.
    let o = cli(&["verify", "--scheme", "hopnow"], &[], b"");
    assert_eq!((o.status.code(), o.stdout.is_empty()), (Some(2), true));
    assert!(stderr(&o).contains("--key-id"));
    let o = cli(&["sign", "--secret", "hunter2-secret"], &[], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--secret is not accepted") && !stderr(&o).contains("hunter2"), "{}", stderr(&o));
    // An error after parsing (unset variable) is short too, and stdout stays empty.
    let o = cli(&["sign", "--scheme", "hopnow", "--key-id", "k", "--secret-env", "SIGNWIRE_TEST_UNSET", "--method", "GET", "--url", "https://h/"], &[], b"");
    assert_eq!((o.status.code(), o.stdout.is_empty()), (Some(2), true));
    assert!(stderr(&o).lines().count() <= 4 && stderr(&o).contains("SIGNWIRE_TEST_UNSET"), "{}", stderr(&o));
}

#[test]
fn json_output_of_sign_explain_and_verify() {
    let doc = vectors("hopnow.json");
    let v = &doc["vectors"][0];
    let env = [("S", s(v, "secret"))];
    let b = body(&v["body"]);
    let base = ["--scheme", "hopnow", "--key-id", s(v, "key_id"), "--secret-env", "S", "--method", s(v, "method"), "--url", s(v, "url"), "--body-file", "-"];
    let fixed = ["--timestamp", s(v, "timestamp"), "--nonce", s(v, "nonce"), "--json"];
    let run = |cmd: &str, extra: &[&str], input: &[u8]| {
        let mut a = vec![cmd];
        a.extend(base);
        a.extend(extra);
        cli(&a, &env, input)
    };
    let o = run("sign", &fixed, &b);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let headers: Vec<(String, String)> = j["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap().to_string(), h["value"].as_str().unwrap().to_string()))
        .collect();
    // The vector's signature comes from Python's hmac (tests/vectors).
    assert!(headers.contains(&("X-Signature".into(), s(v, "signature").into())), "{headers:?}");
    let o = run("explain", &fixed, &b);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["signature"], v["signature"]);
    assert_eq!(j["payload_len"].as_u64().unwrap() as usize, hex::decode(s(v, "payload_hex")).unwrap().len());
    assert!(j["fingerprint_line"].as_str().unwrap().starts_with("signwire-fp scheme=hopnow "));
    assert!(!stdout(&o).contains(s(v, "secret")));
    // verify --json: ok, then a refusal with the diagnostic line, exit codes unchanged.
    let hdrs: Vec<String> = headers.iter().flat_map(|(n, val)| ["--header".to_string(), format!("{n}: {val}")]).collect();
    let mut args: Vec<&str> = vec!["--now", s(v, "timestamp"), "--json"];
    args.extend(hdrs.iter().map(String::as_str));
    let o = run("verify", &args, &b);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((o.status.code(), j["verdict"].as_str(), j["key_id"].as_str()), (Some(0), Some("ok"), Some(s(v, "key_id"))));
    let mut tampered = b.clone();
    tampered.push(b'!');
    let o = run("verify", &args, &tampered);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((o.status.code(), j["verdict"].as_str(), j["status"].as_str()), (Some(1), Some("refused"), Some("SIGNWIRE_ERR_BAD_SIGNATURE")));
    assert!(j["diagnostic"].as_str().unwrap().contains(&format!("body=len:{},", tampered.len())), "{j}");
}

#[test]
fn completions_and_man_page_from_the_same_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let o = cli(&["completions", shell], &[], b"");
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let out = stdout(&o);
        for word in ["serve", "explain", "public-url", "secret-env"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    // bash parses the bash script.
    let o = cli(&["completions", "bash"], &[], b"");
    let check = Command::new("bash").arg("-n").stdin(Stdio::piped()).spawn().and_then(|mut c| {
        c.stdin.take().unwrap().write_all(&o.stdout)?;
        c.wait()
    });
    assert!(check.unwrap().success());
    assert_eq!(cli(&["completions", "tcsh"], &[], b"").status.code(), Some(2));
    let o = cli(&["man"], &[], b"");
    let page = stdout(&o);
    assert!(page.starts_with(".ie") || page.contains(".TH signwire 1"), "{}", &page[..page.len().min(200)]);
    for sub in ["sign", "verify", "serve", "completions"] {
        assert!(page.contains(sub), "man page lacks {sub}");
    }
    let dir = std::env::temp_dir().join(format!("signwire-man-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(cli(&["man", "--out-dir", dir.to_str().unwrap()], &[], b"").status.success());
    for f in ["signwire.1", "signwire-serve.1", "signwire-epintower-sign.1"] {
        assert!(std::fs::read_to_string(dir.join(f)).unwrap().contains(".TH"), "{f}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
