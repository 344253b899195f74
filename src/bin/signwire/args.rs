//! The command line's one definition (clap derive). Help, usage errors, typo suggestions,
//! `--version`, the shell completions and the man page are all generated from it, so they
//! cannot drift apart from what the parser accepts.

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Secrets and keys come from an environment variable or a file, never from the command line
(where ps and shell history would show them).

Exit status: 0 ok, 1 verification failed (or a token did not open), 2 usage or input error.
Run 'signwire COMMAND --help' for each command's options.";

/// Sign, verify and explain API requests; run a local test endpoint.
#[derive(Parser, Debug)]
#[command(name = "signwire", version = signwire::VERSION, propagate_version = true, after_help = AFTER_HELP)]
#[command(about = "Sign, verify and explain API requests (HMAC schemes, replay protection, sealed bodies)")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Cmd,
}

/// Every subcommand.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Sign a request: print its signature headers ('Name: value' lines, or --json)
    #[command(after_help = "Example:\n  signwire sign --scheme hopnow --key-id k1 --secret-env HOPNOW_SECRET \\\n    --method POST --url https://api.example.com/v1/orders --body-file body.json > headers.txt\n  curl -H @headers.txt --data-binary @body.json https://api.example.com/v1/orders")]
    Sign(SignArgs),
    /// Verify a signed request: print 'ok KEY_ID', or the refusal's status name and exit 1
    Verify(VerifyArgs),
    /// Show what is signed: payload, signature, headers and the fingerprint line for 'diff'
    Explain(SignArgs),
    /// Name the first signed component that differs between a client and a server
    #[command(after_help = "CLIENT holds 'signwire explain' output (or a client's fingerprint line); SERVER\n\
        holds the verifier's diagnostic line, a log containing it, or a 'signwire serve' answer.\n\
        Exit status: 0 every component matches, 1 one differs (named on stdout), 2 unreadable input.")]
    Diff {
        /// File with the client's fingerprint ('signwire explain' output)
        client: PathBuf,
        /// File with the server's diagnostic line
        server: PathBuf,
    },
    /// Run a local test endpoint that verifies every request it receives and answers the verdict
    Serve(ServeArgs),
    /// Seal a body as a JWE compact token (printed on stdout)
    Seal(SealArgs),
    /// Open a JWE compact token: print the plaintext
    Open(OpenArgs),
    /// Seal selected query parameters into one parameter
    SealQuery(SealQueryArgs),
    /// Open a sealed query parameter back into the query
    OpenQuery(OpenQueryArgs),
    /// EpinTower-style bcrypt(sha1(fields)) signatures
    Epintower {
        #[command(subcommand)]
        command: EpinCmd,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = "Install, for example:\n  signwire completions bash > /usr/share/bash-completion/completions/signwire\n  signwire completions zsh > /usr/share/zsh/vendor-completions/_signwire\n  signwire completions fish > /usr/share/fish/vendor_completions.d/signwire.fish")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory
    #[command(after_help = "Examples:\n  signwire man > signwire.1\n  signwire man --out-dir debian/man   # signwire.1, signwire-sign.1, signwire-serve.1, ...")]
    Man {
        /// Write signwire.1 and a page per subcommand (signwire-sign.1, ...) into this directory
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print the version (same as --version)
    Version,
}

/// Refuses an option that would put a secret on the command line, without echoing its value
/// (clap's own "invalid value" error would repeat the secret into the terminal and logs).
#[derive(Clone)]
pub struct Refuse(pub &'static str);

impl TypedValueParser for Refuse {
    type Value = String;
    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, _value: &std::ffi::OsStr) -> Result<String, clap::Error> {
        let name = arg.and_then(|a| a.get_long()).unwrap_or("secret");
        let mut cmd = cmd.clone();
        Err(cmd.error(ErrorKind::ArgumentConflict, format!("--{name} is not accepted: {}", self.0)))
    }
}

const NO_SECRET: &str = "pass --secret-env VAR or --secret-file PATH (the command line shows in ps and shell history)";
const NO_KEY: &str = "keys come from a file or an environment variable (--aes-key-file, --aes-key-env, --rsa-key-file, --rsa-key-env)";

/// The scheme and one key.
#[derive(Args, Debug)]
pub struct KeyArgs {
    /// A preset (hopnow, standard-webhooks, stripe, aws-sigv4:REGION:SERVICE), a JSON scheme file, or JSON text
    #[arg(long, value_name = "S")]
    pub scheme: String,
    /// The key id the secret belongs to
    #[arg(long, value_name = "ID")]
    pub key_id: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    /// Refused: secrets never go on the command line (outside the group, so usage omits it)
    #[arg(long = "secret", hide = true, value_parser = Refuse(NO_SECRET))]
    pub secret_refused: Option<String>,
}

/// Where the secret comes from: exactly one of the two.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SecretArgs {
    /// Read the secret from this environment variable
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<OsString>,
    /// Read the secret from this file (one trailing newline is ignored)
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

/// The request as sent.
#[derive(Args, Debug)]
pub struct RequestArgs {
    /// HTTP method, uppercase (GET, POST, ...)
    #[arg(long, value_name = "M")]
    pub method: String,
    /// The full URL as the client sends it (https://host/path?query)
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The body: a file, or - for stdin (default: empty)
    #[arg(long, value_name = "PATH|-")]
    pub body_file: Option<String>,
    /// A request header 'Name: value' (repeat for each); schemes that sign headers use them
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
}

/// `sign` and `explain`.
#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(flatten)]
    pub request: RequestArgs,
    /// Signing time, unix seconds (default: now)
    #[arg(long, value_name = "T")]
    pub timestamp: Option<String>,
    /// The nonce (default: a fresh random one)
    #[arg(long, value_name = "N")]
    pub nonce: Option<String>,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// The verifier's policy, shared by `verify` and `serve`.
#[derive(Args, Debug)]
pub struct PolicyArgs {
    /// Nonce store: memory://?max_entries=N (default), sqlite:///abs/path.db, redis://[[user]:password@]host[:port][/db]
    #[arg(long, value_name = "URL")]
    pub nonce_store: Option<String>,
    /// Accept only clients in this CIDR (repeat for more)
    #[arg(long, value_name = "CIDR")]
    pub allow_ip: Vec<String>,
    /// Read X-Forwarded-For only from this proxy CIDR (repeat for more)
    #[arg(long, value_name = "CIDR")]
    pub trusted_proxy: Vec<String>,
    /// Oldest accepted timestamp, seconds before the verifier's clock (default: the scheme's)
    #[arg(long, value_name = "SECONDS")]
    pub max_age: Option<u64>,
    /// Furthest accepted timestamp, seconds ahead of the verifier's clock (default: the scheme's)
    #[arg(long, value_name = "SECONDS")]
    pub max_future_skew: Option<u64>,
}

/// `verify`.
#[derive(Args, Debug)]
#[command(after_help = "stdout holds the verdict only: 'ok KEY_ID' (exit 0) or the status name (exit 1, or 2\n\
    for input errors); the message goes to stderr. X-Forwarded-For (as a --header) is read only when\n\
    --remote-addr is a trusted proxy.")]
pub struct VerifyArgs {
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(flatten)]
    pub request: RequestArgs,
    /// Read headers ('Name: value' lines, e.g. 'signwire sign' output) from a file, or - for stdin
    #[arg(long, value_name = "PATH|-")]
    pub headers_file: Option<String>,
    /// Verify as if the clock read T (unix seconds)
    #[arg(long, value_name = "T")]
    pub now: Option<String>,
    /// The client's address, for --allow-ip
    #[arg(long, value_name = "IP")]
    pub remote_addr: Option<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// On a refusal, print the server-side diagnostic line to stderr (for 'signwire diff')
    #[arg(long)]
    pub diagnostics: bool,
    /// Print one JSON object (verdict, status, message, diagnostic) instead of text
    #[arg(long)]
    pub json: bool,
}

/// `serve`.
#[derive(Args, Debug)]
#[command(after_help = "Every request gets 200 (verified) or 401 (refused), 4xx for malformed HTTP, with a\n\
    text answer: the verdict, the status name, the message and the server-side fingerprint line\n\
    (JSON when the request says 'Accept: application/json' or with --json). Save the answer and\n\
    run 'signwire diff client.txt answer.txt'. No secret or expected signature is ever answered.\n\
    The address line 'listening on http://HOST:PORT' is printed on stdout once the port is bound.\n\n\
Example:\n  signwire serve --scheme hopnow --key-id k1 --secret-env HOPNOW_SECRET \\\n    --public-url https://api.example.com --listen 127.0.0.1:8787")]
pub struct ServeArgs {
    /// A preset, a JSON scheme file, or JSON text (as for verify)
    #[arg(long, value_name = "S")]
    pub scheme: String,
    /// Key id of the secret given by --secret-env/--secret-file
    #[arg(long, value_name = "ID", requires = "secret_source")]
    pub key_id: Option<String>,
    #[command(flatten)]
    pub secret: ServeSecretArgs,
    /// Refused: secrets never go on the command line
    #[arg(long = "secret", hide = true, value_parser = Refuse(NO_SECRET))]
    pub secret_refused: Option<String>,
    /// Another key: ID=VAR reads its secret from environment variable VAR (repeat for more)
    #[arg(long, value_name = "ID=VAR")]
    pub key_env: Vec<String>,
    /// Another key: ID=PATH reads its secret from a file (repeat for more)
    #[arg(long, value_name = "ID=PATH")]
    pub key_file: Vec<String>,
    /// Address to listen on; port 0 picks a free port (printed on stdout)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// The origin clients sign (e.g. https://api.example.com); the URL verified is this + the
    /// request target. Default: http:// + the Host header
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes (larger gets 413 unread)
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Exit (status 0) after answering this many requests (default: run until killed)
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Answer JSON to every request, whatever its Accept header
    #[arg(long)]
    pub json: bool,
}

/// `serve`'s optional single secret (the group lets --key-id require one of them).
#[derive(Args, Debug)]
#[group(id = "secret_source", multiple = false)]
pub struct ServeSecretArgs {
    /// The --key-id's secret, from this environment variable
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<OsString>,
    /// The --key-id's secret, from this file (one trailing newline is ignored)
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

/// A sealing or opening key, from exactly one source.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SealKey {
    /// AES-256 key file (64 hex digits or 43 base64url characters): alg dir
    #[arg(long, value_name = "PATH")]
    pub aes_key_file: Option<PathBuf>,
    /// AES-256 key from this environment variable
    #[arg(long, value_name = "VAR")]
    pub aes_key_env: Option<OsString>,
    /// RSA key file, PEM or DER (public to seal, private to open): alg RSA-OAEP-256
    #[arg(long, value_name = "PATH")]
    pub rsa_key_file: Option<PathBuf>,
    /// RSA key from this environment variable
    #[arg(long, value_name = "VAR")]
    pub rsa_key_env: Option<OsString>,
}

/// Options that would put a key on the command line: accepted by the parser only to be refused
/// with a clear message (kept out of `SealKey`'s group so the usage line does not list them).
#[derive(Args, Debug)]
pub struct RefusedKeys {
    /// Refused: keys never go on the command line
    #[arg(long, hide = true, value_parser = Refuse(NO_KEY))]
    pub key: Option<String>,
    /// Refused: keys never go on the command line
    #[arg(long, hide = true, value_parser = Refuse(NO_KEY))]
    pub aes_key: Option<String>,
    /// Refused: keys never go on the command line
    #[arg(long, hide = true, value_parser = Refuse(NO_KEY))]
    pub rsa_key: Option<String>,
    /// Refused: keys never go on the command line
    #[arg(long, hide = true, value_parser = Refuse(NO_KEY))]
    pub secret: Option<String>,
}

/// `seal`.
#[derive(Args, Debug)]
pub struct SealArgs {
    /// Key id written into the token header
    #[arg(long, value_name = "ID")]
    pub kid: String,
    #[command(flatten)]
    pub key: SealKey,
    #[command(flatten)]
    pub refused: RefusedKeys,
    /// The body: a file, or - for stdin (default: stdin)
    #[arg(long, value_name = "PATH|-")]
    pub body_file: Option<String>,
}

/// `open`.
#[derive(Args, Debug)]
pub struct OpenArgs {
    /// Key id the token must name
    #[arg(long, value_name = "ID")]
    pub kid: String,
    #[command(flatten)]
    pub key: SealKey,
    #[command(flatten)]
    pub refused: RefusedKeys,
    /// The token: a file, or - for stdin (default: stdin); one trailing newline is ignored
    #[arg(long, value_name = "PATH|-")]
    pub token_file: Option<String>,
    /// Longest token accepted, in bytes
    #[arg(long, value_name = "BYTES")]
    pub max_token_len: Option<usize>,
}

/// `seal-query`.
#[derive(Args, Debug)]
pub struct SealQueryArgs {
    /// Key id written into the token header
    #[arg(long, value_name = "ID")]
    pub kid: String,
    #[command(flatten)]
    pub key: SealKey,
    #[command(flatten)]
    pub refused: RefusedKeys,
    /// Comma-separated names of the parameters to seal (e.g. card,cvv)
    #[arg(long, value_name = "NAMES")]
    pub params: String,
    /// Name of the parameter that carries the token
    #[arg(long, value_name = "NAME")]
    pub param: Option<String>,
    /// The query: a file, or - for stdin (default: stdin)
    #[arg(long, value_name = "PATH|-")]
    pub query_file: Option<String>,
}

/// `open-query`.
#[derive(Args, Debug)]
pub struct OpenQueryArgs {
    /// Key id the token must name
    #[arg(long, value_name = "ID")]
    pub kid: String,
    #[command(flatten)]
    pub key: SealKey,
    #[command(flatten)]
    pub refused: RefusedKeys,
    /// Name of the parameter that carries the token
    #[arg(long, value_name = "NAME")]
    pub param: Option<String>,
    /// The query: a file, or - for stdin (default: stdin)
    #[arg(long, value_name = "PATH|-")]
    pub query_file: Option<String>,
    /// Longest token accepted, in bytes
    #[arg(long, value_name = "BYTES")]
    pub max_token_len: Option<usize>,
}

const EPIN_FIELDS: &str = "FIELD is a value; --field-env VAR (that variable's value) or --field-file PATH (the file's\n\
bytes, one trailing newline dropped) put a secret field at its position; --field VALUE passes a\n\
value starting with -, and after -- every argument is a value. Fields are concatenated in the\n\
order given. Requests hash with 1 sha1 round, --response with 2; --rounds N overrides both.";

/// `epintower` subcommands.
#[derive(Subcommand, Debug)]
pub enum EpinCmd {
    /// Print the $2y$ bcrypt signature of the fields
    #[command(after_help = EPIN_FIELDS)]
    Sign {
        #[command(flatten)]
        common: EpinArgs,
        /// bcrypt cost, 4-31 (default: the scheme's, 10 for epintower)
        #[arg(long, value_name = "N")]
        cost: Option<u32>,
    },
    /// Check a signature: print ok (exit 0) or the failure (exit 1)
    #[command(after_help = EPIN_FIELDS)]
    Verify {
        #[command(flatten)]
        common: EpinArgs,
        /// The received bcrypt hash
        #[arg(long, value_name = "HASH")]
        signature: String,
        /// Refuse a hash whose cost is above N before any bcrypt work (default: the scheme's
        /// max_verify_cost, 12 for epintower)
        #[arg(long, value_name = "N")]
        max_cost: Option<u32>,
    },
    /// Print the hashed data (secret fields masked) and each sha1 round
    #[command(after_help = EPIN_FIELDS)]
    Explain {
        #[command(flatten)]
        common: EpinArgs,
    },
}

/// Options shared by the `epintower` subcommands; the fields' order is recovered from the
/// parser's argument indices (see `epintower::fields`).
#[derive(Args, Debug)]
pub struct EpinArgs {
    /// Hash as a response (2 sha1 rounds)
    #[arg(long, conflicts_with = "rounds")]
    pub response: bool,
    /// Number of sha1 rounds (overrides request/response)
    #[arg(long, value_name = "N")]
    pub rounds: Option<u32>,
    /// A bcrypt scheme preset (epintower, the default) or JSON document
    #[arg(long, value_name = "S")]
    pub scheme: Option<String>,
    /// A field value, in signing order
    #[arg(value_name = "FIELD", value_parser = clap::value_parser!(OsString))]
    pub fields: Vec<OsString>,
    /// A field value that starts with -
    #[arg(long = "field", value_name = "VALUE", allow_hyphen_values = true, value_parser = clap::value_parser!(OsString))]
    pub field: Vec<OsString>,
    /// A secret field from this environment variable, at this position
    #[arg(long, value_name = "VAR")]
    pub field_env: Vec<String>,
    /// A secret field from this file, at this position
    #[arg(long, value_name = "PATH")]
    pub field_file: Vec<String>,
    /// Refused: pass secret fields with --field-env VAR or --field-file PATH
    #[arg(long, hide = true, value_parser = Refuse("pass secret fields with --field-env VAR or --field-file PATH"))]
    pub secret: Option<String>,
}
