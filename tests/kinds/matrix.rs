//! The policy × kind matrix (a module of tests/verifier.rs): every scheme kind the library
//! registers (`Kind::ALL`) goes through the same policy rows and must refuse each with the
//! same named status. A kind added to the library and not wired in `wiring` fails here.

use signwire::scheme::Kind;
use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};

const T: i64 = 1_700_000_000;
const URL: &str = "https://api.example.com/v1/pay?ref=a%2Fb";
const ALLOWED: &str = "10.1.2.3";
const OUTSIDE: &str = "203.0.113.9";

/// What the matrix needs to know about one kind's wire format, and nothing about policy.
struct Wiring {
    scheme: Scheme,
    /// Two secrets in the kind's own secret format (old and new, for rotation).
    secrets: [&'static str; 2],
    /// Does the format carry the key id (else every configured id is tried)?
    carries_key_id: bool,
    /// The header a request cannot do without.
    required_header: &'static str,
    /// The same delivery as `block` but with one signature (of two) left out, or claimed
    /// under key id `k2`: how this format lets an attacker present a delivery again.
    variant: fn(&str) -> String,
    /// Merge the signature headers of two signings of the same delivery (formats that carry
    /// several signatures); `None` for one-signature formats.
    merge: Option<fn(&str, &str) -> String>,
}

fn replace_line(block: &str, name: &str, value: &str) -> String {
    block
        .lines()
        .map(|l| if l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())) { format!("{name}: {value}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn header<'a>(block: &'a str, name: &str) -> &'a str {
    block
        .lines()
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("{name} missing from {block}"))
}

fn wiring(kind: Kind) -> Wiring {
    match kind.name() {
        "generic" => Wiring {
            scheme: Scheme::load("hopnow").unwrap(),
            secrets: ["hopnow-old-secret", "hopnow-new-secret"],
            carries_key_id: true,
            required_header: "X-Signature",
            variant: |b| replace_line(b, "X-API-Key", "k2"),
            merge: None,
        },
        "standard-webhooks" => Wiring {
            scheme: Scheme::load("standard-webhooks").unwrap(),
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25kIHdlYmhvb2sgc2VjcmV0IQ=="],
            carries_key_id: false,
            required_header: "webhook-signature",
            variant: |b| {
                let sigs = header(b, "webhook-signature");
                replace_line(b, "webhook-signature", sigs.split(' ').nth(1).expect("two signatures"))
            },
            merge: Some(|a, b| {
                replace_line(a, "webhook-signature", &format!("{} {}", header(a, "webhook-signature"), header(b, "webhook-signature")))
            }),
        },
        "stripe" => Wiring {
            scheme: Scheme::load("stripe").unwrap(),
            secrets: ["whsec_stripe_old_secret", "whsec_stripe_new_secret"],
            carries_key_id: false,
            required_header: "Stripe-Signature",
            variant: |b| {
                let h = header(b, "Stripe-Signature");
                let kept: Vec<&str> = h.split(',').filter(|i| !i.starts_with("v1=")).chain(h.split(',').filter(|i| i.starts_with("v1=")).skip(1)).collect();
                replace_line(b, "Stripe-Signature", &kept.join(","))
            },
            merge: Some(|a, b| {
                let second = header(b, "Stripe-Signature").split(',').find(|i| i.starts_with("v1=")).unwrap().to_string();
                replace_line(a, "Stripe-Signature", &format!("{},{second}", header(a, "Stripe-Signature")))
            }),
        },
        "aws-sigv4" => Wiring {
            scheme: Scheme::load("aws-sigv4:us-east-1:execute-api").unwrap(),
            secrets: ["wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"],
            carries_key_id: true,
            required_header: "Authorization",
            variant: |b| b.replace("Credential=k1/", "Credential=k2/"),
            merge: None,
        },
        other => panic!("scheme kind {other:?} is registered in the library but not wired into the policy matrix (tests/kinds/matrix.rs)"),
    }
}

struct Case {
    w: Wiring,
    serial: std::cell::Cell<u64>,
}

/// One delivery: its authentication headers and its body (unique per delivery: Stripe's
/// replay identity is the timestamp with the body, as a real event's id in the body makes it).
#[derive(Clone, Debug, PartialEq)]
struct Sent {
    block: String,
    body: Vec<u8>,
}

impl Sent {
    fn with_block(&self, block: String) -> Sent {
        Sent { block, body: self.body.clone() }
    }
    fn with_body(&self, body: &[u8]) -> Sent {
        Sent { block: self.block.clone(), body: body.to_vec() }
    }
}

impl Case {
    fn new(kind: Kind) -> Case {
        Case { w: wiring(kind), serial: std::cell::Cell::new(0) }
    }

    /// Sign a new delivery as `k1` with secret `which` at `ts`.
    fn fresh(&self, which: usize, ts: i64) -> Sent {
        self.serial.set(self.serial.get() + 1);
        let n = self.serial.get();
        let body = format!(r#"{{"amount":"10.00","event":{n}}}"#).into_bytes();
        Sent { block: self.sign(which, ts, n, &body), body }
    }

    fn sign(&self, which: usize, ts: i64, n: u64, body: &[u8]) -> String {
        let signer = Signer::new(self.w.scheme.clone(), "k1", self.w.secrets[which].as_bytes()).unwrap();
        signer.sign_at(&Request::new("POST", URL, body), ts, &format!("{n:032x}")).unwrap().to_block()
    }

    /// The same delivery signed with both secrets (formats with several signatures), or
    /// a fresh one.
    fn rotating(&self, ts: i64) -> Sent {
        let one = self.fresh(0, ts);
        match self.w.merge {
            Some(merge) => one.with_block(merge(&one.block, &self.sign(1, ts, self.serial.get(), &one.body))),
            None => one,
        }
    }

    /// A verifier that allows 10.0.0.0/8, with `k1` holding both secrets, and `k2` holding
    /// the old one too (key ids sharing a secret).
    fn verifier(&self) -> Verifier {
        let mut v = Verifier::new(self.w.scheme.clone());
        v.allow_ip("10.0.0.0/8").unwrap();
        v.keyring().add_secret("k1", self.w.secrets[0].as_bytes()).unwrap();
        v.keyring().add_secret("k1", self.w.secrets[1].as_bytes()).unwrap();
        if self.w.carries_key_id {
            v.keyring().add_secret("k2", self.w.secrets[0].as_bytes()).unwrap();
        }
        v
    }

    fn run(&self, v: &Verifier, sent: &Sent, ip: &str, now: i64) -> Result<String, Status> {
        let h = Headers::parse(&sent.block).map_err(|e| e.status())?;
        let req = Request::new("POST", URL, &sent.body).with_headers(&h).with_remote_addr(Some(ip));
        v.verify_at(&req, now).map(|ok| ok.key_id).map_err(|e| e.status())
    }
}

#[test]
fn every_kind_gets_every_policy() {
    assert!(Kind::ALL.len() >= 4, "the registry lists the kinds");
    for kind in Kind::ALL {
        let c = Case::new(kind);
        let name = kind.name();
        let max_age = c.w.scheme.max_age as i64;
        let skew = c.w.scheme.max_future_skew as i64;
        let v = c.verifier();
        let ok = Ok("k1".to_string());

        // Fresh, from an allowed address: accepted (with either active secret).
        assert_eq!(c.run(&v, &c.fresh(1, T), ALLOWED, T), ok, "{name}: fresh");
        assert_eq!(c.run(&v, &c.fresh(0, T), ALLOWED, T), ok, "{name}: fresh, old secret");

        let spoofed = c.fresh(1, T);
        let spoofed = spoofed.with_block(format!("{}\r\nX-Forwarded-For: {ALLOWED}\r\n", spoofed.block.trim_end()));
        let missing = c.fresh(1, T);
        let required = c.w.required_header.to_ascii_lowercase();
        let missing = missing.with_block(missing.block.lines().filter(|l| !l.to_ascii_lowercase().starts_with(&required)).collect::<Vec<_>>().join("\r\n"));
        let rows: Vec<(&str, Result<String, Status>, Status)> = vec![
            ("stale", c.run(&v, &c.fresh(1, T - max_age - 1), ALLOWED, T), Status::TimestampTooOld),
            ("future", c.run(&v, &c.fresh(1, T + skew + 1), ALLOWED, T), Status::TimestampInFuture),
            ("disallowed IP", c.run(&v, &c.fresh(1, T), OUTSIDE, T), Status::IpNotAllowed),
            ("spoofed X-Forwarded-For without a trusted proxy", c.run(&v, &spoofed, OUTSIDE, T), Status::IpNotAllowed),
            ("tampered body", c.run(&v, &c.fresh(1, T).with_body(br#"{"amount":"99.00"}"#), ALLOWED, T), Status::BadSignature),
            ("missing header", c.run(&v, &missing, ALLOWED, T), Status::MissingHeader),
            // Order: the window before the IP, the IP before the keyring.
            ("stale and disallowed IP", c.run(&v, &c.fresh(1, T - max_age - 1), OUTSIDE, T), Status::TimestampTooOld),
        ];
        for (row, got, want) in rows {
            assert_eq!(got, Err(want), "{name}: {row}");
        }

        // Replay: the same delivery again, and again in the form the format allows (one of
        // its signatures dropped, or claimed by another key id holding the same secret).
        let once = c.rotating(T);
        assert_eq!(c.run(&v, &once, ALLOWED, T), ok, "{name}: first delivery");
        assert_eq!(c.run(&v, &once, ALLOWED, T), Err(Status::NonceReplayed), "{name}: replay");
        let variant = once.with_block((c.w.variant)(&once.block));
        assert_ne!(variant, once, "{name}: the variant differs from the delivery");
        assert_eq!(c.run(&v, &variant, ALLOWED, T), Err(Status::NonceReplayed), "{name}: replay with a subset of signatures / another key id");

        // A forgery does not burn the delivery's identity: tampered first, genuine after.
        let genuine = c.fresh(1, T);
        assert_eq!(c.run(&v, &genuine.with_body(b"forged"), ALLOWED, T), Err(Status::BadSignature), "{name}: forged body");
        assert_eq!(c.run(&v, &genuine, ALLOWED, T), ok, "{name}: genuine after a forgery");

        // Retired secret: signed with the old one after it was retired.
        let old = c.fresh(0, T);
        assert!(v.keyring().retire_secret("k1", c.w.secrets[0].as_bytes()).unwrap());
        assert_eq!(c.run(&v, &old, ALLOWED, T), Err(Status::BadSignature), "{name}: retired secret");
        assert_eq!(c.run(&v, &c.fresh(1, T), ALLOWED, T), ok, "{name}: the remaining secret still works");

        // Unknown key: a verifier that knows no key id this request can name.
        let unknown = Verifier::new(c.w.scheme.clone());
        if c.w.carries_key_id {
            unknown.keyring().add_secret("someone-else", c.w.secrets[1].as_bytes()).unwrap();
        }
        assert_eq!(c.run(&unknown, &c.fresh(1, T), ALLOWED, T), Err(Status::UnknownKey), "{name}: unknown key");
        // ...and the cheap refusals come first for it, exactly as for a known key id.
        assert_eq!(c.run(&unknown, &c.fresh(1, T - max_age - 1), ALLOWED, T), Err(Status::TimestampTooOld), "{name}: unknown key, stale");
        let mut unknown_ip = Verifier::new(c.w.scheme.clone());
        unknown_ip.allow_ip("10.0.0.0/8").unwrap();
        assert_eq!(c.run(&unknown_ip, &c.fresh(1, T), OUTSIDE, T), Err(Status::IpNotAllowed), "{name}: unknown key, bad IP");
    }
}

#[test]
fn key_ids_sharing_a_secret_cannot_replay_each_other() {
    // HopNow does not sign the key id: a request signed for k1 verifies under k2 when both
    // hold the secret, so the nonce is recorded per scheme, not per key id.
    let c = Case::new(Kind::from_name("generic").unwrap());
    let v = c.verifier();
    let a = c.fresh(0, T);
    assert_eq!(c.run(&v, &a, ALLOWED, T), Ok("k1".into()));
    assert_eq!(c.run(&v, &a.with_block(replace_line(&a.block, "X-API-Key", "k2")), ALLOWED, T), Err(Status::NonceReplayed));
    let b = c.fresh(0, T);
    assert_eq!(c.run(&v, &b.with_block(replace_line(&b.block, "X-API-Key", "k2")), ALLOWED, T), Ok("k2".into()));
    assert_eq!(c.run(&v, &b, ALLOWED, T), Err(Status::NonceReplayed));
}
