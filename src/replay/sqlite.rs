//! Nonce store in one SQLite file, shared by every process on a host (PHP-FPM workers,
//! gunicorn workers, several services).
//!
//! The table has a primary key on (key id, nonce), so "insert if absent" is one statement,
//! and SQLite serialises writers: of any number of processes inserting the same nonce, one
//! changes a row (fresh) and the others change none (replayed). An expired row is taken
//! over by the same statement. The file is in WAL mode, so readers never wait and a writer
//! holds the lock for one short statement; a writer that finds it taken waits up to the
//! busy timeout, then the check fails closed with `NONCE_STORE_UNAVAILABLE`.
//!
//! Expired rows are deleted in small batches (a few hundred rows per transaction, at most
//! every 30 s per process), so pruning never holds the write lock long enough to stall
//! verifiers.
//!
//! A connection is never used across `fork()`: a process that finds itself with a
//! connection opened by its parent (PHP-FPM and gunicorn `--preload` fork after loading)
//! opens its own.
//!
//! ```
//! use signwire::replay::{NonceCheck, NonceStore, SqliteStore};
//! use std::time::Duration;
//! let path = std::env::temp_dir().join(format!("signwire-doc-{}.db", std::process::id()));
//! let store = SqliteStore::open(&path, Duration::from_secs(2)).unwrap();
//! let ttl = Duration::from_secs(360);
//! assert_eq!(store.check_and_record("k1", "00ff", ttl).unwrap(), NonceCheck::Fresh);
//! // Another connection to the same file — another process, in real life — sees it.
//! let other = SqliteStore::open(&path, Duration::from_secs(2)).unwrap();
//! assert_eq!(other.check_and_record("k1", "00ff", ttl).unwrap(), NonceCheck::Replayed);
//! # drop((store, other));
//! # for ext in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{ext}", path.display())); }
//! ```

use super::{NonceCheck, NonceStore};
use crate::error::{Error, Result, Status};
use crate::headers::unix_now;
use rusqlite::{params, Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Seconds between prune passes of one store.
const PRUNE_INTERVAL: i64 = 30;
/// Rows deleted per prune transaction.
const PRUNE_BATCH: usize = 500;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS signwire_nonces (
    key_id     TEXT    NOT NULL,
    nonce      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL, -- unix seconds; the row is live while now < expires_at
    PRIMARY KEY (key_id, nonce)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signwire_nonces_expires_at ON signwire_nonces (expires_at);
";

const RECORD: &str = "
INSERT INTO signwire_nonces (key_id, nonce, expires_at) VALUES (?1, ?2, ?3)
ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at
WHERE signwire_nonces.expires_at <= ?4";

const PRUNE: &str = "
DELETE FROM signwire_nonces WHERE (key_id, nonce) IN
    (SELECT key_id, nonce FROM signwire_nonces WHERE expires_at <= ?1 LIMIT ?2)";

/// A nonce store in an SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    busy_timeout: Duration,
    /// The connection and the process that opened it.
    conn: Mutex<Option<(u32, Connection)>>,
    last_prune: AtomicI64,
}

fn unavailable(path: &Path, what: &str, e: &rusqlite::Error) -> Error {
    let why = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => "the database stayed locked past the busy timeout".to_string(),
        Some(ErrorCode::ReadOnly) => "the database is read-only".to_string(),
        Some(ErrorCode::CannotOpen) => "the file cannot be opened (does the directory exist, and may this process write to it?)".to_string(),
        _ => e.to_string(),
    };
    Error::new(Status::NonceStoreUnavailable, format!("sqlite nonce store {}: {what}: {why}", path.display()))
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked))
}

/// The per-host store file (`host://`): `$TMPDIR/signwire-<euid>/nonces.db`, shared by every
/// process of this user on this host (PHP-FPM and pre-fork workers: the default store there).
/// The directory is created 0700 and must be a real directory owned by this user with no
/// group or other access: another local user who pre-created it could read or delete the
/// nonces (and so allow replays). Anything else is a configuration error.
pub(crate) fn per_host_path() -> Result<std::path::PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let dir = std::env::temp_dir().join(format!("signwire-{uid}"));
    let refuse = |why: String| Error::invalid(format!("per-host nonce store directory {}: {why}", dir.display()));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(refuse(format!("cannot create it: {e}"))),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(|e| refuse(e.to_string()))?;
    if !meta.file_type().is_dir() {
        return Err(refuse("is not a directory (a symlink or file is refused)".into()));
    }
    if meta.uid() != uid {
        return Err(refuse(format!("is owned by uid {}, not this user ({uid}); remove it or name a store", meta.uid())));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(refuse(format!("has mode {:o}; it must be 0700", meta.mode() & 0o777)));
    }
    Ok(dir.join("nonces.db"))
}

impl SqliteStore {
    /// Open (creating if needed) the store file, switch it to WAL and create the table.
    /// Fails with `NONCE_STORE_UNAVAILABLE` when the file cannot be opened for writing.
    pub fn open(path: impl AsRef<Path>, busy_timeout: Duration) -> Result<SqliteStore> {
        let store = SqliteStore {
            path: path.as_ref().to_path_buf(),
            busy_timeout,
            conn: Mutex::new(None),
            last_prune: AtomicI64::new(unix_now()),
        };
        let conn = store.connect()?;
        *store.conn.lock().map_err(|_| poisoned())? = Some((std::process::id(), conn));
        Ok(store)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connect(&self) -> Result<Connection> {
        // No SQLITE_OPEN_URI: the path is a path, even if it starts with "file:".
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| unavailable(&self.path, "open", &e))?;
        conn.busy_timeout(self.busy_timeout).map_err(|e| unavailable(&self.path, "busy timeout", &e))?;
        // Switching to WAL takes an exclusive lock, and SQLite does not always call the busy
        // handler for it: when many workers open a new file at once, retry until the timeout.
        let deadline = Instant::now() + self.busy_timeout;
        loop {
            let r = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get::<_, String>(0)).and_then(|mode| {
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn.execute_batch(SCHEMA)?;
                Ok(mode)
            });
            match r {
                // e.g. a file system without shared memory: never run silently without WAL.
                Ok(mode) if !mode.eq_ignore_ascii_case("wal") => {
                    return Err(Error::new(
                        Status::NonceStoreUnavailable,
                        format!("sqlite nonce store {}: journal_mode is {mode}; WAL is required", self.path.display()),
                    ))
                }
                Ok(_) => break,
                Err(e) if is_busy(&e) && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(unavailable(&self.path, "initialise", &e)),
            }
        }
        Ok(conn)
    }

    /// Delete one batch of expired rows; another batch follows soon if this one was full.
    fn prune(&self, conn: &Connection, now: i64) {
        let last = self.last_prune.load(Ordering::Relaxed);
        if now - last < PRUNE_INTERVAL || self.last_prune.compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed).is_err() {
            return;
        }
        let deleted = conn.prepare_cached(PRUNE).and_then(|mut s| s.execute(params![now, PRUNE_BATCH as i64]));
        // A failed or partial prune changes nothing for correctness (expired rows are
        // ignored by the insert); a full batch means more remain, so try again next call.
        if !matches!(deleted, Ok(n) if n < PRUNE_BATCH) {
            self.last_prune.store(now - PRUNE_INTERVAL, Ordering::Relaxed);
        }
    }
}

fn poisoned() -> Error {
    Error::new(Status::NonceStoreUnavailable, "sqlite nonce store lock poisoned")
}

impl NonceStore for SqliteStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck> {
        let mut guard = self.conn.lock().map_err(|_| poisoned())?;
        let pid = std::process::id();
        if let Some((owner, _)) = guard.as_ref() {
            if *owner != pid {
                // Opened by the parent before fork(): closing it here could disturb the
                // parent's locks, so leak it and open our own.
                if let Some((_, inherited)) = guard.take() {
                    std::mem::forget(inherited);
                }
            }
        }
        if guard.is_none() {
            *guard = Some((pid, self.connect()?));
        }
        let Some((_, conn)) = guard.as_ref() else { return Err(poisoned()) };
        let now = unix_now();
        let ttl_secs = ttl.as_secs().saturating_add(u64::from(ttl.subsec_nanos() > 0)).saturating_add(1);
        let expires_at = now.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX));
        let changed = conn.prepare_cached(RECORD).and_then(|mut s| s.execute(params![key_id, nonce, expires_at, now]));
        match changed {
            Ok(n) => {
                self.prune(conn, now);
                Ok(if n == 1 { NonceCheck::Fresh } else { NonceCheck::Replayed })
            }
            Err(e) => {
                let err = unavailable(&self.path, "record nonce", &e);
                if !is_busy(&e) {
                    // The file may have been replaced or broken: reopen on the next call.
                    *guard = None;
                }
                Err(err)
            }
        }
    }

    fn describe(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("signwire-unit-{}-{name}.db", std::process::id()));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
        }
        p
    }

    #[test]
    fn fresh_replayed_and_expired_rows_taken_over() {
        let p = temp_db("basic");
        let s = SqliteStore::open(&p, Duration::from_secs(1)).unwrap();
        assert_eq!(s.check_and_record("k", "n1", Duration::from_secs(60)).unwrap(), NonceCheck::Fresh);
        assert_eq!(s.check_and_record("k", "n1", Duration::from_secs(60)).unwrap(), NonceCheck::Replayed);
        assert_eq!(s.check_and_record("k2", "n1", Duration::from_secs(60)).unwrap(), NonceCheck::Fresh);
        // Age a row by hand: it is fresh again, and the takeover is recorded.
        let c = Connection::open(&p).unwrap();
        c.execute("UPDATE signwire_nonces SET expires_at = 1 WHERE nonce = 'n1' AND key_id = 'k'", []).unwrap();
        assert_eq!(s.check_and_record("k", "n1", Duration::from_secs(60)).unwrap(), NonceCheck::Fresh);
        assert_eq!(s.check_and_record("k", "n1", Duration::from_secs(60)).unwrap(), NonceCheck::Replayed);
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn expired_rows_are_pruned_in_batches() {
        let p = temp_db("prune");
        let s = SqliteStore::open(&p, Duration::from_secs(1)).unwrap();
        let c = Connection::open(&p).unwrap();
        c.execute_batch("BEGIN").unwrap();
        for i in 0..1200 {
            c.execute("INSERT INTO signwire_nonces VALUES ('old', ?1, 5)", params![format!("{i}")]).unwrap();
        }
        c.execute_batch("COMMIT").unwrap();
        let count = || c.query_row("SELECT count(*) FROM signwire_nonces", [], |r| r.get::<_, i64>(0)).unwrap();
        s.last_prune.store(0, Ordering::Relaxed);
        s.check_and_record("k", "a", Duration::from_secs(60)).unwrap();
        assert_eq!(count(), 1201 - 500, "one batch per call");
        s.check_and_record("k", "b", Duration::from_secs(60)).unwrap();
        s.check_and_record("k", "c", Duration::from_secs(60)).unwrap();
        assert_eq!(count(), 3, "live rows stay");
    }

    #[test]
    fn locked_file_fails_closed_then_recovers() {
        let p = temp_db("locked");
        let s = SqliteStore::open(&p, Duration::from_millis(100)).unwrap();
        let c = Connection::open(&p).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        let e = s.check_and_record("k", "n", Duration::from_secs(60)).unwrap_err();
        assert_eq!(e.status(), Status::NonceStoreUnavailable);
        assert!(e.message().contains("locked"), "{}", e.message());
        c.execute_batch("ROLLBACK").unwrap();
        assert_eq!(s.check_and_record("k", "n", Duration::from_secs(60)).unwrap(), NonceCheck::Fresh);
    }

    #[test]
    fn missing_directory_is_unavailable() {
        let e = SqliteStore::open("/nonexistent-signwire-dir/x.db", Duration::from_millis(10)).err().unwrap();
        assert_eq!(e.status(), Status::NonceStoreUnavailable);
    }
}
