//! `signwire`: sign, verify and explain requests from the command line.
//!
//! Exit codes: 0 success, 1 verification failed (the status name is printed), 2 usage or
//! input error. Secrets are read from an environment variable or a file, never from the
//! command line (where `ps` and shell history would show them).

use signwire::canonical::{escape_for_display, Request};
use signwire::headers::{parse_timestamp, unix_now, Headers};
use signwire::{Error, Scheme, Signer, Verifier};
use std::collections::HashMap;
use std::io::Read;
use std::process::ExitCode;

// A file beside this one would become a binary of its own (Cargo's auto-discovery).
#[path = "signwire/seal.rs"]
mod seal_cmd;
#[path = "signwire/epintower.rs"]
mod epintower_cli;

const USAGE: &str = "\
usage:
  signwire sign    --scheme S --key-id ID (--secret-env VAR | --secret-file PATH)
                   --method M --url URL [--body-file PATH|-] [--timestamp T] [--nonce N]
                   [--header 'Name: value' ...]
  signwire verify  --scheme S --key-id ID (--secret-env VAR | --secret-file PATH)
                   --method M --url URL (--header 'Name: value' ... | --headers-file PATH|-)
                   [--body-file PATH|-]
                   [--now T] [--remote-addr IP] [--nonce-store URL]
                   [--allow-ip CIDR]... [--trusted-proxy CIDR]...
                   [--diagnostics]   (on failure, print the server's diagnostic line to stderr)
  signwire explain (sign's arguments)   payload, signature, headers and the fingerprint line
  signwire diff CLIENT SERVER
                   CLIENT holds `signwire explain` output (or a client's fingerprint line),
                   SERVER the verifier's diagnostic line (or a log containing it); prints the
                   first signed component that differs. Exit 0 when all match, 1 otherwise.
  signwire epintower sign|verify|explain ... (bcrypt(sha1) signatures; signwire epintower help)

  --scheme takes a preset (hopnow, standard-webhooks, stripe, aws-sigv4:REGION:SERVICE),
  a path to a JSON scheme document, or the JSON text. sign --header 'Name: value' passes
  request headers to schemes that sign them (aws-sigv4 signs every one given).
  --secret-file reads the whole file; one trailing newline is ignored.
  --nonce-store: memory://?max_entries=N (default; this process only),
                 sqlite:///abs/path.db (shared by processes on a host),
                 redis://[[user]:password@]host[:port][/db] (shared by hosts).
  --allow-ip and --trusted-proxy repeat; X-Forwarded-For (as a --header) is read only
  when --remote-addr is a trusted proxy.
  exit status: 0 ok, 1 verification failed, 2 usage or input error";

struct Args {
    single: HashMap<String, String>,
    headers: Vec<String>,
    repeated: HashMap<String, Vec<String>>,
}

/// Options that may be given more than once.
const REPEATABLE: &[&str] = &["allow-ip", "trusted-proxy"];

fn parse_args(argv: &[String]) -> Result<Args, String> {
    const TAKES_VALUE: &[&str] = &[
        "scheme", "key-id", "secret-env", "secret-file", "method", "url", "body-file", "timestamp", "nonce", "header", "now",
        "remote-addr", "headers-file", "nonce-store", "allow-ip", "trusted-proxy",
    ];
    const FLAGS: &[&str] = &["diagnostics"];
    let mut single = HashMap::new();
    let mut headers = Vec::new();
    let mut repeated: HashMap<String, Vec<String>> = HashMap::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        let Some(name) = a.strip_prefix("--") else { return Err(format!("unexpected argument {a:?}")) };
        if FLAGS.contains(&name) {
            single.insert(name.to_string(), String::new());
            i += 1;
            continue;
        }
        if name == "secret" {
            return Err("--secret is not accepted: pass --secret-env VAR or --secret-file PATH".into());
        }
        if !TAKES_VALUE.contains(&name) {
            return Err(format!("unknown option --{name}"));
        }
        let v = argv.get(i + 1).ok_or_else(|| format!("--{name} needs a value"))?.clone();
        if name == "header" {
            headers.push(v);
        } else if REPEATABLE.contains(&name) {
            repeated.entry(name.to_string()).or_default().push(v);
        } else if single.insert(name.to_string(), v).is_some() {
            return Err(format!("--{name} given twice"));
        }
        i += 2;
    }
    Ok(Args { single, headers, repeated })
}

impl Args {
    fn get(&self, k: &str) -> Option<&str> {
        self.single.get(k).map(String::as_str)
    }
    fn need(&self, k: &str) -> Result<&str, String> {
        self.get(k).ok_or_else(|| format!("--{k} is required"))
    }
    fn all(&self, k: &str) -> &[String] {
        self.repeated.get(k).map_or(&[], Vec::as_slice)
    }
}

enum Fail {
    Usage(String),
    Input(Error),
    Verify(Error),
}

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail::Usage(s)
    }
}

fn read_secret(args: &Args) -> Result<Vec<u8>, Fail> {
    match (args.get("secret-env"), args.get("secret-file")) {
        (Some(var), None) => std::env::var_os(var)
            .map(|v| v.into_encoded_bytes())
            .ok_or_else(|| Fail::Usage(format!("environment variable {var} is not set"))),
        (None, Some(path)) => {
            let mut s = std::fs::read(path).map_err(|e| Fail::Usage(format!("cannot read --secret-file {path}: {e}")))?;
            if s.ends_with(b"\n") {
                s.pop();
                if s.ends_with(b"\r") {
                    s.pop();
                }
            }
            Ok(s)
        }
        (Some(_), Some(_)) => Err(Fail::Usage("give --secret-env or --secret-file, not both".into())),
        (None, None) => Err(Fail::Usage("a secret is required: --secret-env VAR or --secret-file PATH".into())),
    }
}

fn read_body(args: &Args) -> Result<Vec<u8>, Fail> {
    match args.get("body-file") {
        None => Ok(Vec::new()),
        Some("-") => {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map_err(|e| Fail::Usage(format!("cannot read body from stdin: {e}")))?;
            Ok(b)
        }
        Some(p) => std::fs::read(p).map_err(|e| Fail::Usage(format!("cannot read --body-file {p}: {e}"))),
    }
}

fn seconds(args: &Args, k: &str) -> Result<Option<i64>, Fail> {
    args.get(k).map(|t| parse_timestamp(t).map_err(|e| Fail::Usage(format!("--{k}: {}", e.message())))).transpose()
}

fn run(cmd: &str, args: &Args) -> Result<(), Fail> {
    let scheme = Scheme::load(args.need("scheme")?).map_err(Fail::Input)?;
    let key_id = args.need("key-id")?;
    let secret = read_secret(args)?;
    let method = args.need("method")?;
    let url = args.need("url")?;
    let body = read_body(args)?;
    match cmd {
        "sign" | "explain" => {
            if let Some(o) = ["nonce-store", "allow-ip", "trusted-proxy"].iter().find(|o| args.get(o).is_some() || !args.all(o).is_empty()) {
                return Err(Fail::Usage(format!("--{o} applies to verify only")));
            }
            let signer = Signer::new(scheme.clone(), key_id, &secret).map_err(Fail::Input)?;
            let timestamp = seconds(args, "timestamp")?.unwrap_or_else(unix_now);
            let nonce = match args.get("nonce") {
                Some(n) => n.to_string(),
                None => signwire::headers::generate_nonce(scheme.nonce_hex_len).map_err(Fail::Input)?,
            };
            // Request headers, for schemes that sign some of them (aws-sigv4 signs all given).
            let mut given = Headers::new();
            for h in &args.headers {
                let (n, v) = h.split_once(':').ok_or_else(|| Fail::Usage(format!("--header {h:?} is not 'Name: value'")))?;
                given.push(n.trim(), v.trim_matches([' ', '\t'])).map_err(Fail::Input)?;
            }
            let request = Request::new(method, url, &body).with_headers(&given);
            let e = signer.explain(&request, timestamp, &nonce).map_err(Fail::Input)?;
            if cmd == "explain" {
                println!("scheme:     {}", scheme.name);
                println!("algorithm:  {} ({})", scheme.algorithm.name(), scheme.encoding.name());
                println!("components: {}", scheme.components.iter().map(|c| c.label()).collect::<Vec<_>>().join(" + "));
                println!("separator:  \"{}\"", escape_for_display(scheme.separator.as_bytes()));
                println!("payload ({} bytes, escaped):", e.payload.len());
                println!("{}", escape_for_display(&e.payload));
                println!("signature:  {}", e.signature);
                println!("headers:");
            }
            print!("{}", e.headers.to_block().replace("\r\n", "\n"));
            if cmd == "explain" {
                let sent = Headers::parse(&format!("{}{}", given.to_block(), e.headers.to_block())).map_err(Fail::Input)?;
                let fp = signwire::diagnostics::fingerprint(&scheme, &request.with_headers(&sent));
                println!("fingerprints (no secret; compare with the server's diagnostic line: signwire diff):");
                for (label, value) in &fp.entries {
                    println!("  {label:<16}{value}");
                }
                println!("{}", fp.to_line());
            }
            Ok(())
        }
        "verify" => {
            let mut verifier = Verifier::new(scheme);
            verifier.keyring().add_secret(key_id, &secret).map_err(Fail::Input)?;
            for cidr in args.all("allow-ip") {
                verifier.allow_ip(cidr).map_err(|e| Fail::Usage(format!("--allow-ip: {}", e.message())))?;
            }
            for cidr in args.all("trusted-proxy") {
                verifier.trust_proxy(cidr).map_err(|e| Fail::Usage(format!("--trusted-proxy: {}", e.message())))?;
            }
            if let Some(url) = args.get("nonce-store") {
                // An unreachable store is a verification outcome (fail closed, exit 1); a
                // malformed URL is a usage error.
                verifier.set_nonce_store_url(url).map_err(|e| if e.status().is_verification_failure() { Fail::Verify(e) } else { Fail::Input(e) })?;
            }
            let mut headers = Headers::new();
            let mut lines = args.headers.clone();
            if let Some(path) = args.get("headers-file") {
                if path == "-" && args.get("body-file") == Some("-") {
                    return Err(Fail::Usage("--headers-file and --body-file cannot both read stdin".into()));
                }
                let text = if path == "-" {
                    let mut t = String::new();
                    std::io::stdin().read_to_string(&mut t).map_err(|e| Fail::Usage(format!("cannot read headers from stdin: {e}")))?;
                    t
                } else {
                    std::fs::read_to_string(path).map_err(|e| Fail::Usage(format!("cannot read --headers-file {path}: {e}")))?
                };
                lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
            }
            for h in &lines {
                let (n, v) = h.split_once(':').ok_or_else(|| Fail::Usage(format!("--header {h:?} is not 'Name: value'")))?;
                headers.push(n.trim(), v.trim_matches([' ', '\t'])).map_err(Fail::Verify)?;
            }
            let now = seconds(args, "now")?.unwrap_or_else(unix_now);
            let request = Request::new(method, url, &body).with_headers(&headers).with_remote_addr(args.get("remote-addr"));
            let mut verifier = verifier;
            verifier.set_diagnostics(args.get("diagnostics").is_some());
            match verifier.verify_diagnosed(&request, now).map_err(|r| {
                if let Some(d) = r.diagnostic {
                    eprintln!("{}", d.to_line());
                }
                r.error
            }) {
                Ok(v) => {
                    println!("ok {}", v.key_id);
                    Ok(())
                }
                Err(e) if e.status().is_verification_failure() => Err(Fail::Verify(e)),
                Err(e) => Err(Fail::Input(e)),
            }
        }
        _ => Err(Fail::Usage(format!("unknown command {cmd:?}"))),
    }
}

/// `signwire diff CLIENT SERVER`: name the first signed component that differs.
fn diff(paths: &[String]) -> ExitCode {
    let [client, server] = paths else {
        eprintln!("signwire: diff takes two files: CLIENT (explain output) SERVER (diagnostic line)\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let result = read(client).and_then(|c| {
        read(server).and_then(|s| signwire::diagnostics::diff(&c, &s).map_err(|e| e.message().to_string()))
    });
    match result {
        Ok(d) => {
            println!("{}", d.summary);
            if d.label.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(m) => {
            eprintln!("signwire: {m}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    // Before collecting arguments as Strings: EpinTower fields may be any bytes.
    if std::env::args_os().nth(1).is_some_and(|c| c == "epintower") {
        return epintower_cli::main(std::env::args_os().skip(2).collect());
    }
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = argv.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if cmd == "--help" || cmd == "-h" || cmd == "help" {
        println!("{USAGE}\n\nsealed bodies (JWE):\n{}", seal_cmd::USAGE);
        return ExitCode::SUCCESS;
    }
    if seal_cmd::is_command(cmd) {
        return seal_cmd::main(cmd, &argv[1..], seal_cmd::USAGE);
    }
    if cmd == "--version" {
        println!("signwire {}", signwire::VERSION);
        return ExitCode::SUCCESS;
    }
    if cmd == "diff" {
        return diff(&argv[1..]);
    }
    let result = parse_args(&argv[1..]).map_err(Fail::Usage).and_then(|a| run(cmd, &a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Usage(m)) => {
            eprintln!("signwire: {m}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Fail::Input(e)) => {
            println!("{}", e.status().name());
            eprintln!("signwire: {}", e.message());
            ExitCode::from(2)
        }
        Err(Fail::Verify(e)) => {
            println!("{}", e.status().name());
            eprintln!("signwire: {}", e.message());
            ExitCode::from(1)
        }
    }
}

