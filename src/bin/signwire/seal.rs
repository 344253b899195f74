//! `signwire seal`, `open`, `seal-query`, `open-query`: sealed bodies from the command line.
//!
//! Keys come from files or environment variables, never from arguments. Data that may be
//! sensitive (bodies, queries) comes from files or stdin for the same reason.

use signwire::seal::{query, OpeningKeys, Recipient, RsaPrivateKey, RsaPublicKey, SharedKey};
use signwire::{Error, Status};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::ExitCode;
use zeroize::Zeroizing;

pub const USAGE: &str = "  signwire seal       --kid ID KEY [--body-file PATH|-]          token on stdout
  signwire open       --kid ID KEY [--token-file PATH|-] [--max-token-len N]
                                                                  plaintext on stdout
  signwire seal-query --kid ID KEY --params card,cvv [--param sealed] [--query-file PATH|-]
  signwire open-query --kid ID KEY [--param sealed] [--query-file PATH|-]
    KEY is one of --aes-key-file PATH, --aes-key-env VAR (32 bytes as 64 hex digits or 43
    base64url characters: alg dir), --rsa-key-file PATH, --rsa-key-env VAR (PEM or DER:
    the public key to seal, the private key to open: alg RSA-OAEP-256).
    Input defaults to stdin; one trailing newline of a token or query is ignored.
    exit status: 0 ok, 1 the token did not open, 2 usage or input error";

const TAKES_VALUE: &[&str] = &[
    "kid", "aes-key-file", "aes-key-env", "rsa-key-file", "rsa-key-env", "body-file", "token-file", "query-file", "params", "param",
    "max-token-len",
];

pub fn is_command(cmd: &str) -> bool {
    matches!(cmd, "seal" | "open" | "seal-query" | "open-query")
}

enum Fail {
    Usage(String),
    Input(Error),
    Open(Error),
}

fn parse(argv: &[String]) -> Result<HashMap<String, String>, Fail> {
    let mut out = HashMap::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        let Some(name) = a.strip_prefix("--") else { return Err(Fail::Usage(format!("unexpected argument {a:?}"))) };
        if matches!(name, "key" | "aes-key" | "rsa-key" | "secret") {
            return Err(Fail::Usage(format!("--{name} is not accepted: keys come from a file or an environment variable")));
        }
        if !TAKES_VALUE.contains(&name) {
            return Err(Fail::Usage(format!("unknown option --{name}")));
        }
        let v = argv.get(i + 1).ok_or_else(|| Fail::Usage(format!("--{name} needs a value")))?.clone();
        if out.insert(name.to_string(), v).is_some() {
            return Err(Fail::Usage(format!("--{name} given twice")));
        }
        i += 2;
    }
    Ok(out)
}

enum KeySource {
    Aes(Zeroizing<Vec<u8>>),
    Rsa(Zeroizing<Vec<u8>>),
}

fn read_source(file: Option<&String>, env: Option<&String>, what: &str) -> Result<Option<Zeroizing<Vec<u8>>>, Fail> {
    match (file, env) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(Fail::Usage(format!("give --{what}-file or --{what}-env, not both"))),
        (Some(p), None) => {
            std::fs::read(p).map(|b| Some(Zeroizing::new(b))).map_err(|e| Fail::Usage(format!("cannot read --{what}-file {p}: {e}")))
        }
        (None, Some(var)) => std::env::var_os(var)
            .map(|v| Some(Zeroizing::new(v.into_encoded_bytes())))
            .ok_or_else(|| Fail::Usage(format!("environment variable {var} is not set"))),
    }
}

fn key_source(args: &HashMap<String, String>) -> Result<KeySource, Fail> {
    let aes = read_source(args.get("aes-key-file"), args.get("aes-key-env"), "aes-key")?;
    let rsa = read_source(args.get("rsa-key-file"), args.get("rsa-key-env"), "rsa-key")?;
    match (aes, rsa) {
        (Some(a), None) => Ok(KeySource::Aes(a)),
        (None, Some(r)) => Ok(KeySource::Rsa(r)),
        (Some(_), Some(_)) => Err(Fail::Usage("give an AES key or an RSA key, not both".into())),
        (None, None) => Err(Fail::Usage("a key is required: --aes-key-file, --aes-key-env, --rsa-key-file or --rsa-key-env".into())),
    }
}

/// 64 hex digits or 43 unpadded base64url characters; the two lengths cannot be confused.
fn aes_key(text: &[u8]) -> Result<SharedKey, Fail> {
    let t = text.trim_ascii();
    let raw = match t.len() {
        64 => hex::decode(t).ok(),
        43 => {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t).ok()
        }
        _ => None,
    }
    .map(Zeroizing::new)
    .ok_or_else(|| Fail::Usage("the AES key must be 32 bytes written as 64 hex digits or 43 base64url characters".into()))?;
    SharedKey::new(&raw).map_err(Fail::Input)
}

fn read_input(args: &HashMap<String, String>, option: &str, trim_newline: bool) -> Result<Zeroizing<Vec<u8>>, Fail> {
    let mut data = Zeroizing::new(Vec::new());
    match args.get(option).map(String::as_str) {
        None | Some("-") => {
            std::io::stdin().read_to_end(&mut data).map_err(|e| Fail::Usage(format!("cannot read stdin: {e}")))?;
        }
        Some(p) => *data = std::fs::read(p).map_err(|e| Fail::Usage(format!("cannot read --{option} {p}: {e}")))?,
    }
    if trim_newline && data.ends_with(b"\n") {
        data.pop();
        if data.ends_with(b"\r") {
            data.pop();
        }
    }
    Ok(data)
}

fn kid(args: &HashMap<String, String>) -> Result<&str, Fail> {
    args.get("kid").map(String::as_str).ok_or_else(|| Fail::Usage("--kid is required".into()))
}

fn recipient(args: &HashMap<String, String>) -> Result<Recipient, Fail> {
    let kid = kid(args)?;
    match key_source(args)? {
        KeySource::Aes(t) => Recipient::shared(kid, aes_key(&t)?),
        KeySource::Rsa(pem) => Recipient::rsa(kid, RsaPublicKey::parse(&pem).map_err(Fail::Input)?),
    }
    .map_err(Fail::Input)
}

fn opening_keys(args: &HashMap<String, String>) -> Result<OpeningKeys, Fail> {
    let mut keys = OpeningKeys::new();
    if let Some(n) = args.get("max-token-len") {
        let n: usize = n.parse().map_err(|_| Fail::Usage("--max-token-len takes a number of bytes".into()))?;
        keys = keys.with_max_token_len(n).map_err(Fail::Input)?;
    }
    let kid = kid(args)?;
    match key_source(args)? {
        KeySource::Aes(t) => keys.add_shared(kid, aes_key(&t)?),
        KeySource::Rsa(pem) => keys.add_rsa(kid, RsaPrivateKey::parse(&pem).map_err(Fail::Input)?),
    }
    .map_err(Fail::Input)?;
    Ok(keys)
}

/// Failures of a token to open exit 1; everything else (keys, usage) exits 2.
fn opened<T>(r: signwire::Result<T>) -> Result<T, Fail> {
    r.map_err(|e| match e.status() {
        Status::MalformedToken | Status::DecryptionFailed | Status::UnsupportedAlgorithm | Status::UnknownKey | Status::InputTooLarge => {
            Fail::Open(e)
        }
        _ => Fail::Input(e),
    })
}

fn text(data: &[u8], what: &str) -> Result<String, Fail> {
    String::from_utf8(data.to_vec()).map_err(|_| Fail::Input(Error::new(Status::InvalidUtf8, format!("the {what} is not UTF-8"))))
}

fn run(cmd: &str, args: &HashMap<String, String>) -> Result<Vec<u8>, Fail> {
    let param = args.get("param").map_or(query::DEFAULT_PARAM, String::as_str);
    match cmd {
        "seal" => {
            let r = recipient(args)?;
            let body = read_input(args, "body-file", false)?;
            Ok(r.seal(&body).map_err(Fail::Input)?.into_bytes())
        }
        "open" => {
            let keys = opening_keys(args)?;
            let token = read_input(args, "token-file", true)?;
            Ok(opened(keys.open(&token[..]))?.to_vec())
        }
        "seal-query" => {
            let r = recipient(args)?;
            let params = args.get("params").ok_or_else(|| Fail::Usage("--params is required (comma-separated names)".into()))?;
            let names: Vec<&str> = params.split(',').map(str::trim).collect();
            let q = text(&read_input(args, "query-file", true)?, "query")?;
            Ok(query::seal_query(&q, &names, param, &r).map_err(Fail::Input)?.into_bytes())
        }
        "open-query" => {
            let keys = opening_keys(args)?;
            let q = text(&read_input(args, "query-file", true)?, "query")?;
            Ok(opened(query::open_query(&q, param, &keys))?.as_bytes().to_vec())
        }
        _ => Err(Fail::Usage(format!("unknown command {cmd:?}"))),
    }
}

pub fn main(cmd: &str, argv: &[String], usage: &str) -> ExitCode {
    match parse(argv).and_then(|a| run(cmd, &a)) {
        Ok(out) => {
            let out = Zeroizing::new(out);
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(&out).and_then(|_| stdout.flush()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(Fail::Usage(m)) => {
            eprintln!("signwire: {m}\n\n{usage}");
            ExitCode::from(2)
        }
        Err(Fail::Input(e)) => {
            println!("{}", e.status().name());
            eprintln!("signwire: {}", e.message());
            ExitCode::from(2)
        }
        Err(Fail::Open(e)) => {
            println!("{}", e.status().name());
            eprintln!("signwire: {}", e.message());
            ExitCode::from(1)
        }
    }
}
