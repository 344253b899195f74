//! Secrets are wiped when their owners are dropped.
//!
//! A `Key` keeps no copy of the secret, only the HMAC states keyed with it: the hash state
//! after compressing `secret ^ ipad` and after `secret ^ opad`. Either one lets an attacker
//! forge MACs, so they are as secret as the secret. The keyring also keeps SHA-256(secret) as
//! a fingerprint.
//!
//! This test binary installs a global allocator that, while armed, looks into every heap block
//! as it is freed for those byte patterns. Reading freed memory is impossible in safe Rust;
//! reading a block in `dealloc`, just before it is returned, is the closest sound-in-practice
//! look at what a dropped value left behind. Controls prove that the patterns are the ones
//! really held in memory (found in a live key) and that the scanner sees a freed block that
//! still holds one.
//!
//! What this does not cover: copies a move leaves on the stack, and registers. Rust moves are
//! memcpys; signwire keeps keys behind handles and `Arc`s so they are not moved after keying.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;
use signwire::mac::{Algorithm, Backend, Key};

const MAX_PATTERNS: usize = 8;
const MAX_PATTERN_LEN: usize = 64;

struct Scanner;

static ARMED: AtomicBool = AtomicBool::new(false);
static PATTERN_COUNT: AtomicUsize = AtomicUsize::new(0);
static PATTERN_LENS: [AtomicUsize; MAX_PATTERNS] = [const { AtomicUsize::new(0) }; MAX_PATTERNS];
static PATTERNS: [[AtomicU8; MAX_PATTERN_LEN]; MAX_PATTERNS] =
    [const { [const { AtomicU8::new(0) }; MAX_PATTERN_LEN] }; MAX_PATTERNS];
static HITS: AtomicUsize = AtomicUsize::new(0);
/// Tests share the armed scanner: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Index of the first pattern found in `block`, if any. Allocation-free: it runs inside the
/// allocator.
fn find_pattern(block: &[u8]) -> Option<usize> {
    for p in 0..PATTERN_COUNT.load(SeqCst) {
        let len = PATTERN_LENS[p].load(SeqCst);
        if block.len() < len {
            continue;
        }
        let first = PATTERNS[p][0].load(SeqCst);
        'at: for start in 0..=block.len() - len {
            if block[start] != first {
                continue;
            }
            for i in 1..len {
                if block[start + i] != PATTERNS[p][i].load(SeqCst) {
                    continue 'at;
                }
            }
            return Some(p);
        }
    }
    None
}

// While `RECORDING` is set on a thread, the blocks that thread allocates (address, size) and
// has not yet freed: the control test reads a live Key's heap blocks through them (a Key
// holds its keyed state behind a Box, so its own bytes are a pointer). Per thread, because
// the test harness allocates on other threads meanwhile; a process-wide flag let those
// blocks race the Key's for a slot and lose its record (4 failures in 800 runs here, and a
// failed CI run).
thread_local! {
    // const-initialised and without Drop: reading it from inside the allocator allocates nothing.
    static RECORDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
const MAX_RECORDED: usize = 64;
static RECORDED: [(AtomicUsize, AtomicUsize); MAX_RECORDED] = [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; MAX_RECORDED];
static RECORD_OVERFLOW: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Scanner {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() && RECORDING.with(|r| r.get()) {
            // Claim a free slot atomically; running out is reported by `live_blocks_of`.
            match RECORDED.iter().find(|(p, _)| p.compare_exchange(0, ptr as usize, SeqCst, SeqCst).is_ok()) {
                Some(slot) => slot.1.store(layout.size(), SeqCst),
                None => RECORD_OVERFLOW.store(true, SeqCst),
            }
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        for (p, _) in &RECORDED {
            let _ = p.compare_exchange(ptr as usize, 0, SeqCst, SeqCst);
        }
        if ARMED.load(SeqCst) {
            // Volatile copies: the optimiser may not assume anything about a block being freed.
            let mut copy = [0u8; 4096];
            let len = layout.size().min(copy.len());
            for (i, c) in copy[..len].iter_mut().enumerate() {
                *c = std::ptr::read_volatile(ptr.add(i));
            }
            if find_pattern(&copy[..len]).is_some() {
                HITS.fetch_add(1, SeqCst);
            }
        }
        // Wipe every block once it has been scanned. Without this, a block that held a
        // pattern while the scanner was disarmed (the tests' own pattern vectors, the
        // control's deliberate leak) can come back as the uninitialised capacity of a later
        // allocation (a nonce-store shard, say) and be counted when *that* is freed: a false
        // positive that depended on test order. A real leak is still seen: the scan runs first.
        for i in 0..layout.size() {
            std::ptr::write_volatile(ptr.add(i), 0);
        }
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Scanner = Scanner;

const SECRET: &[u8] = b"zeroize-me: a secret that must not outlive its owner";

fn block_of<const N: usize>(secret: &[u8], pad: u8) -> [u8; N] {
    let mut b = [pad; N];
    for (d, s) in b.iter_mut().zip(secret) {
        *d = s ^ pad;
    }
    b
}

fn ne_bytes32(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// The in-memory words of the keyed inner and outer HMAC states for `secret` (at most one
/// block long, so it is used as is), as the hash crates hold them: native-endian state words.
fn keyed_states(algorithm: Algorithm, secret: &[u8]) -> Vec<Vec<u8>> {
    [0x36u8, 0x5c]
        .into_iter()
        .map(|pad| match algorithm {
            Algorithm::Sha1 => {
                let mut st: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
                sha1::block_api::compress(&mut st, &[block_of::<64>(secret, pad)]);
                ne_bytes32(&st)
            }
            Algorithm::Sha256 => {
                let mut st: [u32; 8] =
                    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
                sha2::block_api::compress256(&mut st, &[block_of::<64>(secret, pad)]);
                ne_bytes32(&st)
            }
            Algorithm::Sha512 => {
                let mut st: [u64; 8] = [
                    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
                ];
                sha2::block_api::compress512(&mut st, &[block_of::<128>(secret, pad)]);
                st.iter().flat_map(|w| w.to_ne_bytes()).collect()
            }
        })
        .collect()
}

/// Every pattern a secret may leave behind: keyed states of all three algorithms and the
/// keyring's SHA-256 fingerprint.
fn all_patterns(secret: &[u8]) -> Vec<Vec<u8>> {
    use sha2::Digest;
    let mut p: Vec<Vec<u8>> = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
        .into_iter()
        .flat_map(|a| keyed_states(a, secret))
        .collect();
    p.push(sha2::Sha256::digest(secret).to_vec());
    p
}

fn arm(patterns: &[Vec<u8>]) {
    assert!(patterns.len() <= MAX_PATTERNS);
    ARMED.store(false, SeqCst);
    for (p, pat) in patterns.iter().enumerate() {
        assert!(pat.len() <= MAX_PATTERN_LEN && pat.len() >= 16);
        for (i, b) in pat.iter().enumerate() {
            PATTERNS[p][i].store(*b, SeqCst);
        }
        PATTERN_LENS[p].store(pat.len(), SeqCst);
    }
    PATTERN_COUNT.store(patterns.len(), SeqCst);
    HITS.store(0, SeqCst);
    ARMED.store(true, SeqCst);
}

fn disarm() -> usize {
    ARMED.store(false, SeqCst);
    HITS.load(SeqCst)
}

/// `make()`, and the bytes of every heap block it allocated that is still live (the value's
/// own bytes included when it is boxed).
fn live_blocks_of<T>(make: impl FnOnce() -> T) -> (T, Vec<Vec<u8>>) {
    for (p, _) in &RECORDED {
        p.store(0, SeqCst);
    }
    RECORD_OVERFLOW.store(false, SeqCst);
    RECORDING.with(|r| r.set(true));
    let value = make();
    RECORDING.with(|r| r.set(false));
    assert!(!RECORD_OVERFLOW.load(SeqCst), "more than {MAX_RECORDED} live blocks: raise MAX_RECORDED");
    let blocks = RECORDED
        .iter()
        .filter_map(|(p, n)| {
            let (p, n) = (p.load(SeqCst), n.load(SeqCst));
            // SAFETY: a recorded block is unrecorded when freed, and `value` (which owns
            // the blocks recorded for it) is alive: each is n readable bytes.
            (p != 0).then(|| (0..n).map(|i| unsafe { std::ptr::read_volatile((p as *const u8).add(i)) }).collect())
        })
        .collect();
    (value, blocks)
}

fn every_algorithm_and_backend() -> Vec<(Algorithm, Backend)> {
    [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
        .into_iter()
        .flat_map(|a| [(a, Backend::RustCrypto), (a, Backend::AwsLc)])
        .collect()
}

#[test]
fn controls_the_patterns_are_live_in_keys_and_the_scanner_sees_them() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for (alg, backend) in every_algorithm_and_backend() {
        let (key, blocks) = live_blocks_of(|| Box::new(Key::with_backend(alg, SECRET, backend).unwrap()));
        for (i, pat) in keyed_states(alg, SECRET).iter().enumerate() {
            arm(std::slice::from_ref(pat));
            let found = blocks.iter().find_map(|b| find_pattern(b));
            disarm();
            assert_eq!(found, Some(0), "{alg:?} on {backend:?}: keyed state {i} not found in a live Key: the pattern is wrong");
        }
        drop(blocks);
        drop(key);
    }
    // A freed block that still holds a pattern is reported.
    let pats = all_patterns(SECRET);
    arm(&pats);
    let leaky: Vec<u8> = pats[3].clone();
    drop(leaky);
    assert_eq!(disarm(), 1, "the scanner missed a freed block holding the pattern");
}

#[test]
fn a_dropped_key_leaves_no_keyed_state() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for (alg, backend) in every_algorithm_and_backend() {
        let key = Box::new(Key::with_backend(alg, SECRET, backend).unwrap());
        let _ = key.sign(b"use it once");
        // The patterns themselves live until the scanner is disarmed (freeing them would count).
        let pats = all_patterns(SECRET);
        arm(&pats);
        drop(key);
        assert_eq!(disarm(), 0, "a dropped {alg:?} Key on {backend:?} left its keyed HMAC state in freed memory");
    }
}

#[test]
fn keyring_retire_and_verifier_drop_leave_nothing() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let v = signwire::Verifier::new(signwire::Scheme::load("hopnow").unwrap());
    v.keyring().add_secret("k1", SECRET).unwrap();
    v.keyring().add_secret("k2", SECRET).unwrap();
    let pats = all_patterns(SECRET);
    arm(&pats);
    assert!(v.keyring().retire_secret("k1", SECRET).unwrap());
    drop(v);
    assert_eq!(disarm(), 0, "a retired secret or a dropped verifier left key material in freed memory");
}

#[test]
fn signer_drop_leaves_nothing() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let s = Box::new(signwire::Signer::new(signwire::Scheme::load("hopnow").unwrap(), "k1", SECRET).unwrap());
    let _ = s.sign_at(&signwire::Request::new("GET", "/", b""), 1, "00112233445566778899aabbccddeeff").unwrap();
    let pats = all_patterns(SECRET);
    arm(&pats);
    drop(s);
    assert_eq!(disarm(), 0, "a dropped Signer left key material in freed memory");
}

#[test]
fn c_abi_free_functions_wipe_their_handles() {
    use signwire::ffi::{mac::*, scheme::*, signer::*, verifier::*};
    use std::ffi::c_char;
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let secret = SECRET.as_ptr() as *const c_char;
    unsafe {
        let mut scheme = std::ptr::null_mut();
        assert_eq!(signwire_scheme_new(c"hopnow".as_ptr(), &mut scheme) as i32, 0);
        let mut signer = std::ptr::null_mut();
        assert_eq!(signwire_signer_new(scheme, c"k1".as_ptr(), secret, SECRET.len(), &mut signer) as i32, 0);
        let mut verifier = std::ptr::null_mut();
        assert_eq!(signwire_verifier_new(scheme, &mut verifier) as i32, 0);
        assert_eq!(signwire_verifier_add_secret(verifier, c"k1".as_ptr(), secret, SECRET.len()) as i32, 0);
        let mut keys = [std::ptr::null_mut(); 3];
        for (alg, key) in (1..=3).zip(keys.iter_mut()) {
            assert_eq!(signwire_hmac_key_new(alg, secret, SECRET.len(), key) as i32, 0);
        }
        let pats = all_patterns(SECRET);
        arm(&pats);
        signwire_signer_free(signer);
        signwire_verifier_free(verifier);
        for key in keys {
            signwire_hmac_key_free(key);
        }
        assert_eq!(disarm(), 0, "a freed C handle left key material in freed memory");
        signwire_scheme_free(scheme);
    }
}
