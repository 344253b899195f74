//! Key ids and their active secrets, changeable at runtime for rotation.
//!
//! A key id may hold several secrets at once: during a rotation the server accepts both the
//! old and the new one until every client has moved. Changes are thread-safe and take
//! effect for the next verification, without rebuilding the verifier.
//!
//! ```
//! use signwire::keyring::Keyring;
//! use signwire::mac::Algorithm;
//! let ring = Keyring::new(Algorithm::Sha256);
//! ring.add_secret("k1", b"old-secret").unwrap();
//! ring.add_secret("k1", b"new-secret").unwrap();
//! assert_eq!(ring.secret_count("k1"), 2);
//! assert!(ring.retire_secret("k1", b"old-secret").unwrap());
//! assert_eq!(ring.secret_count("k1"), 1);
//! ```

use crate::error::{Error, Result, Status};
use crate::mac::{Algorithm, Key};
use sha2::Digest;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Longest key id accepted, in bytes.
pub const MAX_KEY_ID_LEN: usize = 256;
/// Most secrets one key id may hold at once.
pub const MAX_SECRETS_PER_KEY: usize = 8;

/// One active secret: its keyed MAC state and a SHA-256 fingerprint used only to find it
/// again when it is retired.
struct Secret {
    key: Key,
    fingerprint: [u8; 32],
    // Unique for the process's lifetime (never reused, unlike an address), so caches of keys
    // derived from this secret (AWS SigV4 signing keys) cannot outlive a retirement.
    id: u64,
}

static NEXT_SECRET_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Drop for Secret {
    fn drop(&mut self) {
        self.fingerprint.zeroize();
    }
}

/// How a configured secret becomes MAC key bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecretFormat {
    /// The bytes as given.
    #[default]
    Raw,
    /// Standard Webhooks: `whsec_` (optional) then standard base64 of the key bytes.
    WhsecBase64,
    /// AWS SigV4: the secret access key as given; the MAC key is `AWS4` + secret (kSecret).
    Aws4,
}

impl SecretFormat {
    /// The key bytes of `secret` in this format (wiped on drop).
    ///
    /// ```
    /// use signwire::keyring::SecretFormat;
    /// assert_eq!(&*SecretFormat::WhsecBase64.decode(b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
    ///            &[0x31, 0xf2, 0x90, 0xf6, 0xbf, 0x06, 0x29, 0x8a, 0xab, 0x4f, 0x08, 0xd4, 0x3c, 0x3f, 0x08, 0x2c,
    ///              0xf6, 0x48, 0xa3, 0x62, 0xda, 0x2d, 0xa4, 0xb0]);
    /// ```
    pub fn decode(self, secret: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        self.check_len(secret)?;
        match self {
            SecretFormat::Raw => Ok(zeroize::Zeroizing::new(secret.to_vec())),
            SecretFormat::Aws4 => {
                if secret.is_empty() {
                    return Err(Error::invalid("secret is empty"));
                }
                let mut k = zeroize::Zeroizing::new(Vec::with_capacity(4 + secret.len()));
                k.extend_from_slice(b"AWS4");
                k.extend_from_slice(secret);
                Ok(k)
            }
            SecretFormat::WhsecBase64 => {
                use base64::Engine;
                let b64 = secret.strip_prefix(b"whsec_").unwrap_or(secret);
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map(zeroize::Zeroizing::new)
                    .map_err(|_| Error::invalid("secret must be whsec_ followed by base64 (as Standard Webhooks issues them)"))
            }
        }
    }
}

impl SecretFormat {
    /// Refuses a secret whose encoding is longer than any key within `MAX_SECRET_LEN` can
    /// be, before it is decoded or hashed.
    fn check_len(self, secret: &[u8]) -> Result<()> {
        let max = match self {
            SecretFormat::Raw => crate::mac::MAX_SECRET_LEN,
            // `AWS4` is prepended: the key stays within the limit.
            SecretFormat::Aws4 => crate::mac::MAX_SECRET_LEN - "AWS4".len(),
            SecretFormat::WhsecBase64 => "whsec_".len() + crate::mac::MAX_SECRET_LEN.div_ceil(3) * 4,
        };
        if secret.len() > max {
            return Err(Error::new(Status::InputTooLarge, format!("secret is over {} bytes", crate::mac::MAX_SECRET_LEN)));
        }
        Ok(())
    }
}

/// Key id → active secrets.
pub struct Keyring {
    algorithm: Algorithm,
    format: SecretFormat,
    keys: RwLock<HashMap<String, Arc<Vec<Arc<Secret>>>, BuildHasherDefault<KeyIdHasher>>>,
}

/// FNV-1a over the key id. The map holds only key ids the operator configured, so a
/// client's key id can cost its hash and a probe, never a flood of collisions: SipHash's
/// protection is for maps that attackers fill. It took a tenth of the verify overhead.
#[derive(Default)]
struct KeyIdHasher(u64);

impl Hasher for KeyIdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The active keys of one key id at one instant (a cheap snapshot).
pub struct ActiveKeys(Arc<Vec<Arc<Secret>>>);

impl ActiveKeys {
    /// The keyed MAC states, in the order they were added.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.0.iter().map(|s| &s.key)
    }

    /// The keyed MAC states with an id unique to each added secret (for derived-key caches).
    pub fn entries(&self) -> impl Iterator<Item = (u64, &Key)> {
        self.0.iter().map(|s| (s.id, &s.key))
    }
}

/// A key id must be non-empty printable ASCII without spaces (it travels in a header).
pub fn check_key_id(key_id: &str) -> Result<()> {
    if key_id.is_empty() {
        return Err(Error::invalid("key id is empty"));
    }
    if key_id.len() > MAX_KEY_ID_LEN {
        return Err(Error::new(Status::InputTooLarge, format!("key id is longer than {MAX_KEY_ID_LEN} bytes")));
    }
    if !key_id.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(Error::invalid("key id must be printable ASCII without spaces"));
    }
    Ok(())
}

fn fingerprint(secret: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(secret).into()
}

impl Keyring {
    /// An empty keyring for one MAC algorithm.
    pub fn new(algorithm: Algorithm) -> Keyring {
        Keyring::with_format(algorithm, SecretFormat::Raw)
    }

    /// An empty keyring whose secrets are given in `format`.
    pub fn with_format(algorithm: Algorithm, format: SecretFormat) -> Keyring {
        Keyring { algorithm, format, keys: RwLock::new(HashMap::default()) }
    }

    /// Every key id with its active secrets (for schemes whose requests carry no key id).
    pub fn all(&self) -> Result<Vec<(String, ActiveKeys)>> {
        let map = self.keys.read().map_err(|_| Self::poisoned())?;
        let mut v: Vec<_> = map.iter().map(|(k, s)| (k.clone(), ActiveKeys(s.clone()))).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(v)
    }

    fn poisoned() -> Error {
        Error::new(Status::Internal, "keyring lock poisoned")
    }

    /// Add a secret to a key id (creating the key id). Adding a secret that is already
    /// active is a no-op.
    pub fn add_secret(&self, key_id: &str, secret: &[u8]) -> Result<()> {
        check_key_id(key_id)?;
        let decoded = self.format.decode(secret)?;
        let secret = &decoded[..];
        let new = Arc::new(Secret {
            key: Key::new(self.algorithm, secret)?,
            fingerprint: fingerprint(secret),
            id: NEXT_SECRET_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        });
        let mut map = self.keys.write().map_err(|_| Self::poisoned())?;
        let current = map.get(key_id).cloned().unwrap_or_default();
        if current.iter().any(|s| bool::from(s.fingerprint.ct_eq(&new.fingerprint))) {
            return Ok(());
        }
        if current.len() >= MAX_SECRETS_PER_KEY {
            return Err(Error::invalid(format!("key id {key_id} already holds {MAX_SECRETS_PER_KEY} secrets; retire one first")));
        }
        let mut next = (*current).clone();
        next.push(new);
        map.insert(key_id.to_string(), Arc::new(next));
        Ok(())
    }

    /// Retire one secret of a key id; the key id disappears with its last secret.
    /// Returns whether the secret was active.
    pub fn retire_secret(&self, key_id: &str, secret: &[u8]) -> Result<bool> {
        // Limits before any hashing or decoding: nothing over them was ever added.
        if key_id.len() > MAX_KEY_ID_LEN {
            return Ok(false);
        }
        self.format.check_len(secret)?;
        let fp = fingerprint(&self.format.decode(secret)?);
        let mut map = self.keys.write().map_err(|_| Self::poisoned())?;
        let Some(current) = map.get(key_id).cloned() else { return Ok(false) };
        let next: Vec<_> = current.iter().filter(|s| !bool::from(s.fingerprint.ct_eq(&fp))).cloned().collect();
        let removed = next.len() != current.len();
        if next.is_empty() {
            map.remove(key_id);
        } else {
            map.insert(key_id.to_string(), Arc::new(next));
        }
        Ok(removed)
    }

    /// Remove a key id and all its secrets. Returns whether it existed.
    pub fn remove_key(&self, key_id: &str) -> Result<bool> {
        Ok(self.keys.write().map_err(|_| Self::poisoned())?.remove(key_id).is_some())
    }

    /// The active secrets of a key id, if known.
    pub fn get(&self, key_id: &str) -> Result<Option<ActiveKeys>> {
        Ok(self.keys.read().map_err(|_| Self::poisoned())?.get(key_id).cloned().map(ActiveKeys))
    }

    /// How many secrets a key id holds (0 if unknown).
    pub fn secret_count(&self, key_id: &str) -> usize {
        self.keys.read().map(|m| m.get(key_id).map_or(0, |v| v.len())).unwrap_or(0)
    }

    /// The MAC algorithm of every key.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.keys.read().map(|m| m.len()).unwrap_or(0);
        write!(f, "Keyring({}, {n} key ids, <secrets>)", self.algorithm.name())
    }
}
