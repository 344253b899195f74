//! bcrypt through libxcrypt's `crypt_rn` (Linux with glibc; build.rs selects it).
//!
//! libxcrypt carries Openwall's crypt_blowfish, the C code PHP's `password_hash` runs: at
//! cost 10 it is about 15% faster than the `bcrypt` crate's eksblowfish on the same machine
//! (docs/PERFORMANCE.md), and it is PHP's behaviour byte for byte for `$2y$`, `$2b$` and
//! `$2a$`. libcrypt1 is Priority: required on Debian and Ubuntu, so it is on every such
//! host. The callers in `bcrypt.rs` check the 72-byte and NUL rules, the cost bounds and
//! the hash's shape first; this module only runs the function and wipes its scratch space.

use crate::error::{Error, Result};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use zeroize::Zeroizing;

/// `sizeof(struct crypt_data)` in libxcrypt 4.x; `crypt_rn` refuses a smaller buffer.
const CRYPT_DATA_SIZE: usize = 32768;

#[link(name = "crypt")]
extern "C" {
    fn crypt_rn(phrase: *const c_char, setting: *const c_char, data: *mut c_void, size: c_int) -> *mut c_char;
}

/// `crypt(password, setting)`: the 60-character hash, or `None` when libxcrypt refuses the
/// setting. `setting` is a whole bcrypt hash or its first 29 characters (`$2y$10$` and 22
/// salt characters).
pub(crate) fn crypt(password: &[u8], setting: &str) -> Result<Option<String>> {
    let phrase = Zeroizing::new(
        CString::new(password).map_err(|_| Error::invalid("bcrypt input contains a NUL byte"))?.into_bytes_with_nul(),
    );
    let setting = CString::new(setting).map_err(|_| Error::invalid("bcrypt setting contains a NUL byte"))?;
    // Zeroed before use, as crypt_rn requires; wiped after, as it held the key schedule.
    let mut data = Zeroizing::new(vec![0u8; CRYPT_DATA_SIZE]);
    let size = c_int::try_from(CRYPT_DATA_SIZE).unwrap_or(c_int::MAX);
    // SAFETY: phrase and setting are NUL-terminated and outlive the call; data is a writable
    // buffer of `size` bytes that crypt_rn uses as its struct crypt_data. A non-NULL result
    // points into data at a NUL-terminated string, copied out below before data is dropped.
    let out = unsafe { crypt_rn(phrase.as_ptr().cast(), setting.as_ptr(), data.as_mut_ptr().cast(), size) };
    if out.is_null() {
        return Ok(None);
    }
    // SAFETY: see above.
    let hash = unsafe { CStr::from_ptr(out) }.to_str().ok().map(str::to_owned);
    // crypt_blowfish reports failure as a short string starting with '*' ("*0", "*1").
    Ok(hash.filter(|h| h.len() == 60 && h.starts_with("$2")))
}
