//! Encrypt-then-sign on the client, verify-then-decrypt on the server.
//!
//! The signature covers the sealed body exactly as transmitted (the token), never the
//! plaintext. So the server can reject a forged, replayed or stale request before it spends
//! an RSA decryption on it, and no decryption result (success, failure, timing) is ever
//! observable for a request that was not signed by a known key.

use super::{OpeningKeys, Recipient};
use crate::canonical::Request;
use crate::error::Result;
use crate::signer::{SignedHeaders, Signer};
use crate::verifier::{Verified, Verifier};
use zeroize::Zeroizing;

/// A sealed and signed request, ready to send: the token is the body.
#[derive(Debug)]
pub struct SealedRequest {
    /// The JWE compact token to send as the body (`Content-Type: application/jose`).
    pub body: String,
    /// The authentication headers, computed over `body`.
    pub headers: SignedHeaders,
}

/// Seal `body` for `recipient`, then sign the request with the token as its body.
///
/// ```
/// use signwire::{Headers, Request, Scheme, Signer, Verifier};
/// use signwire::seal::{seal_and_sign, verify_and_open, OpeningKeys, Recipient, SharedKey};
/// let scheme = Scheme::load("hopnow")?;
/// let aes = SharedKey::new(&[9; 32])?;
/// let url = "https://api.example.com/v1/pay";
///
/// // Client: encrypt, then sign what is sent.
/// let signer = Signer::new(scheme.clone(), "client-1", b"hmac secret")?;
/// let sent = seal_and_sign(&signer, "POST", url, b"{\"card\":\"4111111111111111\"}", &Recipient::shared("aes-1", aes.clone())?)?;
///
/// // Server: verify the signature over the token, then decrypt.
/// let verifier = Verifier::new(scheme);
/// verifier.keyring().add_secret("client-1", b"hmac secret")?;
/// let keys = OpeningKeys::new();
/// keys.add_shared("aes-1", aes)?;
/// let headers = Headers::parse(&sent.headers.to_block())?;
/// let request = Request::new("POST", url, sent.body.as_bytes()).with_headers(&headers);
/// let (who, body) = verify_and_open(&verifier, &request, &keys)?;
/// assert_eq!(who.key_id, "client-1");
/// assert_eq!(&body[..], b"{\"card\":\"4111111111111111\"}");
/// # Ok::<(), signwire::Error>(())
/// ```
pub fn seal_and_sign(signer: &Signer, method: &str, url: &str, body: &[u8], recipient: &Recipient) -> Result<SealedRequest> {
    let token = recipient.seal(body)?;
    let headers = signer.sign(&Request::new(method, url, token.as_bytes()))?;
    Ok(SealedRequest { body: token, headers })
}

/// Verify `request` (whose body is the token as received), and only if it passes, open the
/// body. A request that fails verification is never decrypted: its error is the
/// verification error.
pub fn verify_and_open(verifier: &Verifier, request: &Request<'_>, keys: &OpeningKeys) -> Result<(Verified, Zeroizing<Vec<u8>>)> {
    let verified = verifier.verify(request)?;
    let body = keys.open(request.body)?;
    Ok((verified, body))
}
