//! The plug-in interface every scheme kind implements.
//!
//! A kind knows its wire format only: how to read what a request claims (key id, timestamp,
//! the delivery's replay identity, candidate signatures), which bytes are signed (and, for
//! SigV4, which key is derived), how to write signed headers, and what to fingerprint. It
//! never sees a keyring, an IP policy, a nonce store or a clock; `crate::verifier` orders
//! the policy around these steps, identically for every kind.
//!
//! The trait is sealed and crate-private until the claims API has settled: a new kind is
//! added here, in `src/scheme/`, and listed in [`super::Kind::ALL`].

use super::Scheme;
use crate::canonical::{Parts, Request};
use crate::error::{Error, Result, Status};
use crate::headers::SignedHeaders;
use crate::keyring::SecretFormat;
use crate::mac::{Key, Tag};
use std::borrow::Cow;

/// Most signatures accepted in one request (a sender rotating secrets sends two or three).
pub const MAX_SIGNATURES: usize = 16;

pub(crate) mod sealed {
    /// Only this crate implements [`super::SchemeKind`].
    pub trait Sealed {}
}

/// The decoded candidate signatures of one request, inline (no allocation per request).
#[derive(Clone, Copy)]
pub(crate) struct Candidates {
    tags: [Option<Tag>; MAX_SIGNATURES],
    len: usize,
}

impl Candidates {
    pub(crate) fn new() -> Candidates {
        Candidates { tags: [None; MAX_SIGNATURES], len: 0 }
    }

    /// Add one; more than [`MAX_SIGNATURES`] is a malformed header.
    pub(crate) fn push(&mut self, tag: Tag) -> Result<()> {
        if self.len == MAX_SIGNATURES {
            return Err(Error::new(Status::MalformedHeader, format!("more than {MAX_SIGNATURES} signatures in one request")));
        }
        self.tags[self.len] = Some(tag);
        self.len += 1;
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.tags[..self.len].iter().flatten()
    }
}

impl std::fmt::Debug for Candidates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Candidates({})", self.len)
    }
}

/// What one request claims, read without a secret, a clock or a store.
#[derive(Debug)]
pub(crate) struct Claims<'r> {
    /// The key id the request names; `None` when the format carries none (webhooks), and
    /// then every configured key id is tried.
    pub key_id: Option<&'r str>,
    /// The signed timestamp, unix seconds.
    pub timestamp: i64,
    /// The timestamp as sent (the component schemes sign the text).
    pub timestamp_text: &'r str,
    /// When the signature stops being valid, if the format says (RFC 9421 `expires`).
    pub expires: Option<i64>,
    /// The nonce or delivery id as sent (`""` when the format has none).
    pub nonce: &'r str,
    /// The signatures to check, decoded; at least one.
    pub candidates: Candidates,
    /// What a kind keeps for its own later steps (SigV4's parsed `Authorization`).
    pub detail: Detail<'r>,
}

/// Kind-private parse results carried from `read_claims` to `signed_parts`.
#[derive(Debug, Default)]
pub(crate) enum Detail<'r> {
    /// Nothing kept.
    #[default]
    None,
    /// AWS SigV4: the credential scope and the headers the client signed.
    SigV4(super::sigv4::Received<'r>),
}

/// One scheme kind. Implementations are unit structs in `src/scheme/`, reached through
/// [`super::Kind::plugin`].
pub(crate) trait SchemeKind: Send + Sync + std::fmt::Debug + sealed::Sealed {
    /// The kind's name in scheme documents (`standard-webhooks`).
    fn name(&self) -> &'static str;

    /// How this kind's secrets are written (raw, `whsec_` base64, AWS secret access key).
    fn secret_format(&self) -> SecretFormat;

    /// Bounded parse of what the request claims: presence and syntax of the authentication
    /// headers, the timestamp, the candidate signatures. No secret, no clock, no store, and
    /// nothing proportional to the body.
    fn read_claims<'r>(&self, scheme: &'r Scheme, request: &Request<'r>) -> Result<Claims<'r>>;

    /// The exact bytes the MAC covers, appended to `parts` (the signer builds them with the
    /// same code). May read the body; runs after the cheap policy checks.
    fn signed_parts<'r>(&self, scheme: &'r Scheme, request: &'r Request<'r>, claims: &Claims<'r>, parts: &mut Parts<'r>) -> Result<()>;

    /// The per-request MAC key derived from a configured secret (SigV4's scope chain,
    /// cached by `secret_id` and day); by default the secret's own key.
    fn derive_key<'k>(&self, _scheme: &Scheme, secret: &'k Key, _secret_id: u64, _claims: &Claims<'_>, _cache: &super::KeyCache) -> Cow<'k, Key> {
        Cow::Borrowed(secret)
    }

    /// The delivery's own replay identity (recorded only after a valid signature, so it
    /// may cost what the MAC cost): never which signature or which secret matched.
    fn replay_id<'r>(&self, request: &Request<'r>, claims: &Claims<'r>, signed: &[Cow<'r, [u8]>]) -> Cow<'r, str>;

    /// Sign as the sender: the headers to send. With `explain`, also the signed bytes as a
    /// person should read them (SigV4: the canonical request, a blank line, the string to
    /// sign).
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        scheme: &Scheme,
        key_id: &str,
        key: &Key,
        cache: &super::KeyCache,
        request: &Request<'_>,
        timestamp: i64,
        nonce: &str,
        explain: Option<&mut Vec<u8>>,
    ) -> Result<SignedHeaders>;

    /// Labelled, secret-free fingerprint entries (after `scheme`) of what this side would
    /// sign; never fails: a missing or unusable part shows as `(missing)`, `(invalid)`...
    fn fingerprint(&self, scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)>;
}
