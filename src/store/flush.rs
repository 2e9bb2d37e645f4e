//! The group commit: every durable write of the store is made durable
//! here, with sled's blocking flush on tokio's blocking pool.
//!
//! sled 0.34's `flush_async` can deadlock when several flushes race (sled
//! issue #1308, fixed only in unreleased code): under load every journal
//! write would hang before its money call. The blocking flush has no such
//! bug; on the blocking pool a slow disk never stalls other chats.
//!
//! Owns: when a flush runs, whom it covers, and whether the last one
//! failed. Must not: write records.

use super::{StoreError, StoreResult};

/// At most one flush runs at a time, and a caller whose writes are covered
/// by a flush that started after them does not flush again. `asked`
/// numbers the callers; `done` is the highest number a finished flush
/// covers.
#[derive(Default)]
struct FlushState {
    asked: u64,
    done: u64,
    running: bool,
}

#[derive(Default)]
pub(super) struct Flusher {
    state: std::sync::Mutex<FlushState>,
    finished: tokio::sync::Notify,
    /// The last flush that finished failed (for `Store::health`).
    failed: std::sync::atomic::AtomicBool,
}

impl Flusher {
    /// Returns once every write to `db` made before the call is on disk.
    pub(super) async fn flush(&self, db: &sled::Db) -> StoreResult<()> {
        let me = {
            let mut state = self.state();
            state.asked += 1;
            state.asked
        };
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            let covers = {
                let mut state = self.state();
                if state.done >= me {
                    return Ok(());
                }
                if state.running {
                    None
                } else {
                    state.running = true;
                    Some(state.asked)
                }
            };
            let Some(covers) = covers else {
                finished.await;
                continue;
            };
            let db = db.clone();
            let flushed = tokio::task::spawn_blocking(move || db.flush()).await;
            {
                let mut state = self.state();
                state.running = false;
                let ok = matches!(flushed, Ok(Ok(_)));
                if ok {
                    state.done = state.done.max(covers);
                }
                self.failed.store(!ok, std::sync::atomic::Ordering::Relaxed);
            }
            self.finished.notify_waiters();
            flushed.map_err(|e| StoreError::Flush(e.to_string()))??;
        }
    }

    pub(super) fn last_failed(&self) -> bool {
        self.failed.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FlushState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
