//! `signwire epintower sign|verify|explain`: bcrypt(sha1(fields)) signatures.
//!
//! Fields are positional, in signing order. A secret field comes from the environment
//! (`--field-env VAR`) or a file (`--field-file PATH`) at its position, so it never has to
//! appear on the command line. clap parses the options; the fields' order across the four
//! ways to give one is rebuilt from the parser's argument indices.

use crate::args::{EpinArgs, EpinCmd};
use crate::input::trim_newline;
use crate::{emit, finish, Fail};
use clap::ArgMatches;
use signwire::scheme::bcrypt::{sha1_chain, BcryptScheme, Direction};
use std::ffi::OsString;
use std::process::ExitCode;

enum Source {
    Literal,
    Env(String),
    File(String),
}

struct Field {
    value: Vec<u8>,
    source: Source,
}

/// The fields in the order given on the command line.
fn fields(a: &EpinArgs, m: &ArgMatches) -> Result<Vec<Field>, Fail> {
    let idx = |id: &str| m.indices_of(id).map(|i| i.collect::<Vec<_>>()).unwrap_or_default();
    let mut at: Vec<(usize, Field)> = Vec::new();
    let literal = |v: &OsString| Field { value: v.clone().into_encoded_bytes(), source: Source::Literal };
    for (i, v) in idx("fields").into_iter().zip(&a.fields) {
        at.push((i, literal(v)));
    }
    for (i, v) in idx("field").into_iter().zip(&a.field) {
        at.push((i, literal(v)));
    }
    for (i, var) in idx("field_env").into_iter().zip(&a.field_env) {
        let v = std::env::var_os(var).ok_or_else(|| Fail::Usage(format!("environment variable {var} is not set")))?;
        at.push((i, Field { value: v.into_encoded_bytes(), source: Source::Env(var.clone()) }));
    }
    for (i, path) in idx("field_file").into_iter().zip(&a.field_file) {
        let v = std::fs::read(path).map_err(|e| Fail::Usage(format!("cannot read --field-file {path}: {e}")))?;
        at.push((i, Field { value: trim_newline(v), source: Source::File(path.clone()) }));
    }
    if at.is_empty() {
        return Err(Fail::Usage("at least one FIELD is required".into()));
    }
    at.sort_by_key(|(i, _)| *i);
    Ok(at.into_iter().map(|(_, f)| f).collect())
}

/// Runs one `epintower` subcommand; `m` is that subcommand's matches (for the field order).
pub fn run(cmd: &EpinCmd, m: &ArgMatches) -> ExitCode {
    let (name, common) = match cmd {
        EpinCmd::Sign { common, .. } => ("epintower sign", common),
        EpinCmd::Verify { common, .. } => ("epintower verify", common),
        EpinCmd::Explain { common } => ("epintower explain", common),
    };
    let r = exec(cmd, common, m);
    // verify's verdict is its output, as for `signwire verify`: the status name on stdout for
    // a refusal (exit 1) or refused input (exit 2); sign and explain keep stdout clean.
    if let (EpinCmd::Verify { .. }, Err(Fail::Input(e) | Fail::Refused(e))) = (cmd, &r) {
        let _ = emit(format!("{}\n", e.status().name()).as_bytes());
    }
    finish(name, r)
}

fn exec(cmd: &EpinCmd, a: &EpinArgs, m: &ArgMatches) -> Result<(), Fail> {
    let fields = fields(a, m)?;
    let mut scheme = BcryptScheme::load(a.scheme.as_deref().unwrap_or("epintower")).map_err(Fail::Input)?;
    if let EpinCmd::Sign { cost: Some(c), .. } = cmd {
        scheme = scheme.with_cost(*c).map_err(Fail::Input)?;
    }
    if let EpinCmd::Verify { max_cost: Some(c), .. } = cmd {
        scheme = scheme.with_max_verify_cost(*c).map_err(Fail::Input)?;
    }
    let direction = if a.response { Direction::Response } else { Direction::Request };
    let rounds = a.rounds.unwrap_or_else(|| scheme.sha1_rounds(direction));
    let values: Vec<&[u8]> = fields.iter().map(|f| f.value.as_slice()).collect();
    match cmd {
        EpinCmd::Sign { .. } => emit(format!("{}\n", scheme.sign_with_rounds(rounds, &values).map_err(Fail::Input)?).as_bytes()),
        // The verdict is verify's output: on stdout, like `signwire verify`.
        EpinCmd::Verify { signature, .. } => match scheme.verify_with_rounds(rounds, &values, signature) {
            Ok(()) => emit(b"ok\n"),
            Err(e) => Err(if e.status().is_verification_failure() { Fail::Refused(e) } else { Fail::Input(e) }),
        },
        EpinCmd::Explain { .. } => explain(&scheme, rounds, &fields),
    }
}

/// Shows what is hashed, with fields from the environment or files masked, and each sha1
/// round: compare them with PHP's `$data` and `sha1($data)` to find a wrong field or order.
fn explain(scheme: &BcryptScheme, rounds: u32, fields: &[Field]) -> Result<(), Fail> {
    let values: Vec<&[u8]> = fields.iter().map(|f| f.value.as_slice()).collect();
    let chain = sha1_chain(&values, rounds).map_err(Fail::Input)?;
    println!("scheme:      {} (cost {}, ${}$)", scheme.name, scheme.cost, scheme.prefix.as_str());
    let mut shown = String::new();
    for (i, f) in fields.iter().enumerate() {
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

