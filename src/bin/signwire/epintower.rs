//! `signwire epintower sign|verify|explain`: bcrypt(sha1(fields)) signatures.
//!
//! Fields are positional, in signing order. A secret field comes from the environment
//! (`--field-env VAR`) or a file (`--field-file PATH`) at its position, so it never has to
//! appear on the command line.

use signwire::scheme::bcrypt::{sha1_chain, BcryptScheme, Direction};
use signwire::Error;
use std::ffi::OsString;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  signwire epintower sign    [--response | --rounds N] [--cost N] [--scheme S] FIELD...
  signwire epintower verify  [--response | --rounds N] [--max-cost N] [--scheme S] --signature HASH FIELD...
  signwire epintower explain [--response | --rounds N] [--scheme S] FIELD...
    FIELD is a value, or --field-env VAR (that variable's value), --field-file PATH (the
    file's bytes, one trailing newline dropped), or --field VALUE (a value starting with -);
    after -- every argument is a value. Fields are concatenated in the order given.
    Requests hash with 1 sha1 round, --response with 2; --rounds N overrides both.
    --cost defaults to 10 (4-31). verify refuses a hash whose cost is above --max-cost
    (default: the scheme's max_verify_cost, 12 for epintower) before any bcrypt work. --scheme takes a bcrypt scheme preset (epintower) or JSON
    document. sign prints the signature; verify prints ok (exit 0) or the failure (exit 1),
    exit 2 for usage or input errors (including a refused $2x$ hash)";

enum Source {
    Literal,
    Env(String),
    File(String),
}

struct Field {
    value: Vec<u8>,
    source: Source,
}

struct Args {
    cmd: String,
    response: bool,
    rounds: Option<u32>,
    cost: Option<u32>,
    max_cost: Option<u32>,
    scheme: Option<String>,
    signature: Option<String>,
    fields: Vec<Field>,
}

fn utf8(v: OsString, what: &str) -> Result<String, String> {
    v.into_string().map_err(|_| format!("{what} is not valid UTF-8"))
}

fn number(v: OsString, what: &str) -> Result<u32, String> {
    let s = utf8(v, what)?;
    s.parse().map_err(|_| format!("{what} must be a number, got {s:?}"))
}

fn read_field_file(path: &str) -> Result<Vec<u8>, String> {
    let mut v = std::fs::read(path).map_err(|e| format!("cannot read --field-file {path}: {e}"))?;
    if v.ends_with(b"\n") {
        v.pop();
        if v.ends_with(b"\r") {
            v.pop();
        }
    }
    Ok(v)
}

fn parse(argv: Vec<OsString>) -> Result<Args, String> {
    let mut it = argv.into_iter();
    let cmd = utf8(it.next().ok_or("epintower needs a command: sign, verify or explain")?, "the command")?;
    if matches!(cmd.as_str(), "help" | "--help" | "-h") {
        return Err(String::new());
    }
    if !matches!(cmd.as_str(), "sign" | "verify" | "explain") {
        return Err(format!("unknown epintower command {cmd:?} (expected sign, verify or explain)"));
    }
    let mut a = Args { cmd, response: false, rounds: None, cost: None, max_cost: None, scheme: None, signature: None, fields: Vec::new() };
    let mut literal_only = false;
    while let Some(arg) = it.next() {
        let bytes = arg.as_encoded_bytes();
        if literal_only || !bytes.starts_with(b"-") || bytes == b"-" {
            a.fields.push(Field { value: arg.into_encoded_bytes(), source: Source::Literal });
            continue;
        }
        let name = utf8(arg, "an option")?;
        let mut value = |what: &str| it.next().ok_or_else(|| format!("{name} needs {what}"));
        match name.as_str() {
            "--" => literal_only = true,
            "--response" => a.response = true,
            "--rounds" => a.rounds = Some(number(value("a number")?, "--rounds")?),
            "--cost" => a.cost = Some(number(value("a number")?, "--cost")?),
            "--max-cost" => a.max_cost = Some(number(value("a number")?, "--max-cost")?),
            "--scheme" => a.scheme = Some(utf8(value("a scheme")?, "--scheme")?),
            "--signature" => a.signature = Some(utf8(value("a hash")?, "--signature")?),
            "--field" => a.fields.push(Field { value: value("a value")?.into_encoded_bytes(), source: Source::Literal }),
            "--field-env" => {
                let var = utf8(value("a variable name")?, "--field-env")?;
                let v = std::env::var_os(&var).ok_or_else(|| format!("environment variable {var} is not set"))?;
                a.fields.push(Field { value: v.into_encoded_bytes(), source: Source::Env(var) });
            }
            "--field-file" => {
                let path = utf8(value("a path")?, "--field-file")?;
                a.fields.push(Field { value: read_field_file(&path)?, source: Source::File(path) });
            }
            "--secret" => return Err("--secret is not accepted: pass secret fields with --field-env VAR or --field-file PATH".into()),
            other => return Err(format!("unknown option {other} (a field that starts with - goes after --field or --)")),
        }
    }
    if a.response && a.rounds.is_some() {
        return Err("give --response or --rounds, not both".into());
    }
    if a.cmd != "sign" && a.cost.is_some() {
        return Err("--cost applies to sign only (verification reads the cost from the hash)".into());
    }
    if a.cmd != "verify" && a.max_cost.is_some() {
        return Err("--max-cost applies to verify only".into());
    }
    if a.cmd == "verify" && a.signature.is_none() {
        return Err("verify needs --signature HASH".into());
    }
    if a.cmd != "verify" && a.signature.is_some() {
        return Err("--signature applies to verify only".into());
    }
    if a.fields.is_empty() {
        return Err("at least one FIELD is required".into());
    }
    Ok(a)
}

enum Fail {
    Usage(String),
    Input(Error),
    Verify(Error),
}

fn run(a: &Args) -> Result<(), Fail> {
    let mut scheme = BcryptScheme::load(a.scheme.as_deref().unwrap_or("epintower")).map_err(Fail::Input)?;
    if let Some(c) = a.cost {
        scheme = scheme.with_cost(c).map_err(Fail::Input)?;
    }
    if let Some(c) = a.max_cost {
        scheme = scheme.with_max_verify_cost(c).map_err(Fail::Input)?;
    }
    let direction = if a.response { Direction::Response } else { Direction::Request };
    let rounds = a.rounds.unwrap_or_else(|| scheme.sha1_rounds(direction));
    let values: Vec<&[u8]> = a.fields.iter().map(|f| f.value.as_slice()).collect();
    match a.cmd.as_str() {
        "sign" => {
            println!("{}", scheme.sign_with_rounds(rounds, &values).map_err(Fail::Input)?);
            Ok(())
        }
        "verify" => {
            let sig = a.signature.as_deref().unwrap_or_default();
            match scheme.verify_with_rounds(rounds, &values, sig) {
                Ok(()) => {
                    println!("ok");
                    Ok(())
                }
                Err(e) if e.status().is_verification_failure() => Err(Fail::Verify(e)),
                Err(e) => Err(Fail::Input(e)),
            }
        }
        _ => explain(&scheme, rounds, a),
    }
}

/// Shows what is hashed, with fields from the environment or files masked, and each sha1
/// round: compare them with PHP's `$data` and `sha1($data)` to find a wrong field or order.
fn explain(scheme: &BcryptScheme, rounds: u32, a: &Args) -> Result<(), Fail> {
    let values: Vec<&[u8]> = a.fields.iter().map(|f| f.value.as_slice()).collect();
    let chain = sha1_chain(&values, rounds).map_err(Fail::Input)?;
    println!("scheme:      {} (cost {}, ${}$)", scheme.name, scheme.cost, scheme.prefix.as_str());
    let mut shown = String::new();
    for (i, f) in a.fields.iter().enumerate() {
        let label = scheme.fields.get(i).map(|n| format!(" {n}")).unwrap_or_default();
        let masked = match &f.source {
            Source::Literal => None,
            Source::Env(v) => Some(format!("${v}")),
            Source::File(p) => Some(format!("file {p}")),
        };
        match masked {
            None => {
                let text = signwire::canonical::escape_for_display(&f.value);
                println!("field {}{label}: {} bytes: {text}", i + 1, f.value.len());
                shown.push_str(&text);
            }
            Some(from) => {
                println!("field {}{label}: {} bytes from {from} (not shown)", i + 1, f.value.len());
                shown.push_str(&format!("<{from}>"));
            }
        }
    }
    println!("data:        {} bytes: {shown}", chain[0].len());
    for (r, hex) in chain.iter().enumerate().skip(1) {
        let text = String::from_utf8_lossy(hex);
        println!("sha1 round {r}: {text}");
    }
    println!(
        "bcrypt input: {} ({} sha1 round{})",
        if rounds == 0 { "the data itself" } else { "the last sha1 hex" },
        rounds,
        if rounds == 1 { "" } else { "s" }
    );
    eprintln!("signwire: the sha1 values are as sensitive as the secret fields; do not share them");
    Ok(())
}

pub fn main(argv: Vec<OsString>) -> ExitCode {
    let result = parse(argv).map_err(Fail::Usage).and_then(|a| run(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Usage(m)) if m.is_empty() => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
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
