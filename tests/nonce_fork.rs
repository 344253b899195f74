//! Nonces after `fork`: a child process must never send a nonce its parent sends too.
//! signwire draws nonce bytes from a per-thread pool of OS randomness; PHP-FPM and gunicorn
//! fork workers from a parent that may already have signed, so the child must refill.

use signwire::headers::{generate_nonce_into, MAX_NONCE_HEX_LEN};
use std::collections::HashSet;

fn nonce() -> String {
    let mut buf = [0u8; MAX_NONCE_HEX_LEN];
    generate_nonce_into(32, &mut buf).unwrap().to_string()
}

#[test]
fn child_after_fork_never_repeats_the_parents_nonces() {
    // Fill this thread's pool and use part of it, so the fork copies a half-used pool.
    let before: Vec<String> = (0..5).map(|_| nonce()).collect();
    let mut fds = [0i32; 2];
    // SAFETY: pipe writes two descriptors into a valid array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only draws nonces (no allocation on that path), writes them to the
    // pipe and leaves with _exit, never returning into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let mut out = [0u8; 32 * 50];
        for i in 0..50 {
            let mut buf = [0u8; MAX_NONCE_HEX_LEN];
            let ok = generate_nonce_into(32, &mut buf).is_ok();
            out[32 * i..32 * (i + 1)].copy_from_slice(if ok { &buf[..32] } else { &[b'!'; 32] });
        }
        // SAFETY: writes from a valid buffer, then leaves the child at once.
        unsafe {
            libc::write(fds[1], out.as_ptr().cast(), out.len());
            libc::_exit(0);
        }
    }
    // SAFETY: closes this process's copy of the write end.
    unsafe { libc::close(fds[1]) };
    let parent: HashSet<String> = (0..50).map(|_| nonce()).chain(before).collect();
    let mut got = vec![0u8; 32 * 50];
    let mut read = 0;
    while read < got.len() {
        // SAFETY: reads into the unread part of a valid buffer.
        let n = unsafe { libc::read(fds[0], got[read..].as_mut_ptr().cast(), got.len() - read) };
        assert!(n > 0, "child wrote {read} of {} bytes", got.len());
        read += n as usize;
    }
    let mut status = 0;
    // SAFETY: waits for the child this test forked.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    let child: Vec<String> = got.chunks(32).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    assert!(child.iter().all(|n| n.bytes().all(|b| b.is_ascii_hexdigit())), "child failed to draw a nonce");
    let child_set: HashSet<&String> = child.iter().collect();
    assert_eq!(child_set.len(), 50, "the child repeated a nonce");
    for n in &child {
        assert!(!parent.contains(n), "child and parent both sent nonce {n}");
    }
}

#[test]
fn nonces_are_distinct_across_pool_refills() {
    // 1 KiB pools hold 64 nonces of 16 bytes: 10,000 draws cross many refills.
    let all: HashSet<String> = (0..10_000).map(|_| nonce()).collect();
    assert_eq!(all.len(), 10_000);
}
