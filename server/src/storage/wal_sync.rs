//! Group commit for SQLite: a write is reported only once the write-ahead log that holds
//! its commit is on disk, and one `fsync` covers every commit made while the last one ran.
//!
//! SQLite's `synchronous=FULL` syncs the log inside every commit, while the writer still
//! holds the database's only write lock: the next writer waits for the disk too. Here
//! the connections run `synchronous=NORMAL` (a commit writes its log frames, and the log
//! is synced before each checkpoint and the database after it), the write lock is let go
//! as soon as the commit returns, and the committer then waits for [`WalSync`], which
//! syncs the log file once for all the commits that queued while the last sync ran.
//! A commit already checkpointed into the database file is durable too: a checkpoint
//! syncs the database before the log is reused.
//!
//! Readers may see a commit a few hundred microseconds before it is on disk; its writer
//! has not been told yet, and a power cut in between loses it as if it never happened.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use app::storage::StorageError;
use tokio::sync::{watch, Notify};

/// Syncs one database's write-ahead log on behalf of its committers.
pub struct WalSync {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    /// `<database>-wal`: opened for each sync, so a log SQLite removed and made again is
    /// never synced through a stale handle.
    wal: PathBuf,
    /// Commits counted so far.
    committed: AtomicU64,
    /// Syncs done, for the tests.
    syncs: AtomicU64,
    wake: Notify,
    /// The last commit count a sync covered, and whether any sync failed. A failure
    /// fails every later write too: after a failed `fsync` the kernel may have dropped
    /// the pages, and nothing written since can be trusted to reach the disk.
    synced: watch::Sender<Synced>,
}

#[derive(Clone, Copy)]
struct Synced {
    upto: u64,
    failed: bool,
}

impl WalSync {
    /// Starts the syncing task for the database file `database`.
    pub fn start(database: PathBuf) -> WalSync {
        let mut wal = database.into_os_string();
        wal.push("-wal");
        let shared = Arc::new(Shared {
            wal: PathBuf::from(wal),
            committed: AtomicU64::new(0),
            syncs: AtomicU64::new(0),
            wake: Notify::new(),
            synced: watch::Sender::new(Synced {
                upto: 0,
                failed: false,
            }),
        });
        let task = tokio::spawn(run(shared.clone()));
        WalSync { shared, task }
    }

    /// Returns once a sync that began after this call has put the log on disk: call it
    /// after a commit returned (and after letting go of the write lock).
    pub async fn committed(&self) -> Result<(), StorageError> {
        let mine = self.shared.committed.fetch_add(1, Ordering::SeqCst) + 1;
        self.shared.wake.notify_one();
        let mut synced = self.shared.synced.subscribe();
        let outcome = synced
            .wait_for(|s| s.upto >= mine || s.failed)
            .await
            .map(|s| *s)
            .map_err(|_| StorageError::Backend("the log syncing task has stopped".into()))?;
        if outcome.failed {
            return Err(StorageError::Backend(
                "the database's log could not be written to disk".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
impl WalSync {
    /// How many syncs were made so far.
    pub fn syncs(&self) -> u64 {
        self.shared.syncs.load(Ordering::Relaxed)
    }
}

impl Drop for WalSync {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        // Every commit counted before the sync starts is in the log already.
        let upto = shared.committed.load(Ordering::SeqCst);
        let wal = shared.wal.clone();
        let result = tokio::task::spawn_blocking(move || sync(&wal)).await;
        shared.syncs.fetch_add(1, Ordering::Relaxed);
        let failed = match result {
            Ok(Ok(())) => false,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "syncing the SQLite log failed");
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "the SQLite log sync did not finish");
                true
            }
        };
        shared.synced.send_modify(|s| {
            s.upto = s.upto.max(upto);
            s.failed |= failed;
        });
    }
}

fn sync(wal: &std::path::Path) -> std::io::Result<()> {
    match std::fs::File::open(wal) {
        Ok(file) => file.sync_data(),
        // No log: nothing was written since the last checkpoint emptied it away.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_commit_is_reported_and_one_sync_covers_many() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("pitlane.db");
        std::fs::write(dir.path().join("pitlane.db-wal"), b"frames").expect("wal");
        let wal = Arc::new(WalSync::start(db));
        let commits = 200;
        let waiters: Vec<_> = (0..commits)
            .map(|_| {
                let wal = wal.clone();
                tokio::spawn(async move { wal.committed().await })
            })
            .collect();
        for w in waiters {
            w.await.expect("join").expect("synced");
        }
        let syncs = wal.syncs();
        assert!(syncs >= 1, "nothing was synced");
        assert!(
            syncs < commits,
            "{syncs} syncs for {commits} concurrent commits: none was shared"
        );
    }

    #[tokio::test]
    async fn a_failed_sync_fails_that_write_and_every_later_one() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("pitlane.db");
        // A log that cannot be opened: a link to itself.
        let wal_path = dir.path().join("pitlane.db-wal");
        std::os::unix::fs::symlink(&wal_path, &wal_path).expect("link");
        let wal = WalSync::start(db);
        assert!(wal.committed().await.is_err());
        std::fs::remove_file(&wal_path).expect("unlink");
        assert!(
            wal.committed().await.is_err(),
            "a write after a failed sync was reported as on disk"
        );
    }

    #[tokio::test]
    async fn no_log_file_means_nothing_to_sync() {
        let dir = tempfile::tempdir().expect("dir");
        let wal = WalSync::start(dir.path().join("pitlane.db"));
        wal.committed().await.expect("synced");
    }
}
