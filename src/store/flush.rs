//! The group commit: every durable write of the store is made durable
//! here, with sled's blocking flush on tokio's blocking pool.
//!
//! sled 0.34's `flush_async` can deadlock when several flushes race (sled
//! issue #1308, fixed only in unreleased code): under load every journal
//! write would hang before its money call. The blocking flush has no such
//! bug; on the blocking pool a slow disk never stalls other chats.
//!
//! A sled transaction runs between flushes ([`Flusher::between_flushes`]):
//! sled 0.34's transactions take its global write lock, and a flush holds
//! that lock's read side through its fsync. A transaction begun during a
//! flush waited on the caller's thread — a tokio worker — for the fsync to
//! end, and while it waited every other read of the database on any thread
//! waited behind it (the lock lets no new reader in past a waiting
//! writer): one bill payment stalled every chat for a flush's length.
//! Waiting here is asynchronous, and while a transaction runs (in memory,
//! microseconds) no flush of ours starts; waiting transactions go before
//! the next flush. sled's own flush every half second
//! (`SLED_FLUSH_EVERY_MS`) is not ours to hold: a transaction that meets
//! it still waits for it, about one payment in a few hundred.
//!
//! Owns: when a flush runs, whom it covers, whether the last one failed,
//! and keeping transactions out of flushes. Must not: write records.

use std::sync::Arc;

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
    /// Transactions waiting for a flush to end or running
    /// ([`Flusher::between_flushes`]): no flush starts while there is one.
    /// They go first because they are short and a payment waits for each.
    transactions: u32,
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
    /// A flush, once started, runs to its end and is counted even if the
    /// caller stops waiting for it.
    pub(super) async fn flush(self: &Arc<Self>, db: &sled::Db) -> StoreResult<()> {
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
                if state.running || state.transactions > 0 {
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
            let flusher = Arc::clone(self);
            let flushed = tokio::task::spawn_blocking(move || {
                let flushed = db.flush().map(drop);
                flusher.finish(covers, flushed.is_ok());
                flushed
            })
            .await;
            match flushed {
                Ok(flushed) => flushed?,
                // The flush panicked, so `finish` did not run.
                Err(e) => {
                    self.finish(covers, false);
                    return Err(StoreError::Flush(e.to_string()));
                }
            }
        }
    }

    /// Ends the running flush, which covered the callers up to `covers`
    /// if it reached the disk.
    fn finish(&self, covers: u64, ok: bool) {
        {
            let mut state = self.state();
            state.running = false;
            if ok {
                state.done = state.done.max(covers);
            }
        }
        self.failed.store(!ok, std::sync::atomic::Ordering::Relaxed);
        self.finished.notify_waiters();
    }

    /// Runs `transaction` (a sled transaction: synchronous and short) once
    /// no flush is running, and starts no flush until it returns; waits for
    /// a running flush without holding the caller's thread. What it wrote
    /// is not flushed: the caller flushes when it must.
    pub(super) async fn between_flushes<T>(&self, transaction: impl FnOnce() -> T) -> T {
        self.state().transactions += 1;
        // Counted out when done, also if the caller stops waiting or the
        // transaction panics, so flushes go on.
        struct Out<'a>(&'a Flusher);
        impl Drop for Out<'_> {
            fn drop(&mut self) {
                let last = {
                    let mut state = self.0.state();
                    state.transactions -= 1;
                    state.transactions == 0
                };
                if last {
                    self.0.finished.notify_waiters();
                }
            }
        }
        let _out = Out(self);
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            if !self.state().running {
                break;
            }
            finished.await;
        }
        transaction()
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

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;

    const PATIENCE: Duration = Duration::from_secs(5);

    fn temporary_db() -> sled::Db {
        sled::Config::new().temporary(true).open().unwrap()
    }

    /// A flush in progress, as `flush` leaves the state while sled's flush
    /// runs on the blocking pool.
    fn flushing() -> Arc<Flusher> {
        let flusher = Arc::new(Flusher::default());
        flusher.state().running = true;
        flusher
    }

    #[tokio::test]
    async fn a_transaction_waits_for_the_running_flush_to_end() {
        let flusher = flushing();
        let ran = Arc::new(AtomicBool::new(false));
        let waiting = tokio::spawn({
            let (flusher, ran) = (flusher.clone(), ran.clone());
            async move {
                flusher
                    .between_flushes(|| {
                        assert!(!flusher.state().running, "ran during a flush");
                        ran.store(true, Ordering::SeqCst);
                    })
                    .await;
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!ran.load(Ordering::SeqCst), "did not wait for the flush");
        flusher.finish(0, true);
        tokio::time::timeout(PATIENCE, waiting)
            .await
            .expect("the transaction never ran after the flush ended")
            .unwrap();
        assert!(ran.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_waiting_transaction_holds_off_the_next_flush_until_it_has_run() {
        let flusher = flushing();
        let db = temporary_db();
        // A flush is asked for while one runs, then a transaction: both
        // wait, the flush first.
        let flush = tokio::spawn({
            let (flusher, db) = (flusher.clone(), db.clone());
            async move { flusher.flush(&db).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let transaction = tokio::spawn({
            let flusher = flusher.clone();
            async move { flusher.between_flushes(|| flusher.state().done).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        flusher.finish(0, true);
        let seen_done = tokio::time::timeout(PATIENCE, transaction)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            seen_done, 0,
            "the next flush ran before the waiting transaction"
        );
        tokio::time::timeout(PATIENCE, flush)
            .await
            .expect("the flush never ran after the transaction")
            .unwrap()
            .unwrap();
        assert!(flusher.state().done >= 1);
    }

    #[tokio::test]
    async fn a_transaction_given_up_while_waiting_does_not_hold_flushes_off() {
        let flusher = flushing();
        let db = temporary_db();
        let given_up =
            tokio::time::timeout(Duration::from_millis(20), flusher.between_flushes(|| ())).await;
        assert!(given_up.is_err(), "ran during a flush");
        flusher.finish(0, true);
        tokio::time::timeout(PATIENCE, flusher.flush(&db))
            .await
            .expect("a flush waited for a transaction nobody waits for")
            .unwrap();
    }

    #[tokio::test]
    async fn a_flush_nobody_waits_for_any_more_still_ends() {
        let flusher = Arc::new(Flusher::default());
        let db = temporary_db();
        // Enough to write that the flush is still running when polled.
        for i in 0u32..2000 {
            db.insert(i.to_be_bytes(), vec![7u8; 1024]).unwrap();
        }
        // Polled once (it starts the flush), then dropped.
        let mut flushing = Box::pin(flusher.flush(&db));
        let first =
            std::future::poll_fn(|cx| std::task::Poll::Ready(flushing.as_mut().poll(cx))).await;
        assert!(
            first.is_pending(),
            "the flush ended before it could be dropped"
        );
        drop(flushing);
        tokio::time::timeout(PATIENCE, async {
            while flusher.state().running {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("a dropped caller left the flush running for ever");
        tokio::time::timeout(PATIENCE, flusher.flush(&db))
            .await
            .unwrap()
            .unwrap();
    }
}
