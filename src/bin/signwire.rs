//! `signwire`: sign, verify and explain requests from the command line, and serve a local
//! test endpoint that verifies them.
//!
//! The command line is defined once, in `args.rs` (clap); help, completions and the man page
//! come from that definition. Each command is a thin layer over the library's Rust API.
//!
//! Output rules: stdout carries only what the command produces (headers, a token, a verdict,
//! JSON); errors go to stderr. `verify`'s verdict is its output, so its status name (or JSON)
//! is on stdout for refusals too. Exit codes: 0 success, 1 verification failed (or a token
//! did not open), 2 usage or input error.

use clap::{CommandFactory, FromArgMatches};
use signwire::Error;
use std::io::Write;
use std::process::ExitCode;

// A file beside this one would become a binary of its own (Cargo's auto-discovery).
#[path = "signwire/args.rs"]
mod args;
#[path = "signwire/epintower.rs"]
mod epintower_cli;
#[path = "signwire/http.rs"]
mod http;
#[path = "signwire/input.rs"]
mod input;
#[path = "signwire/request.rs"]
mod request;
#[path = "signwire/seal.rs"]
mod seal_cmd;
#[path = "signwire/serve.rs"]
mod serve;

use args::{Cli, Cmd};

/// Why a command failed, which decides the exit code and where the message goes.
pub enum Fail {
    /// Wrong or missing arguments, unreadable files: exit 2, message on stderr.
    Usage(String),
    /// The library refused the input (bad scheme, key, method...): exit 2.
    Input(Error),
    /// The request (or token) was checked and refused: exit 1.
    Refused(Error),
}

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail::Usage(s)
    }
}

impl Fail {
    fn code(&self) -> u8 {
        match self {
            Fail::Refused(_) => 1,
            _ => 2,
        }
    }

    /// The error on stderr, in clap's layout (a line or two, then where to find help).
    fn report(&self, command: &str) {
        match self {
            Fail::Usage(m) => eprintln!("error: {m}\n\nFor more information, try 'signwire {command} --help'."),
            Fail::Input(e) | Fail::Refused(e) => eprintln!("signwire: {}: {}", e.status().name(), e.message()),
        }
    }
}

/// Write bytes to stdout; a closed pipe is a failure (exit 2), never a panic.
pub fn emit(bytes: &[u8]) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| Fail::Usage(format!("cannot write to stdout: {e}")))
}

fn finish(command: &str, r: Result<(), Fail>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.report(command);
            ExitCode::from(f.code())
        }
    }
}

fn main() -> ExitCode {
    // `get_matches` prints help/version (exit 0) and usage errors (exit 2) itself.
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let sub = matches.subcommand().map(|(_, m)| m);
    match cli.command {
        Cmd::Sign(a) => finish("sign", request::sign(&a, false)),
        Cmd::Explain(a) => finish("explain", request::sign(&a, true)),
        Cmd::Verify(a) => request::verify(&a),
        Cmd::Diff { client, server } => request::diff(&client, &server),
        Cmd::Serve(a) => finish("serve", serve::run(&a)),
        Cmd::Seal(a) => finish("seal", seal_cmd::seal(&a)),
        Cmd::Open(a) => finish("open", seal_cmd::open(&a)),
        Cmd::SealQuery(a) => finish("seal-query", seal_cmd::seal_query(&a)),
        Cmd::OpenQuery(a) => finish("open-query", seal_cmd::open_query(&a)),
        Cmd::Epintower { command } => {
            let m = sub.and_then(|m| m.subcommand()).map(|(_, m)| m).expect("clap matched an epintower subcommand");
            epintower_cli::run(&command, m)
        }
        Cmd::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "signwire", &mut out);
            finish("completions", emit(&out))
        }
        Cmd::Man { out_dir: Some(dir) } => {
            let r = clap_mangen::generate_to(Cli::command(), &dir);
            finish("man", r.map_err(|e| Fail::Usage(format!("cannot write the man pages into {}: {e}", dir.display()))))
        }
        Cmd::Man { out_dir: None } => {
            let mut out = Vec::new();
            let r = clap_mangen::Man::new(Cli::command()).render(&mut out);
            finish("man", r.map_err(|e| Fail::Usage(format!("cannot render the man page: {e}"))).and_then(|_| emit(&out)))
        }
        Cmd::Version => finish("version", emit(format!("signwire {}\n", signwire::VERSION).as_bytes())),
    }
}
