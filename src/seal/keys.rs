//! Keys for sealed bodies: a shared 256-bit AES key, and RSA keys read from PEM or DER.
//!
//! RSA keys come in the shapes people actually have on disk: PKCS#8 (`BEGIN PRIVATE KEY`,
//! what `openssl genpkey` writes), PKCS#1 (`BEGIN RSA PRIVATE KEY`, what older `openssl
//! genrsa` and many PHP projects have), X.509 SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) and
//! PKCS#1 public keys (`BEGIN RSA PUBLIC KEY`), each as PEM or as raw DER. Keys under 2048
//! bits are refused with [`Status::WeakKey`].
//!
//! ```
//! use signwire::seal::{RsaPrivateKey, RsaPublicKey, SharedKey};
//! let shared = SharedKey::new(&[7u8; 32])?;
//! assert_eq!(SharedKey::new(&[7u8; 16]).unwrap_err().status(), signwire::Status::WeakKey);
//!
//! let pem = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/seal/rsa2048-private.pem"));
//! let private = RsaPrivateKey::parse(pem)?;
//! assert_eq!(private.bits(), 2048);
//! let public: RsaPublicKey = private.public_key();
//! assert_eq!(public.bits(), 2048);
//! # Ok::<(), signwire::Error>(())
//! ```

use crate::error::{Error, Result, Status};
use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey};
use base64::Engine as _;
use zeroize::Zeroizing;

/// Length of a shared key for `dir` + `A256GCM`, in bytes.
pub const SHARED_KEY_LEN: usize = 32;
/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest key file accepted (PEM or DER), in bytes; an 8192-bit PKCS#8 PEM is about 6.5 KB.
pub const MAX_KEY_FILE_LEN: usize = 64 * 1024;

/// A shared 256-bit key for `dir` + `A256GCM`. Wiped on drop.
///
/// ```
/// use signwire::seal::SharedKey;
/// let key = SharedKey::generate()?;
/// let again = SharedKey::new(key.as_bytes())?;
/// # Ok::<(), signwire::Error>(())
/// ```
#[derive(Clone)]
pub struct SharedKey(Zeroizing<[u8; SHARED_KEY_LEN]>);

impl SharedKey {
    /// A key from exactly 32 bytes. Shorter input and 32 zero bytes are [`Status::WeakKey`];
    /// longer input is [`Status::InvalidArgument`] (signwire never truncates a key).
    pub fn new(bytes: &[u8]) -> Result<SharedKey> {
        if bytes.len() < SHARED_KEY_LEN {
            return Err(Error::new(
                Status::WeakKey,
                format!("a shared key for A256GCM is 32 bytes; this one is {} bytes", bytes.len()),
            ));
        }
        let arr: [u8; SHARED_KEY_LEN] = bytes.try_into().map_err(|_| {
            Error::invalid(format!("a shared key for A256GCM is 32 bytes; this one is {} bytes", bytes.len()))
        })?;
        // 32 zero bytes is what an unset buffer or a failed decode gives: a placeholder that
        // anyone could guess, never a key.
        if arr.iter().all(|&b| b == 0) {
            return Err(Error::new(Status::WeakKey, "the shared key is 32 zero bytes (unset or failed to decode?); use random bytes"));
        }
        Ok(SharedKey(Zeroizing::new(arr)))
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<SharedKey> {
        let mut k = Zeroizing::new([0u8; SHARED_KEY_LEN]);
        aws_lc_rs::rand::fill(&mut k[..]).map_err(|_| Error::new(Status::Internal, "the random generator failed"))?;
        Ok(SharedKey(k))
    }

    /// The raw key, for storing it.
    pub fn as_bytes(&self) -> &[u8; SHARED_KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedKey(<redacted>)")
    }
}

/// A recipient's RSA public key (for sealing with `RSA-OAEP-256`).
#[derive(Clone, Debug)]
pub struct RsaPublicKey {
    key: PublicEncryptingKey,
}

/// An RSA private key (for opening `RSA-OAEP-256` tokens). AWS-LC wipes it when freed.
#[derive(Debug)]
pub struct RsaPrivateKey {
    pub(crate) key: OaepPrivateDecryptingKey,
    public: PublicEncryptingKey,
}

impl RsaPublicKey {
    /// Read a public key from PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or DER
    /// (SubjectPublicKeyInfo or PKCS#1).
    pub fn parse(pem_or_der: &[u8]) -> Result<RsaPublicKey> {
        check_key_file_len(pem_or_der)?;
        let der = if looks_like_pem(pem_or_der) {
            let (label, der) = pem_decode(pem_or_der)?;
            match label.as_str() {
                "PUBLIC KEY" => der,
                "RSA PUBLIC KEY" => Zeroizing::new(spki_from_pkcs1(&der)),
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                    return Err(Error::invalid(
                        "this is a private key; the sender needs only the public key (openssl pkey -in key.pem -pubout)",
                    ))
                }
                other => return Err(Error::invalid(format!("expected a PEM \"PUBLIC KEY\", found \"{other}\""))),
            }
        } else {
            Zeroizing::new(pem_or_der.to_vec())
        };
        let key = match PublicEncryptingKey::from_der(&der) {
            Ok(k) => k,
            Err(first) if is_too_small(&first) => return Err(weak()),
            // Not SubjectPublicKeyInfo: maybe bare PKCS#1 DER.
            Err(_) => PublicEncryptingKey::from_der(&spki_from_pkcs1(&der)).map_err(|e| rejected(e, "RSA public key"))?,
        };
        Ok(RsaPublicKey { key })
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.key_size_bits()
    }

    pub(crate) fn modulus_len(&self) -> usize {
        self.key.key_size_bytes()
    }

    pub(crate) fn oaep(&self) -> Result<OaepPublicEncryptingKey> {
        OaepPublicEncryptingKey::new(self.key.clone()).map_err(|_| Error::new(Status::Internal, "AWS-LC refused an RSA-OAEP key"))
    }
}

impl RsaPrivateKey {
    /// Read a private key from PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`) or DER (PKCS#8 or
    /// PKCS#1). Password-protected keys are refused: decrypt them with `openssl pkey` first.
    pub fn parse(pem_or_der: &[u8]) -> Result<RsaPrivateKey> {
        check_key_file_len(pem_or_der)?;
        let der = if looks_like_pem(pem_or_der) {
            let (label, der) = pem_decode(pem_or_der)?;
            match label.as_str() {
                "PRIVATE KEY" => der,
                "RSA PRIVATE KEY" => pkcs8_from_pkcs1(&der),
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(Error::invalid(
                        "password-protected keys are not supported: write a plain copy with openssl pkey (keep it private)",
                    ))
                }
                "PUBLIC KEY" | "RSA PUBLIC KEY" => {
                    return Err(Error::invalid("this is a public key; opening sealed bodies needs the private key"))
                }
                other => return Err(Error::invalid(format!("expected a PEM \"PRIVATE KEY\", found \"{other}\""))),
            }
        } else {
            Zeroizing::new(pem_or_der.to_vec())
        };
        let key = match PrivateDecryptingKey::from_pkcs8(&der) {
            Ok(k) => k,
            Err(first) if is_too_small(&first) => return Err(weak()),
            Err(_) => PrivateDecryptingKey::from_pkcs8(&pkcs8_from_pkcs1(&der)).map_err(|e| rejected(e, "RSA private key"))?,
        };
        let public = key.public_key();
        let key = OaepPrivateDecryptingKey::new(key).map_err(|_| Error::new(Status::Internal, "AWS-LC refused an RSA-OAEP key"))?;
        Ok(RsaPrivateKey { key, public })
    }

    /// The matching public key (for sealing to oneself, or to publish).
    pub fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey { key: self.public.clone() }
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.key_size_bits()
    }

    pub(crate) fn modulus_len(&self) -> usize {
        self.key.key_size_bytes()
    }
}

pub(crate) fn check_key_file_len(input: &[u8]) -> Result<()> {
    if input.is_empty() {
        return Err(Error::invalid("the key is empty"));
    }
    if input.len() > MAX_KEY_FILE_LEN {
        return Err(Error::new(Status::InputTooLarge, format!("a key file is at most {MAX_KEY_FILE_LEN} bytes")));
    }
    Ok(())
}

fn is_too_small(e: &KeyRejected) -> bool {
    e.description_() == "TooSmall"
}

fn weak() -> Error {
    Error::new(Status::WeakKey, format!("the RSA key is shorter than {MIN_RSA_BITS} bits"))
}

fn rejected(e: KeyRejected, what: &str) -> Error {
    match e.description_() {
        "TooSmall" => weak(),
        "TooLarge" => Error::invalid(format!("the {what} is larger than 8192 bits")),
        _ => Error::invalid(format!("not a usable {what} (expected PEM or DER; PKCS#8, PKCS#1 or SubjectPublicKeyInfo)")),
    }
}

pub(crate) fn looks_like_pem(input: &[u8]) -> bool {
    input.trim_ascii_start().starts_with(b"-----BEGIN ")
}

/// The label and DER bytes of the first PEM block. Strict: the END label must match, and
/// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, legacy password-protected keys) are refused.
pub(crate) fn pem_decode(input: &[u8]) -> Result<(String, Zeroizing<Vec<u8>>)> {
    let text = std::str::from_utf8(input).map_err(|_| Error::invalid("the PEM key is not ASCII"))?;
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    let first = lines.next().unwrap_or("");
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| Error::invalid("malformed PEM BEGIN line"))?
        .to_string();
    let end = format!("-----END {label}-----");
    // Sized up front: a reallocation would leave part of a private key in freed memory.
    let mut b64 = Zeroizing::new(String::with_capacity(text.len()));
    let mut ended = false;
    for line in lines {
        if line == end {
            ended = true;
            break;
        }
        if line.contains(':') {
            return Err(Error::invalid(
                "password-protected (Proc-Type) PEM keys are not supported: write a plain copy with openssl pkey",
            ));
        }
        b64.push_str(line);
    }
    if !ended {
        return Err(Error::invalid(format!("PEM block has no \"{end}\" line")));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| Error::invalid("the PEM key's base64 is invalid"))?;
    Ok((label, Zeroizing::new(der)))
}

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

pub(crate) fn der_tlv(tag: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    der_len(content.len(), out);
    out.extend_from_slice(content);
}

/// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }.
const RSA_ALGORITHM_ID: &[u8] = &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

/// Wrap a PKCS#1 RSAPublicKey into SubjectPublicKeyInfo, the only public form AWS-LC's
/// encryption API reads. AWS-LC then parses (and rejects) the inner key as usual.
fn spki_from_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    let mut bits = Vec::with_capacity(pkcs1.len() + 1);
    bits.push(0);
    bits.extend_from_slice(pkcs1);
    let mut inner = RSA_ALGORITHM_ID.to_vec();
    der_tlv(0x03, &bits, &mut inner);
    let mut out = Vec::with_capacity(inner.len() + 8);
    der_tlv(0x30, &inner, &mut out);
    out
}

/// Wrap a PKCS#1 RSAPrivateKey into PKCS#8 v1. The copy holds the key, so it is wiped.
fn pkcs8_from_pkcs1(pkcs1: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut inner = Zeroizing::new(vec![0x02, 0x01, 0x00]);
    inner.extend_from_slice(RSA_ALGORITHM_ID);
    der_tlv(0x04, pkcs1, &mut inner);
    let mut out = Zeroizing::new(Vec::with_capacity(inner.len() + 8));
    der_tlv(0x30, &inner, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/vectors/seal/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn shared_key_length_is_exact() {
        assert!(SharedKey::new(&[1; 32]).is_ok());
        assert_eq!(SharedKey::new(&[1; 31]).unwrap_err().status(), Status::WeakKey);
        assert_eq!(SharedKey::new(&[]).unwrap_err().status(), Status::WeakKey);
        assert_eq!(SharedKey::new(&[0; 32]).unwrap_err().status(), Status::WeakKey);
        assert_eq!(SharedKey::new(&[1; 33]).unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(format!("{:?}", SharedKey::new(&[1; 32]).unwrap()), "SharedKey(<redacted>)");
    }

    #[test]
    fn every_rsa_encoding_openssl_writes_is_read() {
        // All four files hold the same key (written by openssl, see tests/vectors/seal/README).
        let a = RsaPrivateKey::parse(&vector("rsa2048-private.pem")).unwrap();
        let b = RsaPrivateKey::parse(&vector("rsa2048-private-pkcs1.pem")).unwrap();
        let c = RsaPrivateKey::parse(&vector("rsa2048-private.der")).unwrap();
        let d = RsaPrivateKey::parse(&vector("rsa2048-private-pkcs1.der")).unwrap();
        for k in [&a, &b, &c, &d] {
            assert_eq!(k.bits(), 2048);
        }
        for name in ["rsa2048-public.pem", "rsa2048-public-pkcs1.pem", "rsa2048-public.der", "rsa2048-public-pkcs1.der"] {
            assert_eq!(RsaPublicKey::parse(&vector(name)).unwrap().bits(), 2048, "{name}");
        }
    }

    #[test]
    fn keys_under_2048_bits_are_weak_in_every_encoding() {
        for name in ["rsa1024-private.pem", "rsa1024-private-pkcs1.pem"] {
            assert_eq!(RsaPrivateKey::parse(&vector(name)).unwrap_err().status(), Status::WeakKey, "{name}");
        }
        for name in ["rsa1024-public.pem", "rsa1024-public-pkcs1.pem"] {
            assert_eq!(RsaPublicKey::parse(&vector(name)).unwrap_err().status(), Status::WeakKey, "{name}");
        }
    }

    #[test]
    fn wrong_kind_of_key_is_explained() {
        let e = RsaPublicKey::parse(&vector("rsa2048-private.pem")).unwrap_err();
        assert_eq!(e.status(), Status::InvalidArgument);
        assert!(e.message().contains("private key"));
        let e = RsaPrivateKey::parse(&vector("rsa2048-public.pem")).unwrap_err();
        assert!(e.message().contains("public key"));
        assert_eq!(RsaPrivateKey::parse(b"not a key").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(RsaPublicKey::parse(b"").unwrap_err().status(), Status::InvalidArgument);
        let truncated = String::from_utf8(vector("rsa2048-private.pem")).unwrap().replace("-----END PRIVATE KEY-----", "");
        assert_eq!(RsaPrivateKey::parse(truncated.as_bytes()).unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(RsaPrivateKey::parse(&vec![b'A'; MAX_KEY_FILE_LEN + 1]).unwrap_err().status(), Status::InputTooLarge);
    }

    #[test]
    fn der_length_encoding() {
        let mut v = Vec::new();
        der_len(0x7f, &mut v);
        der_len(0x80, &mut v);
        der_len(0x1234, &mut v);
        assert_eq!(v, [0x7f, 0x81, 0x80, 0x82, 0x12, 0x34]);
    }
}
