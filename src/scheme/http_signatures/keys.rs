//! RFC 9421 algorithms (section 3.3) and their keys, on AWS-LC.
//!
//! Keys are read from PEM (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1, SubjectPublicKeyInfo,
//! including the RSASSA-PSS key type RFC 9421's own test key uses) or from a JWK. Private
//! keys stay inside AWS-LC (wiped when freed); HMAC secrets are zeroized on drop.

use crate::error::{Error, Result, Status};
use crate::seal::keys::{check_key_file_len, der_tlv, looks_like_pem, pem_decode};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair};
use base64::Engine;
use zeroize::Zeroizing;

/// A signature algorithm of the HTTP Signature Algorithms registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `hmac-sha256` (symmetric).
    HmacSha256,
    /// `ed25519`.
    Ed25519,
    /// `ecdsa-p256-sha256` (raw r||s signature).
    EcdsaP256Sha256,
    /// `ecdsa-p384-sha384` (raw r||s signature).
    EcdsaP384Sha384,
    /// `rsa-pss-sha512` (salt 64 bytes).
    RsaPssSha512,
    /// `rsa-v1_5-sha256`: verification only (legacy; new signers should use PSS).
    RsaV15Sha256,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::HmacSha256,
        Algorithm::Ed25519,
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::RsaPssSha512,
        Algorithm::RsaV15Sha256,
    ];

    /// The registry name (`ed25519`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Algorithm::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Algorithm::RsaPssSha512 => "rsa-pss-sha512",
            Algorithm::RsaV15Sha256 => "rsa-v1_5-sha256",
        }
    }

    /// The algorithm for a registry name.
    pub fn from_name(name: &str) -> Result<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| {
            Error::new(Status::UnsupportedAlgorithm, format!("unsupported HTTP signature algorithm {name:?}"))
        })
    }

    /// The algorithm a JWK `alg` names (`EdDSA`, `ES256`, `ES384`, `PS512`, `RS256`, `HS256`).
    fn from_jose(alg: &str) -> Option<Algorithm> {
        Some(match alg {
            "EdDSA" | "Ed25519" => Algorithm::Ed25519,
            "ES256" => Algorithm::EcdsaP256Sha256,
            "ES384" => Algorithm::EcdsaP384Sha384,
            "PS512" => Algorithm::RsaPssSha512,
            "RS256" => Algorithm::RsaV15Sha256,
            "HS256" => Algorithm::HmacSha256,
            _ => return None,
        })
    }

    /// True for `hmac-sha256`.
    pub fn is_symmetric(self) -> bool {
        self == Algorithm::HmacSha256
    }

    fn verification(self) -> Option<&'static dyn sig::VerificationAlgorithm> {
        Some(match self {
            Algorithm::HmacSha256 => return None,
            Algorithm::Ed25519 => &sig::ED25519,
            Algorithm::EcdsaP256Sha256 => &sig::ECDSA_P256_SHA256_FIXED,
            Algorithm::EcdsaP384Sha384 => &sig::ECDSA_P384_SHA384_FIXED,
            Algorithm::RsaPssSha512 => &sig::RSA_PSS_2048_8192_SHA512,
            Algorithm::RsaV15Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        })
    }
}

enum Signing {
    Hmac(aws_lc_rs::hmac::Key),
    Ed25519(Ed25519KeyPair),
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A key that signs with one algorithm.
pub struct SigningKey {
    algorithm: Algorithm,
    key: Signing,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.algorithm.name())
    }
}

enum Verifying {
    Hmac(aws_lc_rs::hmac::Key),
    Public(ParsedPublicKey),
}

/// A key that verifies one algorithm's signatures: a public key, or an HMAC secret.
pub struct VerifyingKey {
    algorithm: Algorithm,
    key: Verifying,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({})", self.algorithm.name())
    }
}

fn unusable(what: &str, alg: Algorithm) -> Error {
    Error::invalid(format!("not a usable {what} for {}", alg.name()))
}

fn hmac_key(secret: &[u8]) -> Result<aws_lc_rs::hmac::Key> {
    if secret.is_empty() {
        return Err(Error::invalid("an HMAC secret must not be empty"));
    }
    Ok(aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret))
}

// --- minimal DER reading: just enough to unwrap SubjectPublicKeyInfo and PKCS#8 ---

/// One TLV at the start of `input`: (tag, content, rest).
fn der_next(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// SubjectPublicKeyInfo → the BIT STRING's key bytes (PKCS#1 for RSA of either OID, the raw
/// 32 bytes for Ed25519).
fn spki_key_bytes(der: &[u8]) -> Option<&[u8]> {
    let (0x30, spki, _) = der_next(der)? else { return None };
    let (0x30, _alg, rest) = der_next(spki)? else { return None };
    let (0x03, bits, _) = der_next(rest)? else { return None };
    let (&unused, key) = bits.split_first()?;
    (unused == 0).then_some(key)
}

/// PKCS#8 PrivateKeyInfo → the inner private key (PKCS#1 RSAPrivateKey for RSA of either OID).
fn pkcs8_inner(der: &[u8]) -> Option<&[u8]> {
    let (0x30, info, _) = der_next(der)? else { return None };
    let (0x02, _version, rest) = der_next(info)? else { return None };
    let (0x30, _alg, rest) = der_next(rest)? else { return None };
    let (0x04, key, _) = der_next(rest)? else { return None };
    Some(key)
}

enum Pem {
    Private(Zeroizing<Vec<u8>>, &'static str),
    Public(Zeroizing<Vec<u8>>, &'static str),
}

fn read_pem(input: &[u8]) -> Result<Pem> {
    check_key_file_len(input)?;
    if !looks_like_pem(input) {
        return Err(Error::invalid("expected a PEM key (-----BEGIN ...-----) or a JWK (JSON)"));
    }
    let (label, der) = pem_decode(input)?;
    Ok(match label.as_str() {
        "PRIVATE KEY" => Pem::Private(der, "pkcs8"),
        "EC PRIVATE KEY" => Pem::Private(der, "sec1"),
        "RSA PRIVATE KEY" => Pem::Private(der, "pkcs1"),
        "PUBLIC KEY" => Pem::Public(der, "spki"),
        "RSA PUBLIC KEY" => Pem::Public(der, "pkcs1"),
        "ENCRYPTED PRIVATE KEY" => {
            return Err(Error::invalid("password-protected keys are not supported: write a plain copy with openssl pkey"))
        }
        other => return Err(Error::invalid(format!("unexpected PEM label {other:?}"))),
    })
}

fn ecdsa_signing(alg: Algorithm) -> &'static sig::EcdsaSigningAlgorithm {
    if alg == Algorithm::EcdsaP384Sha384 {
        &sig::ECDSA_P384_SHA384_FIXED_SIGNING
    } else {
        &sig::ECDSA_P256_SHA256_FIXED_SIGNING
    }
}

fn private_from_der(alg: Algorithm, der: &[u8], form: &str) -> Result<Signing> {
    Ok(match alg {
        Algorithm::HmacSha256 => return Err(Error::invalid("hmac-sha256 takes a secret, not a PEM key")),
        Algorithm::RsaV15Sha256 => return Err(verify_only()),
        Algorithm::Ed25519 => {
            Signing::Ed25519(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|_| unusable("private key", alg))?)
        }
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => Signing::Ecdsa(
            EcdsaKeyPair::from_private_key_der(ecdsa_signing(alg), der).map_err(|_| unusable("private key", alg))?,
        ),
        Algorithm::RsaPssSha512 => {
            let key = match form {
                "pkcs1" => RsaKeyPair::from_der(der),
                // The RSASSA-PSS key type (OID 1.2.840.113549.1.1.10) is read as its inner
                // PKCS#1 key: AWS-LC's PKCS#8 reader knows only rsaEncryption.
                _ => RsaKeyPair::from_pkcs8(der).or_else(|e| pkcs8_inner(der).map_or(Err(e), RsaKeyPair::from_der)),
            }
            .map_err(|e| match e.description_() {
                "TooSmall" => Error::new(Status::WeakKey, "RSA keys shorter than 2048 bits are refused"),
                _ => unusable("private key", alg),
            })?;
            if key.public_modulus_len() < 256 {
                return Err(Error::new(Status::WeakKey, "RSA keys shorter than 2048 bits are refused"));
            }
            Signing::Rsa(key)
        }
    })
}

fn verify_only() -> Error {
    Error::new(Status::UnsupportedAlgorithm, "rsa-v1_5-sha256 is verification-only in signwire: sign with rsa-pss-sha512")
}

fn public_from(alg: Algorithm, bytes: &[u8]) -> Result<VerifyingKey> {
    let v = alg.verification().ok_or_else(|| Error::invalid("hmac-sha256 takes a secret, not a public key"))?;
    let key = ParsedPublicKey::new(v, bytes).map_err(|_| unusable("public key", alg))?;
    Ok(VerifyingKey { algorithm: alg, key: Verifying::Public(key) })
}

fn b64url(v: &serde_json::Value, field: &str) -> Result<Zeroizing<Vec<u8>>> {
    let s = v.get(field).and_then(|x| x.as_str()).ok_or_else(|| Error::invalid(format!("the JWK has no \"{field}\"")))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map(Zeroizing::new)
        .map_err(|_| Error::invalid(format!("the JWK's \"{field}\" is not base64url")))
}

fn der_uint(bytes: &[u8], out: &mut Vec<u8>) {
    let trimmed = &bytes[bytes.iter().take_while(|&&b| b == 0).count().min(bytes.len().saturating_sub(1))..];
    let mut content = Zeroizing::new(Vec::with_capacity(trimmed.len() + 1));
    if trimmed.first().is_some_and(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    der_tlv(0x02, &content, out);
}

/// The JWK, its `kty`, and the algorithm: the explicit one, else the JWK's own `alg`.
fn read_jwk(json: &[u8], alg: Option<Algorithm>) -> Result<(serde_json::Value, String, Algorithm)> {
    check_key_file_len(json)?;
    let v: serde_json::Value = serde_json::from_slice(json).map_err(|_| Error::invalid("the JWK is not valid JSON"))?;
    let kty = v.get("kty").and_then(|k| k.as_str()).ok_or_else(|| Error::invalid("the JWK has no \"kty\""))?.to_string();
    let jwk_alg = v.get("alg").and_then(|a| a.as_str());
    let from_jwk = jwk_alg.map(|a| Algorithm::from_jose(a).or_else(|| Algorithm::from_name(a).ok()));
    let alg = match (alg, from_jwk) {
        (Some(a), Some(Some(b))) if a != b => {
            return Err(Error::invalid(format!("the JWK is for {}, not {}", b.name(), a.name())))
        }
        (Some(a), _) => a,
        (None, Some(Some(b))) => b,
        _ => return Err(Error::invalid("name the algorithm: the JWK has no usable \"alg\"")),
    };
    let expected = match alg {
        Algorithm::HmacSha256 => "oct",
        Algorithm::Ed25519 => "OKP",
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => "EC",
        Algorithm::RsaPssSha512 | Algorithm::RsaV15Sha256 => "RSA",
    };
    if kty != expected {
        return Err(Error::invalid(format!("{} needs a JWK of kty {expected}, got {kty}", alg.name())));
    }
    let crv = v.get("crv").and_then(|c| c.as_str());
    let crv_ok = match alg {
        Algorithm::Ed25519 => crv == Some("Ed25519"),
        Algorithm::EcdsaP256Sha256 => crv == Some("P-256"),
        Algorithm::EcdsaP384Sha384 => crv == Some("P-384"),
        _ => true,
    };
    if !crv_ok {
        return Err(Error::invalid(format!("the JWK's curve does not fit {}", alg.name())));
    }
    Ok((v, kty, alg))
}

fn ec_point(v: &serde_json::Value) -> Result<Vec<u8>> {
    let mut point = vec![0x04];
    point.extend_from_slice(&b64url(v, "x")?);
    point.extend_from_slice(&b64url(v, "y")?);
    Ok(point)
}

fn rsa_public_pkcs1(v: &serde_json::Value) -> Result<Vec<u8>> {
    let mut inner = Vec::new();
    der_uint(&b64url(v, "n")?, &mut inner);
    der_uint(&b64url(v, "e")?, &mut inner);
    let mut out = Vec::new();
    der_tlv(0x30, &inner, &mut out);
    Ok(out)
}

impl SigningKey {
    /// An `hmac-sha256` key.
    pub fn hmac(secret: &[u8]) -> Result<SigningKey> {
        Ok(SigningKey { algorithm: Algorithm::HmacSha256, key: Signing::Hmac(hmac_key(secret)?) })
    }

    /// A private key from PEM, for `algorithm`.
    pub fn from_pem(algorithm: Algorithm, pem: &[u8]) -> Result<SigningKey> {
        match read_pem(pem)? {
            Pem::Private(der, form) => Ok(SigningKey { algorithm, key: private_from_der(algorithm, &der, form)? }),
            Pem::Public(..) => Err(Error::invalid("this is a public key; signing needs the private key")),
        }
    }

    /// A private key (or `oct` secret) from a JWK; `algorithm` may be `None` when the JWK has `alg`.
    pub fn from_jwk(json: &[u8], algorithm: Option<Algorithm>) -> Result<SigningKey> {
        let (v, _, alg) = read_jwk(json, algorithm)?;
        let key = match alg {
            Algorithm::HmacSha256 => Signing::Hmac(hmac_key(&b64url(&v, "k")?)?),
            Algorithm::RsaV15Sha256 => return Err(verify_only()),
            Algorithm::Ed25519 => Signing::Ed25519(
                Ed25519KeyPair::from_seed_and_public_key(&b64url(&v, "d")?, &b64url(&v, "x")?)
                    .map_err(|_| unusable("private JWK", alg))?,
            ),
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => Signing::Ecdsa(
                EcdsaKeyPair::from_private_key_and_public_key(ecdsa_signing(alg), &b64url(&v, "d")?, &ec_point(&v)?)
                    .map_err(|_| unusable("private JWK", alg))?,
            ),
            Algorithm::RsaPssSha512 => {
                let mut inner = Zeroizing::new(vec![0x02, 0x01, 0x00]);
                for f in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
                    der_uint(&b64url(&v, f)?, &mut inner);
                }
                let mut der = Zeroizing::new(Vec::new());
                der_tlv(0x30, &inner, &mut der);
                private_from_der(alg, &der, "pkcs1")?
            }
        };
        Ok(SigningKey { algorithm: alg, key })
    }

    /// PEM when the text starts with `-----BEGIN`, else JWK.
    pub fn parse(algorithm: Option<Algorithm>, pem_or_jwk: &[u8]) -> Result<SigningKey> {
        if looks_like_pem(pem_or_jwk) {
            let alg = algorithm.ok_or_else(|| Error::invalid("name the algorithm for a PEM key"))?;
            SigningKey::from_pem(alg, pem_or_jwk)
        } else {
            SigningKey::from_jwk(pem_or_jwk, algorithm)
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The matching verifying key.
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        match &self.key {
            Signing::Hmac(k) => Ok(VerifyingKey { algorithm: self.algorithm, key: Verifying::Hmac(k.clone()) }),
            Signing::Ed25519(k) => public_from(self.algorithm, k.public_key().as_ref()),
            Signing::Ecdsa(k) => public_from(self.algorithm, k.public_key().as_ref()),
            Signing::Rsa(k) => public_from(self.algorithm, k.public_key().as_ref()),
        }
    }

    /// Sign `message` (a signature base).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = |_| Error::new(Status::Internal, "AWS-LC failed to sign");
        Ok(match &self.key {
            Signing::Hmac(k) => aws_lc_rs::hmac::sign(k, message).as_ref().to_vec(),
            Signing::Ed25519(k) => k.sign(message).as_ref().to_vec(),
            Signing::Ecdsa(k) => k.sign(&SystemRandom::new(), message).map_err(failed)?.as_ref().to_vec(),
            Signing::Rsa(k) => {
                let mut out = vec![0; k.public_modulus_len()];
                k.sign(&sig::RSA_PSS_SHA512, &SystemRandom::new(), message, &mut out).map_err(failed)?;
                out
            }
        })
    }
}

impl VerifyingKey {
    /// An `hmac-sha256` secret.
    pub fn hmac(secret: &[u8]) -> Result<VerifyingKey> {
        Ok(VerifyingKey { algorithm: Algorithm::HmacSha256, key: Verifying::Hmac(hmac_key(secret)?) })
    }

    /// A public key from PEM (a private key PEM is accepted too: its public half is used).
    pub fn from_pem(algorithm: Algorithm, pem: &[u8]) -> Result<VerifyingKey> {
        match read_pem(pem)? {
            Pem::Public(der, "pkcs1") => public_from(algorithm, &der),
            Pem::Public(der, _) => {
                let bytes = match algorithm {
                    // AWS-LC reads EC SubjectPublicKeyInfo itself (and checks the curve).
                    Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => &der[..],
                    _ => spki_key_bytes(&der).ok_or_else(|| unusable("public key", algorithm))?,
                };
                public_from(algorithm, bytes)
            }
            Pem::Private(der, form) => {
                if algorithm == Algorithm::RsaV15Sha256 {
                    let key = match form {
                        "pkcs1" => RsaKeyPair::from_der(&der),
                        _ => RsaKeyPair::from_pkcs8(&der).or_else(|e| pkcs8_inner(&der).map_or(Err(e), RsaKeyPair::from_der)),
                    }
                    .map_err(|_| unusable("private key", algorithm))?;
                    return public_from(algorithm, key.public_key().as_ref());
                }
                SigningKey { algorithm, key: private_from_der(algorithm, &der, form)? }.verifying_key()
            }
        }
    }

    /// A public key (or `oct` secret) from a JWK.
    pub fn from_jwk(json: &[u8], algorithm: Option<Algorithm>) -> Result<VerifyingKey> {
        let (v, _, alg) = read_jwk(json, algorithm)?;
        match alg {
            Algorithm::HmacSha256 => Ok(VerifyingKey { algorithm: alg, key: Verifying::Hmac(hmac_key(&b64url(&v, "k")?)?) }),
            Algorithm::Ed25519 => public_from(alg, &b64url(&v, "x")?),
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => public_from(alg, &ec_point(&v)?),
            Algorithm::RsaPssSha512 | Algorithm::RsaV15Sha256 => public_from(alg, &rsa_public_pkcs1(&v)?),
        }
    }

    /// PEM when the text starts with `-----BEGIN`, else JWK.
    pub fn parse(algorithm: Option<Algorithm>, pem_or_jwk: &[u8]) -> Result<VerifyingKey> {
        if looks_like_pem(pem_or_jwk) {
            let alg = algorithm.ok_or_else(|| Error::invalid("name the algorithm for a PEM key"))?;
            VerifyingKey::from_pem(alg, pem_or_jwk)
        } else {
            VerifyingKey::from_jwk(pem_or_jwk, algorithm)
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// True when `signature` is valid for `message` (HMAC compared in constant time).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            Verifying::Hmac(k) => aws_lc_rs::hmac::verify(k, message, signature).is_ok(),
            Verifying::Public(k) => k.verify_sig(message, signature).is_ok(),
        }
    }
}
