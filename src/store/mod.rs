//! Persistent state in one sled database, grouped by what it holds:
//! [`accounts`](Store::account) (secrets sealed with XChaCha20-Poly1305),
//! the [journal](Store::begin_entry) of money-moving calls,
//! [inquiries](Store::put_inquiry) and the bills they check,
//! [group links](Store::group) and what is kept per [chat](Store::lang)
//! (its language, its "send again?" questions, its move to a supergroup).
//! The records themselves are [`crate::model`]'s. One file per group
//! (`accounts`, `journal`, `inquiries`, `groups`, `chats`, `shop`), each owning
//! its sled trees; `seal` holds the cipher and the key file, `flush` the
//! group commit.
//!
//! # Durability
//!
//! One rule, kept by every method: a write that returned is on disk. Each
//! method that writes flushes before it returns, through the group commit
//! ([`Store::flush`]) on tokio's blocking pool — never with a flush on the
//! caller's thread — so each such method is `async`. What is kept, and why
//! it must survive a crash:
//!
//! - the journal (`begin_entry`, `update_entry`, `claim_payment`,
//!   `stop_following`): money moves only after its entry is on disk, a
//!   known result is never forgotten, and what a chat was told about a
//!   call (given up, cannot be checked) is not told again after a restart;
//! - inquiries and bills (`put_inquiry`, `transition_inquiry`,
//!   `claim_payment`): a check that was paid, cancelled or replaced is
//!   never payable again;
//! - accounts (`save_account`, `remove_account`): a login or logout the
//!   user was told about holds;
//! - group links (`set_group`, `remove_group`): who may buy in a group is
//!   what its owner was last told;
//! - chats (`set_lang`, `put_confirmation`, `take_confirmation`,
//!   `migrate_chat`): a chosen language stays chosen, a "send again?"
//!   question that was shown can be answered after a restart and is taken
//!   by one tap only, and a group that moved stays moved.
//! - the shop (`set_price_book`, `set_shop_profile`, `set_recap_schedule`,
//!   `mark_recap_sent`): the next sale is priced by the rule the owner was
//!   told is set, and a nightly recap marked sent is not sent twice;
//! - low-balance alerts (`set_balance_watch`, `balance_seen`): an alert
//!   fired is not fired again after a restart;
//! - saved customers (`save_customer`, `forget_customer`): a customer the
//!   user was told is saved (or forgotten) stays so;
//! - `cek semua` runs (`put_run`, `mark_run_told`, `set_slot_message`):
//!   a check sent is asked about after a restart under its own refID,
//!   never under a new one; a check answered is not sent again; a summary
//!   the chat may not have is shown again; a message shown for a run is
//!   edited after a restart, not posted twice.
//!
//! A method that wrote nothing may return without flushing (a refused
//! claim, a refID already journaled, a question already taken, nothing to
//! remove): the write that got there first is flushed by its own caller.
//! Not flushed here, on purpose: [`Store::next_id`] (sled's id generator
//! persists itself and never hands out an id twice, crash or not), and
//! the one-time upgrades [`Store::open`] makes to databases written by
//! earlier versions, which flush synchronously before the store is used,
//! and [`Store::mark_told`]: a result marked told reaches disk with the
//! next flush; lost in a crash, it only means the result is told once more
//! at the next start — never that it is not told. And
//! [`Store::record_answer`], a money call's first answer, told to the chat
//! without waiting for the disk and flushed with the next flush (another
//! write's, or sled's own every half second, `SLED_FLUSH_EVERY_MS`): the
//! entry begun before the call is already on disk, so an answer lost in a
//! crash leaves the call `Sending`, which the next start checks with the
//! gateway under the same refID (never a blind resend) — it costs a second
//! telling, never a result.
//!
//! # Backups
//!
//! A backup ([`Store::backup`], module `backup`) must be one moment of the
//! whole database: a journal entry and its indexes are written by separate
//! sled calls (see [`Store::begin_entry`]), and sled 0.34 has no snapshot
//! that spans trees, so a backup that read the trees while they change
//! could hold an unfinished entry that the index of unfinished entries
//! does not name — restored, it would never be followed. So every method
//! that writes makes its sled writes inside [`Store::write`], which holds
//! the write gate shared, and a backup reads every tree holding it
//! whole: it sees each method's writes all or none. Not held across a
//! flush, and never taken twice on one thread.
//!
//! Owns: keys, encodings, atomic state changes (compare-and-swap and
//! transactions), flushing, and backups, restores and rekeys of the
//! database. Must not: call the gateway or format user text.

mod accounts;
mod alerts;
pub mod backup;
mod chats;
mod customers;
mod flush;
mod groups;
mod inquiries;
mod journal;
mod rekey;
mod runs;
mod seal;
mod shop;

use std::path::PathBuf;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use rekey::{rekey, Rekeyed};
pub use seal::{parse_key, KEY_FILE};

use accounts::Accounts;
use alerts::Alerts;
pub use alerts::BalanceSeen;
use chats::Chats;
use customers::Customers;
pub use customers::MAX_CUSTOMERS;
use flush::Flusher;
use groups::Groups;
use inquiries::Inquiries;
use journal::Journal;
pub use journal::{OpenEntries, Recorded};
use runs::Runs;
use seal::Sealer;
use shop::Shops;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {source}")]
    Open { path: String, source: sled::Error },
    #[error("database error: {0}")]
    Db(#[from] sled::Error),
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
    #[error("secret key: {0}")]
    Key(String),
    #[error("database flush did not finish: {0}")]
    Flush(String),
    #[error("the database at {0} is in use: a loket is running on this data dir (stop it first)")]
    InUse(String),
    #[error("no database at {0}")]
    Missing(String),
    #[error("{0}")]
    Backup(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Where the database lives.
#[derive(Debug, Clone)]
pub enum Location {
    Dir(PathBuf),
    /// A throw-away database (console demo, tests); the key is random.
    Temporary,
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    accounts: Accounts,
    journal: Journal,
    inquiries: Inquiries,
    groups: Groups,
    chats: Chats,
    shops: Shops,
    alerts: Alerts,
    customers: Customers,
    runs: Runs,
    flusher: Arc<Flusher>,
    /// Shared by every write, whole by a backup (see "Backups" above).
    gate: Arc<std::sync::RwLock<()>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

/// How often sled flushes on its own: what no durable write flushed (a
/// result marked told, a money call's first answer) is on disk within this.
const SLED_FLUSH_EVERY_MS: u64 = 500;

/// Sled's page cache; small, loket's working set is tiny.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) the database. `key` overrides the key file.
    pub fn open(location: &Location, key: Option<[u8; 32]>) -> StoreResult<Store> {
        let (db, key) = match location {
            Location::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                    path: dir.display().to_string(),
                    source: sled::Error::Io(e),
                })?;
                let db = open_db(&dir.join(DB_DIR))?;
                let key = match key {
                    Some(k) => k,
                    None => seal::key_from_file(dir)?,
                };
                (db, key)
            }
            Location::Temporary => {
                let db = sled::Config::new()
                    .temporary(true)
                    .cache_capacity(CACHE_BYTES)
                    .open()?;
                (db, key.unwrap_or_else(seal::random_key))
            }
        };
        Store::on(db, &key)
    }

    /// The store on an open database, its secrets sealed under `key`;
    /// upgrades a database written by an earlier version.
    fn on(db: sled::Db, key: &[u8; 32]) -> StoreResult<Store> {
        Store {
            accounts: Accounts::open(&db, Sealer::new(key))?,
            journal: Journal::open(&db)?,
            inquiries: Inquiries::open(&db)?,
            groups: Groups::open(&db)?,
            chats: Chats::open(&db)?,
            shops: Shops::open(&db)?,
            alerts: Alerts::open(&db)?,
            customers: Customers::open(&db)?,
            runs: Runs::open(&db)?,
            flusher: Arc::new(Flusher::default()),
            gate: Arc::default(),
            db,
        }
        .with_open_index()?
        .with_account_index()?
        .with_sealed_urls()
    }

    /// Seals the gateway URL of accounts that older versions stored in
    /// clear (it may hold a password), and masks passwords in the gateway
    /// URLs older versions journaled (once per database). sled may keep the
    /// old bytes in its log until it reuses that space.
    fn with_sealed_urls(self) -> StoreResult<Store> {
        let resealed = self.accounts.seal_clear_urls()?;
        let masked = self.journal.mask_gateway_urls(&self.db)?;
        if resealed || masked {
            self.db.flush()?;
        }
        Ok(self)
    }

    /// Builds the index of unfinished entries once, for a database written
    /// before it existed.
    fn with_open_index(self) -> StoreResult<Store> {
        if self.journal.build_open_index(&self.db)? {
            self.db.flush()?;
        }
        Ok(self)
    }

    /// Builds the per-account journal index once, for a database written
    /// before it existed.
    fn with_account_index(self) -> StoreResult<Store> {
        if self.journal.build_account_index(&self.db)? {
            self.db.flush()?;
        }
        Ok(self)
    }

    /// A unique, monotonic number for refID minting (survives restarts).
    pub fn next_id(&self) -> StoreResult<u64> {
        Ok(self.db.generate_id()?)
    }

    /// Makes every write so far durable: the group commit every durable
    /// write goes through (see the module's durability rule).
    pub async fn flush(&self) -> StoreResult<()> {
        self.flusher.flush(&self.db).await
    }

    /// Whether the database works now: it answers a read, and the last
    /// flush reached the disk (a full or failing disk stops every money
    /// call, which is begun only once its entry is on disk).
    pub fn health(&self) -> StoreResult<()> {
        self.db.get(b"health")?;
        if self.flusher.last_failed() {
            return Err(StoreError::Flush(
                "the last flush to disk failed".to_string(),
            ));
        }
        Ok(())
    }

    /// Runs one method's sled writes as one step for backups: a backup
    /// sees all of them or none (see "Backups" above). `writes` must not
    /// call `write` again.
    fn write<T>(&self, writes: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
        let _shared = self
            .gate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writes()
    }

    /// [`Store::write`] for a sled transaction: run between flushes, so
    /// that it never waits on the caller's thread for a flush's fsync and
    /// holds up every other read meanwhile (see `flush`).
    async fn between_flushes<T>(
        &self,
        transaction: impl FnOnce() -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.flusher
            .between_flushes(|| self.write(transaction))
            .await
    }

    /// Runs `read` while no method writes (a backup's reading of every
    /// tree).
    fn while_nothing_writes<T>(&self, read: impl FnOnce() -> T) -> T {
        let _whole = self
            .gate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        read()
    }
}

/// The database's directory inside the data dir.
pub const DB_DIR: &str = "loket.sled";

/// Opens (creating if needed) the sled database at `path`; one that a
/// running loket holds is [`StoreError::InUse`].
fn open_db(path: &std::path::Path) -> StoreResult<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        .flush_every_ms(Some(SLED_FLUSH_EVERY_MS))
        .open()
        .map_err(|source| match source {
            // sled's words when another process holds the directory.
            sled::Error::Io(e) if e.to_string().contains("could not acquire lock") => {
                StoreError::InUse(path.display().to_string())
            }
            source => StoreError::Open {
                path: path.display().to_string(),
                source,
            },
        })
}

/// Opens the sled database of an existing data dir without creating
/// anything (not the database, not a key file): backups and rekeys of a
/// stopped loket.
fn open_existing_db(dir: &std::path::Path) -> StoreResult<sled::Db> {
    let path = dir.join(DB_DIR);
    if !path.join("db").exists() {
        return Err(StoreError::Missing(path.display().to_string()));
    }
    open_db(&path)
}

fn be(id: i64) -> [u8; 8] {
    id.to_be_bytes()
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("store records serialize")
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Changes one record in place, atomically; `change` says whether it
/// changed anything.
fn rewrite<T: Serialize + DeserializeOwned>(
    tree: &sled::Tree,
    key: &[u8],
    mut change: impl FnMut(&mut T) -> bool,
) -> StoreResult<()> {
    loop {
        let Some(current) = tree.get(key)? else {
            return Ok(());
        };
        let mut value: T = decode(&current)?;
        if !change(&mut value) {
            return Ok(());
        }
        if tree
            .compare_and_swap(key, Some(current), Some(encode(&value)))?
            .is_ok()
        {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::gateway::{BalanceSign, Credentials};
    use crate::model::{EntryKind, EntryState, JournalEntry};
    use crate::secret::Secret;

    fn agen(base_url: &str) -> Credentials {
        Credentials {
            member_id: "AGEN7".into(),
            pin: Secret::new("73916458"),
            api_key: Secret::new("kunci-rahasia-9f3"),
            base_url: base_url.into(),
            balance_sign: BalanceSign::Fields,
        }
    }

    #[test]
    fn a_gateway_url_stored_in_clear_is_still_read_and_sealed_at_open() {
        const URL: &str = "http://agen:Sup3rPass@127.0.0.1:9";
        let store = Store::open(&Location::Temporary, None).unwrap();
        // A record as versions before `sealed_url` wrote it.
        store.accounts.put_clear_url(7, &agen(URL)).unwrap();
        let entry = JournalEntry {
            state: EntryState::Success,
            sends: 1,
            ..JournalEntry::new(
                "L1",
                EntryKind::Topup,
                "T10",
                "087712345678",
                7,
                7,
                7,
                "AGEN7",
                URL,
                None,
                Utc::now(),
            )
        };
        store
            .journal
            .put_as_written_before_masking(&store.db, &entry);
        assert_eq!(store.account(7).unwrap().unwrap().base_url, URL);

        let store = store.with_sealed_urls().unwrap();
        let raw = store.accounts.raw(7).unwrap();
        assert!(!raw.contains("Sup3rPass"), "{raw}");
        let resealed: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(resealed["base_url"], "http://agen:***@127.0.0.1:9");
        assert!(resealed["sealed_url"].is_string(), "{raw}");
        assert_eq!(store.account(7).unwrap().unwrap().base_url, URL);
        let entry = store.entry("L1").unwrap().unwrap();
        assert_eq!(entry.gateway, "http://agen:***@127.0.0.1:9");
    }
}
