//! The C ABI. The only `unsafe` in signwire lives here.
//!
//! Every function converts its arguments, calls the Rust API, and converts the result. Each
//! body runs inside [`boundary`]: NULL pointers and invalid UTF-8 become status codes, a
//! panic becomes `SIGNWIRE_ERR_INTERNAL`, and nothing unwinds into C. The message of the
//! last failure on the calling thread is kept for `signwire_last_error_message()`.
//!
//! Outputs go to caller buffers: `out` with capacity `out_cap`, and `*written` receives the
//! length written (excluding the terminating NUL, which is always written). When the buffer
//! is too small the call returns `SIGNWIRE_ERR_BUFFER_TOO_SMALL` and `*written` receives the
//! capacity needed (including the NUL).
#![allow(non_camel_case_types, clippy::missing_safety_doc, missing_docs)]

pub mod diagnostics;
pub mod epintower;
pub mod mac;
pub mod policy;
pub mod replay;
pub mod scheme;
pub mod seal;
pub mod signer;
pub mod status;
pub mod verifier;

use crate::error::{Error, Result, Status};
use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use status::signwire_status;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(message: &str) {
    // Interior NULs cannot be represented; they never occur in signwire's own messages.
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// Run one FFI body: map its error to a status, record the message, catch panics.
pub(crate) fn boundary(f: impl FnOnce() -> Result<()>) -> signwire_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => {
            LAST_ERROR.with(|e| {
                if !e.borrow().as_bytes().is_empty() {
                    *e.borrow_mut() = CString::default();
                }
            });
            signwire_status::SIGNWIRE_OK
        }
        Ok(Err(err)) => {
            set_last_error(err.message());
            err.status().into()
        }
        Err(_) => {
            set_last_error("internal error: a panic was caught at the C boundary (please report it)");
            signwire_status::SIGNWIRE_ERR_INTERNAL
        }
    }
}

fn null(name: &str) -> Error {
    Error::new(Status::NullPointer, format!("{name} is NULL"))
}

/// A required NUL-terminated UTF-8 argument.
///
/// At most [`MAX_TEXT_ARG_LEN`] bytes are scanned for the terminator (`strnlen`, not
/// `strlen`): a huge or unterminated argument costs a bounded amount of work before it is
/// refused, and each argument's own, smaller limit is checked by the core.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(null(name));
    }
    let len = libc::strnlen(ptr, MAX_TEXT_ARG_LEN + 1);
    if len > MAX_TEXT_ARG_LEN {
        return Err(Error::new(Status::InputTooLarge, format!("{name} is longer than {MAX_TEXT_ARG_LEN} bytes")));
    }
    std::str::from_utf8(std::slice::from_raw_parts(ptr as *const u8, len))
        .map_err(|_| Error::new(Status::InvalidUtf8, format!("{name} is not valid UTF-8")))
}

/// Longest NUL-terminated text argument the C ABI reads (1 MiB); larger ones are
/// `SIGNWIRE_ERR_INPUT_TOO_LARGE`. Every text input has a smaller limit of its own (the
/// header block's 256 KiB is the largest); this one bounds the scan for the terminator.
pub(crate) const MAX_TEXT_ARG_LEN: usize = 1024 * 1024;

/// An optional NUL-terminated UTF-8 argument (NULL means absent).
pub(crate) unsafe fn opt_text<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        text(ptr, name).map(Some)
    }
}

/// A byte buffer; NULL is allowed only with length 0.
pub(crate) unsafe fn bytes<'a>(ptr: *const c_char, len: usize, name: &str) -> Result<&'a [u8]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::new(Status::NullPointer, format!("{name} is NULL but its length is {len}")));
    }
    if len > isize::MAX as usize {
        return Err(Error::new(Status::InputTooLarge, format!("{name} length is out of range")));
    }
    Ok(std::slice::from_raw_parts(ptr as *const u8, len))
}

/// A handle argument.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    ptr.as_ref().ok_or_else(|| null(name))
}

/// A mutable handle argument.
pub(crate) unsafe fn handle_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T> {
    ptr.as_mut().ok_or_else(|| null(name))
}

/// Check an output-buffer triple before any work, so a NULL `written` is caught early.
pub(crate) unsafe fn check_out(out: *mut c_char, written: *mut usize) -> Result<()> {
    if written.is_null() {
        return Err(null("written"));
    }
    *written = 0;
    if out.is_null() {
        return Err(null("out"));
    }
    Ok(())
}

/// Copy `data` plus a NUL into the caller's buffer.
pub(crate) unsafe fn write_out(data: &[u8], out: *mut c_char, out_cap: usize, written: *mut usize) -> Result<()> {
    check_out(out, written)?;
    check_capacity(data.len() + 1, out_cap, written)?;
    std::ptr::copy_nonoverlapping(data.as_ptr(), out as *mut u8, data.len());
    *out.add(data.len()) = 0;
    *written = data.len();
    Ok(())
}

/// `BufferTooSmall`, with `*written` set to `needed`, when `out_cap` is under `needed` bytes
/// (NUL included): every output writer reports a short buffer the same way, writing nothing.
pub(crate) unsafe fn check_capacity(needed: usize, out_cap: usize, written: *mut usize) -> Result<()> {
    if out_cap < needed {
        *written = needed;
        return Err(Error::new(
            Status::BufferTooSmall,
            format!("output buffer holds {out_cap} bytes, {needed} are needed (including the NUL)"),
        ));
    }
    Ok(())
}

/// Store a new handle in `*out` (which is set to NULL first, so it is NULL on any failure).
pub(crate) unsafe fn put_handle<T>(out: *mut *mut T, value: Result<T>) -> Result<()> {
    let v = value?;
    *out = Box::into_raw(Box::new(v));
    Ok(())
}

pub(crate) unsafe fn check_handle_out<T>(out: *mut *mut T) -> Result<()> {
    if out.is_null() {
        return Err(null("out"));
    }
    *out = std::ptr::null_mut();
    Ok(())
}

/// Free a handle made by [`put_handle`]; NULL is accepted.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ptr))));
    }
}
