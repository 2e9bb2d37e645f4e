//! Persistent state in one sled database: accounts (secrets sealed with
//! XChaCha20-Poly1305), chat languages, bill inquiries, the transaction
//! journal, pending "send again?" questions and group links.
//!
//! Owns: keys, encodings, atomic state changes (compare-and-swap) and
//! flushing journal writes before money moves. Must not: call the gateway
//! or format user text.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::command::Lang;
use crate::gateway::{shown_url, BalanceSign, Credentials, Operation};
use crate::money::Rupiah;
use crate::secret::Secret;

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
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A chat's gateway account as stored: secrets sealed, never plain.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredAccount {
    member_id: String,
    /// The gateway URL as shown (`shown_url`: a password in it masked).
    /// Records written before `sealed_url` existed hold the real URL here,
    /// in clear; they are still read, and re-sealed when the store opens.
    base_url: String,
    balance_sign: BalanceSign,
    sealed_pin: String,
    sealed_key: String,
    /// The real gateway URL, sealed like the PIN: it may hold
    /// `user:password@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_url: Option<String>,
}

/// Where an inquiry is in its one-payment life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InquiryState {
    /// Checked, can be paid until it expires.
    Open,
    /// A payment call has been claimed for it; nobody else may pay.
    Paying,
    Paid,
    /// The payment was refused; a new inquiry is needed.
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inquiry {
    pub ref_id: String,
    pub chat_id: i64,
    /// The account whose bill this is (private chat id of its owner); one
    /// bill of an account pays once, whichever chat checked it.
    #[serde(default)]
    pub account_id: i64,
    /// Telegram user who asked; only they or the account owner may pay.
    pub requested_by: i64,
    pub product: String,
    pub dest: String,
    pub family: String,
    pub name: Option<String>,
    pub bill: Option<Rupiah>,
    pub admin: Option<Rupiah>,
    pub total: Option<Rupiah>,
    pub created_at: DateTime<Utc>,
    pub state: InquiryState,
}

impl Inquiry {
    pub fn is_expired(&self, now: DateTime<Utc>, ttl: Duration) -> bool {
        now.signed_duration_since(self.created_at)
            .to_std()
            .is_ok_and(|age| age > ttl)
    }
}

/// Kinds of money-moving calls the journal tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Topup,
    Payment,
}

impl EntryKind {
    pub fn operation(self) -> Operation {
        match self {
            EntryKind::Topup => Operation::Topup,
            EntryKind::Payment => Operation::Payment,
        }
    }
}

/// The journal's view of a money-moving call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryState {
    /// Written before the call; if still here after a crash, the call may
    /// or may not have reached the gateway.
    Sending,
    Success,
    Failed,
    Pending,
    /// The call's outcome could not be read; it is being checked.
    Unknown,
}

impl EntryState {
    pub fn is_final(self) -> bool {
        matches!(self, EntryState::Success | EntryState::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub ref_id: String,
    pub chat_id: i64,
    pub user_id: i64,
    /// The user's account (private chat id) whose credentials sign the call.
    pub account_id: i64,
    /// The gateway account (member ID and base URL) that signed the call;
    /// follow-ups only ever use that same account. The URL is kept as
    /// `shown_url` gives it: a password in it is never journaled.
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub gateway: String,
    /// The chat message to reply to or edit when the result is known.
    pub message_id: Option<i32>,
    pub kind: EntryKind,
    pub product: String,
    pub dest: String,
    pub state: EntryState,
    pub price: Option<Rupiah>,
    pub sn: Option<String>,
    pub reason: Option<String>,
    /// The last gateway reply, as received (replies carry no secrets).
    pub raw_reply: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How many times the call itself was sent (always with this refID).
    pub sends: u32,
    /// How many status checks were made.
    pub checks: u32,
    /// Earlier final answers that a later answer corrected, oldest first
    /// (`status REFID` asks the gateway again and may move a final entry).
    #[serde(default)]
    pub history: Vec<EntryEvent>,
    /// The gateway's words last shown to the chat while the call is being
    /// checked, so the same words are not posted twice.
    #[serde(default)]
    pub shown: Option<String>,
    /// The chat was told this call cannot be checked until its account
    /// logs in again (as the same member, on the same gateway).
    #[serde(default)]
    pub unsigned_told: bool,
}

/// A final state an entry had before a later answer corrected it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryEvent {
    pub at: DateTime<Utc>,
    pub state: EntryState,
    pub price: Option<Rupiah>,
    pub sn: Option<String>,
    pub reason: Option<String>,
    pub raw_reply: Option<String>,
}

/// A topup that repeated a recent one, waiting for "send again?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingConfirmation {
    pub ref_id: String,
    pub chat_id: i64,
    pub user_id: i64,
    pub product: String,
    pub dest: String,
    pub created_at: DateTime<Utc>,
}

/// A group linked to one member's account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupLink {
    pub owner: i64,
    pub allowed: Vec<i64>,
}

impl GroupLink {
    pub fn may_transact(&self, user_id: i64) -> bool {
        user_id == self.owner || self.allowed.contains(&user_id)
    }
}

/// One bill of an account (product and customer number, `@` suffixes
/// dropped): its newest check, the only one that may be paid, and its
/// latest payment, whose journal entry says whether it is settled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillRecord {
    pub newest: Option<String>,
    pub payment: Option<String>,
}

/// Why a payment claim did not go ahead (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Claimed: the inquiry is `Paying` and its journal entry is written.
    Claimed(Inquiry),
    /// No such inquiry.
    Missing,
    /// The inquiry is not open (paid, being paid, failed, cancelled).
    NotOpen(InquiryState),
    /// A newer check of the same bill replaced this one.
    Replaced { newest: String },
    /// Another payment of this bill has no final answer yet.
    Unsettled { ref_id: String },
    /// The bill was paid successfully since `paid_since`: ask first.
    PaidRecently(JournalEntry),
    /// The refID is already journaled.
    Journaled,
}

/// Seals secrets with XChaCha20-Poly1305; the record's identity is bound in
/// as associated data so a sealed PIN cannot be moved to another account.
struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    fn seal(&self, plain: &str, context: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        B64.encode(out)
    }

    fn open(&self, sealed: &str, context: &str) -> StoreResult<Secret> {
        let bytes = B64
            .decode(sealed)
            .map_err(|_| StoreError::Corrupt("sealed secret is not base64".into()))?;
        if bytes.len() < 24 {
            return Err(StoreError::Corrupt("sealed secret too short".into()));
        }
        let (nonce, body) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                StoreError::Key(
                    "a stored secret does not open with this key (was LOKET_SECRET_KEY changed?)"
                        .into(),
                )
            })?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| StoreError::Corrupt("secret is not UTF-8".into()))
    }
}

/// Name of the key file created in the data dir when no key is configured.
pub const KEY_FILE: &str = "secret.key";

/// Reads a 32-byte key from hex (64 chars) or base64 text.
pub fn parse_key(text: &str) -> StoreResult<[u8; 32]> {
    let t = text.trim();
    let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(t).map_err(|e| StoreError::Key(e.to_string()))?
    } else {
        B64.decode(t)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(t))
            .map_err(|_| {
                StoreError::Key("LOKET_SECRET_KEY must be 32 bytes as hex or base64".into())
            })?
    };
    bytes
        .try_into()
        .map_err(|_| StoreError::Key("the secret key must be exactly 32 bytes".into()))
}

/// Loads the key file, or creates it (0600) with a fresh random key.
fn key_from_file(dir: &Path) -> StoreResult<[u8; 32]> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            write_private_file(&path, hex::encode(key).as_bytes())
                .map_err(|e| StoreError::Key(format!("cannot create {}: {e}", path.display())))?;
            Ok(key)
        }
        Err(e) => Err(StoreError::Key(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

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
    accounts: sled::Tree,
    langs: sled::Tree,
    inquiries: sled::Tree,
    journal: sled::Tree,
    journal_by_chat: sled::Tree,
    /// refIDs of journal entries whose outcome is not final yet, so a
    /// restart resumes them without reading the whole journal.
    journal_open: sled::Tree,
    /// (account, time, refID) → refID: the duplicate-topup question and
    /// bill rules look across every chat of an account.
    journal_by_account: sled::Tree,
    /// (account, product, customer number) → [`BillRecord`].
    bills: sled::Tree,
    confirmations: sled::Tree,
    groups: sled::Tree,
    sealer: std::sync::Arc<Sealer>,
    flusher: std::sync::Arc<Flusher>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
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

/// Index key of an entry by its account: newest last.
fn account_index_key(entry: &JournalEntry) -> Vec<u8> {
    let mut key = be(entry.account_id).to_vec();
    key.extend_from_slice(&entry.created_at.timestamp_micros().to_be_bytes());
    key.extend_from_slice(entry.ref_id.as_bytes());
    key
}

/// Index key of an entry by its chat: newest last.
fn chat_index_key(chat_id: i64, entry: &JournalEntry) -> Vec<u8> {
    let mut key = be(chat_id).to_vec();
    key.extend_from_slice(&entry.created_at.timestamp_micros().to_be_bytes());
    key.extend_from_slice(entry.ref_id.as_bytes());
    key
}

/// The part of a product code or customer number before its `@` suffix:
/// `BPJSKS 0001234567890@1` and `@3` are one customer's bill.
fn before_suffix(text: &str) -> &str {
    text.split('@').next().unwrap_or(text)
}

/// Key of one bill of an account.
fn bill_key(account_id: i64, product: &str, dest: &str) -> Vec<u8> {
    let mut key = be(account_id).to_vec();
    key.extend_from_slice(before_suffix(product).as_bytes());
    key.push(0x1f);
    key.extend_from_slice(before_suffix(dest).as_bytes());
    key
}

/// Sled's page cache; small, loket's working set is tiny.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// Marks a database whose `journal_open` index is complete.
const OPEN_INDEX_MARK: &[u8] = b"journal_open_index_v1";

/// Marks a database whose `journal_by_account` index is complete.
const ACCOUNT_INDEX_MARK: &[u8] = b"journal_account_index_v1";

/// Marks a database whose journal holds no gateway password in clear.
const JOURNAL_URLS_MARK: &[u8] = b"journal_urls_shown_v1";

/// Group commit: at most one flush runs at a time, and a caller whose
/// writes are covered by a flush that started after them does not flush
/// again. `asked` numbers the callers; `done` is the highest number a
/// finished flush covers.
#[derive(Default)]
struct FlushState {
    asked: u64,
    done: u64,
    running: bool,
}

#[derive(Default)]
struct Flusher {
    state: std::sync::Mutex<FlushState>,
    finished: tokio::sync::Notify,
}

impl Store {
    /// Opens (creating if needed) the database. `key` overrides the key file.
    pub fn open(location: &Location, key: Option<[u8; 32]>) -> StoreResult<Store> {
        let (db, key) = match location {
            Location::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                    path: dir.display().to_string(),
                    source: sled::Error::Io(e),
                })?;
                let path = dir.join("loket.sled");
                let db = sled::Config::new()
                    .path(&path)
                    .cache_capacity(CACHE_BYTES)
                    .open()
                    .map_err(|source| StoreError::Open {
                        path: path.display().to_string(),
                        source,
                    })?;
                let key = match key {
                    Some(k) => k,
                    None => key_from_file(dir)?,
                };
                (db, key)
            }
            Location::Temporary => {
                let db = sled::Config::new()
                    .temporary(true)
                    .cache_capacity(CACHE_BYTES)
                    .open()?;
                let mut k = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut k);
                (db, key.unwrap_or(k))
            }
        };
        let sealer = Sealer {
            cipher: XChaCha20Poly1305::new((&key).into()),
        };
        Store {
            accounts: db.open_tree("accounts")?,
            langs: db.open_tree("langs")?,
            inquiries: db.open_tree("inquiries")?,
            journal: db.open_tree("journal")?,
            journal_by_chat: db.open_tree("journal_by_chat")?,
            journal_open: db.open_tree("journal_open")?,
            journal_by_account: db.open_tree("journal_by_account")?,
            bills: db.open_tree("bills")?,
            confirmations: db.open_tree("confirmations")?,
            groups: db.open_tree("groups")?,
            sealer: std::sync::Arc::new(sealer),
            flusher: std::sync::Arc::new(Flusher::default()),
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
        let mut resealed = false;
        for item in self.accounts.iter() {
            let (key, bytes) = item?;
            let stored: StoredAccount = decode(&bytes)?;
            if stored.sealed_url.is_some() {
                continue;
            }
            let owner = key
                .as_ref()
                .try_into()
                .map(i64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt("account key is not an id".into()))?;
            if let Some(creds) = self.account(owner)? {
                self.accounts
                    .insert(key, encode(&self.stored_account(owner, &creds)))?;
                resealed = true;
            }
        }
        if self.db.get(JOURNAL_URLS_MARK)?.is_none() {
            for item in self.journal.iter() {
                let (key, bytes) = item?;
                let mut entry: JournalEntry = decode(&bytes)?;
                let shown = shown_url(&entry.gateway);
                if shown != entry.gateway {
                    entry.gateway = shown;
                    self.journal.insert(key, encode(&entry))?;
                }
            }
            self.db.insert(JOURNAL_URLS_MARK, &[])?;
            resealed = true;
        }
        if resealed {
            self.db.flush()?;
        }
        Ok(self)
    }

    /// Builds the index of unfinished entries once, for a database written
    /// before it existed.
    fn with_open_index(self) -> StoreResult<Store> {
        if self.db.get(OPEN_INDEX_MARK)?.is_none() {
            for item in self.journal.iter() {
                let (key, bytes) = item?;
                let entry: JournalEntry = decode(&bytes)?;
                if !entry.state.is_final() {
                    self.journal_open.insert(key, &[])?;
                }
            }
            self.db.insert(OPEN_INDEX_MARK, &[])?;
            self.db.flush()?;
        }
        Ok(self)
    }

    /// Builds the per-account journal index once, for a database written
    /// before it existed.
    fn with_account_index(self) -> StoreResult<Store> {
        if self.db.get(ACCOUNT_INDEX_MARK)?.is_none() {
            for item in self.journal.iter() {
                let (_, bytes) = item?;
                let entry: JournalEntry = decode(&bytes)?;
                self.journal_by_account
                    .insert(account_index_key(&entry), entry.ref_id.as_bytes())?;
            }
            self.db.insert(ACCOUNT_INDEX_MARK, &[])?;
            self.db.flush()?;
        }
        Ok(self)
    }

    /// A unique, monotonic number for refID minting (survives restarts).
    pub fn next_id(&self) -> StoreResult<u64> {
        Ok(self.db.generate_id()?)
    }

    /// Makes every write so far durable.
    ///
    /// sled 0.34's `flush_async` can deadlock when several flushes race
    /// (sled issue #1308, fixed only in unreleased code): under load every
    /// journal write would hang before its money call. The blocking flush
    /// has no such bug; it runs on tokio's blocking pool so a slow disk
    /// never stalls other chats.
    pub async fn flush(&self) -> StoreResult<()> {
        let me = {
            let mut state = self.flush_state();
            state.asked += 1;
            state.asked
        };
        loop {
            let finished = self.flusher.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            let covers = {
                let mut state = self.flush_state();
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
            let db = self.db.clone();
            let flushed = tokio::task::spawn_blocking(move || db.flush()).await;
            {
                let mut state = self.flush_state();
                state.running = false;
                if matches!(flushed, Ok(Ok(_))) {
                    state.done = state.done.max(covers);
                }
            }
            self.flusher.finished.notify_waiters();
            flushed.map_err(|e| StoreError::Flush(e.to_string()))??;
        }
    }

    fn flush_state(&self) -> std::sync::MutexGuard<'_, FlushState> {
        self.flusher
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    // ---- accounts ----

    pub fn save_account(&self, owner: i64, creds: &Credentials) -> StoreResult<()> {
        self.accounts
            .insert(be(owner), encode(&self.stored_account(owner, creds)))?;
        self.accounts.flush()?;
        Ok(())
    }

    fn stored_account(&self, owner: i64, creds: &Credentials) -> StoredAccount {
        let context = |field: &str| format!("{owner}/{field}");
        StoredAccount {
            member_id: creds.member_id.clone(),
            base_url: shown_url(&creds.base_url),
            balance_sign: creds.balance_sign,
            sealed_pin: self.sealer.seal(creds.pin.expose(), &context("pin")),
            sealed_key: self.sealer.seal(creds.api_key.expose(), &context("key")),
            sealed_url: Some(self.sealer.seal(&creds.base_url, &context("url"))),
        }
    }

    pub fn account(&self, owner: i64) -> StoreResult<Option<Credentials>> {
        let Some(bytes) = self.accounts.get(be(owner))? else {
            return Ok(None);
        };
        let stored: StoredAccount = decode(&bytes)?;
        let context = |field: &str| format!("{owner}/{field}");
        let base_url = match &stored.sealed_url {
            Some(sealed) => self
                .sealer
                .open(sealed, &context("url"))?
                .expose()
                .to_string(),
            None => stored.base_url,
        };
        Ok(Some(Credentials {
            member_id: stored.member_id,
            pin: self.sealer.open(&stored.sealed_pin, &context("pin"))?,
            api_key: self.sealer.open(&stored.sealed_key, &context("key"))?,
            base_url,
            balance_sign: stored.balance_sign,
        }))
    }

    pub fn remove_account(&self, owner: i64) -> StoreResult<bool> {
        let removed = self.accounts.remove(be(owner))?.is_some();
        self.accounts.flush()?;
        Ok(removed)
    }

    // ---- languages ----

    pub fn lang(&self, chat_id: i64) -> StoreResult<Option<Lang>> {
        Ok(self
            .langs
            .get(be(chat_id))?
            .and_then(|v| Lang::parse(&String::from_utf8_lossy(&v))))
    }

    pub fn set_lang(&self, chat_id: i64, lang: Lang) -> StoreResult<()> {
        self.langs.insert(be(chat_id), lang.code().as_bytes())?;
        Ok(())
    }

    // ---- inquiries ----

    /// Stores a fresh inquiry and makes it its bill's newest check: from
    /// now on only this one of the account's checks of that bill is
    /// payable.
    pub async fn put_inquiry(&self, inquiry: &Inquiry) -> StoreResult<()> {
        self.inquiries
            .insert(inquiry.ref_id.as_bytes(), encode(inquiry))?;
        let key = bill_key(inquiry.account_id, &inquiry.product, &inquiry.dest);
        let mut failure = None;
        self.bills.fetch_and_update(&key, |old| {
            let mut record: BillRecord = match old.map(decode).transpose() {
                Ok(record) => record.unwrap_or_default(),
                Err(e) => {
                    failure = Some(e);
                    return old.map(<[u8]>::to_vec);
                }
            };
            record.newest = Some(inquiry.ref_id.clone());
            Some(encode(&record))
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        self.flush().await
    }

    pub fn inquiry(&self, ref_id: &str) -> StoreResult<Option<Inquiry>> {
        self.inquiries
            .get(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The record of one bill of an account (`@` suffixes ignored).
    pub fn bill(&self, account_id: i64, product: &str, dest: &str) -> StoreResult<BillRecord> {
        Ok(self
            .bills
            .get(bill_key(account_id, product, dest))?
            .map(|b| decode(&b))
            .transpose()?
            .unwrap_or_default())
    }

    /// The newest check of one bill of an account, whatever its state.
    pub fn newest_inquiry(
        &self,
        account_id: i64,
        product: &str,
        dest: &str,
    ) -> StoreResult<Option<Inquiry>> {
        match self.bill(account_id, product, dest)?.newest {
            Some(ref_id) => self.inquiry(&ref_id),
            None => Ok(None),
        }
    }

    /// A payment of this bill whose outcome is not final yet, if any.
    pub fn unsettled_payment(
        &self,
        account_id: i64,
        product: &str,
        dest: &str,
    ) -> StoreResult<Option<JournalEntry>> {
        match self.bill(account_id, product, dest)?.payment {
            Some(ref_id) => Ok(self.entry(&ref_id)?.filter(|e| !e.state.is_final())),
            None => Ok(None),
        }
    }

    /// Claims an inquiry for payment and journals the payment, in one
    /// transaction: either the inquiry is `Paying`, its bill names this
    /// payment and `entry` is written (and flushed), or nothing changed.
    ///
    /// Refused when the inquiry is not open, is not its bill's newest
    /// check, another payment of the bill is unsettled, or (unless
    /// `paid_since` is `None`) the bill was paid successfully since then.
    /// This is "one bill pays once per account": every chat of the
    /// account claims through here.
    pub async fn claim_payment(
        &self,
        entry: &JournalEntry,
        paid_since: Option<DateTime<Utc>>,
    ) -> StoreResult<Claim> {
        use sled::transaction::{ConflictableTransactionError as Tx, TransactionError};
        use sled::Transactional;
        let trees = (
            &self.inquiries,
            &self.bills,
            &self.journal,
            &self.journal_open,
            &self.journal_by_chat,
            &self.journal_by_account,
        );
        let ref_id = entry.ref_id.as_bytes();
        let outcome =
            trees.transaction(|(inquiries, bills, journal, open, by_chat, by_account)| {
                let corrupt = |e: StoreError| Tx::Abort(e);
                let Some(bytes) = inquiries.get(ref_id)? else {
                    return Ok(Claim::Missing);
                };
                let mut inquiry: Inquiry = decode(&bytes).map_err(corrupt)?;
                if inquiry.state != InquiryState::Open {
                    return Ok(Claim::NotOpen(inquiry.state));
                }
                let key = bill_key(inquiry.account_id, &inquiry.product, &inquiry.dest);
                let mut record: BillRecord = bills
                    .get(&key)?
                    .map(|b| decode(&b))
                    .transpose()
                    .map_err(corrupt)?
                    .unwrap_or_default();
                match &record.newest {
                    Some(newest) if newest != &inquiry.ref_id => {
                        return Ok(Claim::Replaced {
                            newest: newest.clone(),
                        })
                    }
                    _ => {}
                }
                if let Some(previous) = &record.payment {
                    if let Some(bytes) = journal.get(previous.as_bytes())? {
                        let previous: JournalEntry = decode(&bytes).map_err(corrupt)?;
                        if !previous.state.is_final() {
                            return Ok(Claim::Unsettled {
                                ref_id: previous.ref_id,
                            });
                        }
                        let recent = paid_since.is_some_and(|since| previous.created_at >= since);
                        if previous.state == EntryState::Success && recent {
                            return Ok(Claim::PaidRecently(previous));
                        }
                    }
                }
                if journal.get(ref_id)?.is_some() {
                    return Ok(Claim::Journaled);
                }
                inquiry.state = InquiryState::Paying;
                record.newest = Some(inquiry.ref_id.clone());
                record.payment = Some(inquiry.ref_id.clone());
                inquiries.insert(ref_id, encode(&inquiry))?;
                bills.insert(key, encode(&record))?;
                journal.insert(ref_id, encode(entry))?;
                open.insert(ref_id, &[])?;
                by_chat.insert(chat_index_key(entry.chat_id, entry), ref_id)?;
                by_account.insert(account_index_key(entry), ref_id)?;
                Ok(Claim::Claimed(inquiry))
            });
        let claim = match outcome {
            Ok(claim) => claim,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        };
        if matches!(claim, Claim::Claimed(_)) {
            self.flush().await?;
        }
        Ok(claim)
    }

    /// Atomically moves an inquiry from `from` to `to`. Returns the updated
    /// inquiry, or `None` if it was not in `from` (someone else got there
    /// first). This is what makes "one inquiry pays at most once" hold
    /// under racing taps.
    pub async fn transition_inquiry(
        &self,
        ref_id: &str,
        from: InquiryState,
        to: InquiryState,
    ) -> StoreResult<Option<Inquiry>> {
        loop {
            let Some(current_bytes) = self.inquiries.get(ref_id.as_bytes())? else {
                return Ok(None);
            };
            let mut inquiry: Inquiry = decode(&current_bytes)?;
            if inquiry.state != from {
                return Ok(None);
            }
            inquiry.state = to;
            let swapped = self.inquiries.compare_and_swap(
                ref_id.as_bytes(),
                Some(current_bytes),
                Some(encode(&inquiry)),
            )?;
            if swapped.is_ok() {
                self.flush().await?;
                return Ok(Some(inquiry));
            }
        }
    }

    // ---- journal ----

    /// Records a new money-moving call and flushes it to disk before the
    /// call is sent. Fails if the refID is already journaled: a refID is
    /// never used for two intents. The entry and its indexes are written
    /// in one transaction.
    pub async fn begin_entry(&self, entry: &JournalEntry) -> StoreResult<bool> {
        use sled::transaction::TransactionError;
        use sled::Transactional;
        let trees = (
            &self.journal,
            &self.journal_open,
            &self.journal_by_chat,
            &self.journal_by_account,
        );
        let ref_id = entry.ref_id.as_bytes();
        let inserted = trees.transaction(|(journal, open, by_chat, by_account)| {
            if journal.get(ref_id)?.is_some() {
                return Ok(false);
            }
            journal.insert(ref_id, encode(entry))?;
            open.insert(ref_id, &[])?;
            by_chat.insert(chat_index_key(entry.chat_id, entry), ref_id)?;
            by_account.insert(account_index_key(entry), ref_id)?;
            Ok(true)
        });
        let inserted = match inserted {
            Ok(inserted) => inserted,
            Err(TransactionError::Abort(())) => false,
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        };
        if inserted {
            self.flush().await?;
        }
        Ok(inserted)
    }

    /// Records an entry's new state. A final state (success, failed) is
    /// never overwritten by a later non-final one — a slow status answer
    /// cannot turn a known success back into "being checked". Returns the
    /// entry as stored.
    pub async fn update_entry(&self, entry: &JournalEntry) -> StoreResult<JournalEntry> {
        let key = entry.ref_id.as_bytes();
        let stored = loop {
            let current = self.journal.get(key)?;
            let mut entry = entry.clone();
            if let Some(bytes) = &current {
                let existing: JournalEntry = decode(bytes)?;
                if existing.state.is_final() && !entry.state.is_final() {
                    break existing;
                }
                // Only a group's migration moves an entry to another chat.
                entry.chat_id = existing.chat_id;
            }
            let swapped = self
                .journal
                .compare_and_swap(key, current, Some(encode(&entry)))?;
            if swapped.is_ok() {
                break entry;
            }
        };
        if stored.state.is_final() {
            self.journal_open.remove(key)?;
        }
        self.flush().await?;
        Ok(stored)
    }

    pub fn entry(&self, ref_id: &str) -> StoreResult<Option<JournalEntry>> {
        self.journal
            .get(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The chat's most recent entries, newest first.
    pub fn recent_entries(&self, chat_id: i64, limit: usize) -> StoreResult<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in self.journal_by_chat.scan_prefix(be(chat_id)).rev() {
            let (_, ref_id) = item?;
            if let Some(entry) = self.entry(&String::from_utf8_lossy(&ref_id))? {
                out.push(entry);
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// The account's most recent entries in every chat, newest first.
    pub fn recent_account_entries(
        &self,
        account_id: i64,
        limit: usize,
    ) -> StoreResult<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in self.journal_by_account.scan_prefix(be(account_id)).rev() {
            let (_, ref_id) = item?;
            if let Some(entry) = self.entry(&String::from_utf8_lossy(&ref_id))? {
                out.push(entry);
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Every entry whose outcome is not final yet (read through the index
    /// of unfinished entries, not the whole journal).
    pub fn unfinished_entries(&self) -> StoreResult<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in self.journal_open.iter() {
            let (ref_id, _) = item?;
            if let Some(bytes) = self.journal.get(&ref_id)? {
                let entry: JournalEntry = decode(&bytes)?;
                if !entry.state.is_final() {
                    out.push(entry);
                }
            }
        }
        Ok(out)
    }

    /// Takes an unfinished entry off the list resumed at start (its
    /// follow-up gave up and asked for a human). The entry itself stays.
    pub fn stop_following(&self, ref_id: &str) -> StoreResult<()> {
        self.journal_open.remove(ref_id.as_bytes())?;
        Ok(())
    }

    pub fn journal_len(&self) -> usize {
        self.journal.len()
    }

    // ---- "send again?" questions ----

    pub fn put_confirmation(&self, confirmation: &PendingConfirmation) -> StoreResult<()> {
        self.confirmations
            .insert(confirmation.ref_id.as_bytes(), encode(confirmation))?;
        Ok(())
    }

    /// The question, left in place.
    pub fn confirmation(&self, ref_id: &str) -> StoreResult<Option<PendingConfirmation>> {
        self.confirmations
            .get(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Removes and returns the question: only one tap can take it.
    pub fn take_confirmation(&self, ref_id: &str) -> StoreResult<Option<PendingConfirmation>> {
        self.confirmations
            .remove(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    // ---- groups ----

    pub fn group(&self, chat_id: i64) -> StoreResult<Option<GroupLink>> {
        self.groups
            .get(be(chat_id))?
            .map(|b| decode(&b))
            .transpose()
    }

    pub fn set_group(&self, chat_id: i64, link: &GroupLink) -> StoreResult<()> {
        self.groups.insert(be(chat_id), encode(link))?;
        self.groups.flush()?;
        Ok(())
    }

    /// A group became a supergroup under a new chat id: everything kept
    /// for the old id moves to the new one — its link and language, its
    /// journal (entries and the chat's index), its bills and its "send
    /// again?" questions — so results, `status` and `riwayat` follow it.
    /// Idempotent: Telegram announces a migration in both chats.
    pub fn migrate_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        if from == to {
            return Ok(());
        }
        for tree in [&self.groups, &self.langs] {
            if let Some(value) = tree.remove(be(from))? {
                tree.insert(be(to), value)?;
            }
        }
        for item in self.journal_by_chat.scan_prefix(be(from)) {
            let (key, ref_id) = item?;
            let mut moved = be(to).to_vec();
            moved.extend_from_slice(&key[8..]);
            self.journal_by_chat.insert(moved, ref_id.clone())?;
            self.journal_by_chat.remove(key)?;
            self.rewrite::<JournalEntry>(&self.journal, &ref_id, |e| {
                (e.chat_id == from).then(|| e.chat_id = to).is_some()
            })?;
        }
        for item in self.inquiries.iter() {
            let (key, _) = item?;
            self.rewrite::<Inquiry>(&self.inquiries, &key, |i| {
                (i.chat_id == from).then(|| i.chat_id = to).is_some()
            })?;
        }
        for item in self.confirmations.iter() {
            let (key, _) = item?;
            self.rewrite::<PendingConfirmation>(&self.confirmations, &key, |q| {
                (q.chat_id == from).then(|| q.chat_id = to).is_some()
            })?;
        }
        self.db.flush()?;
        Ok(())
    }

    /// Changes one record in place, atomically; `change` says whether it
    /// changed anything.
    fn rewrite<T: Serialize + DeserializeOwned>(
        &self,
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

    pub fn remove_group(&self, chat_id: i64) -> StoreResult<bool> {
        Ok(self.groups.remove(be(chat_id))?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut old = store.stored_account(7, &agen(URL));
        old.base_url = URL.into();
        old.sealed_url = None;
        store.accounts.insert(be(7), encode(&old)).unwrap();
        let entry = JournalEntry {
            ref_id: "L1".into(),
            chat_id: 7,
            user_id: 7,
            account_id: 7,
            member_id: "AGEN7".into(),
            gateway: URL.into(),
            message_id: None,
            kind: EntryKind::Topup,
            product: "T10".into(),
            dest: "087712345678".into(),
            state: EntryState::Success,
            price: None,
            sn: None,
            reason: None,
            raw_reply: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            sends: 1,
            checks: 0,
            history: Vec::new(),
            shown: None,
            unsigned_told: false,
        };
        store.journal.insert(b"L1", encode(&entry)).unwrap();
        store.db.remove(JOURNAL_URLS_MARK).unwrap();
        assert_eq!(store.account(7).unwrap().unwrap().base_url, URL);

        let store = store.with_sealed_urls().unwrap();
        let raw = store.accounts.get(be(7)).unwrap().unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains("Sup3rPass"));
        let resealed: StoredAccount = decode(&raw).unwrap();
        assert_eq!(resealed.base_url, "http://agen:***@127.0.0.1:9");
        assert!(resealed.sealed_url.is_some());
        assert_eq!(store.account(7).unwrap().unwrap().base_url, URL);
        let entry = store.entry("L1").unwrap().unwrap();
        assert_eq!(entry.gateway, "http://agen:***@127.0.0.1:9");
    }

    #[test]
    fn a_saved_gateway_url_is_sealed_and_shown_masked() {
        let store = Store::open(&Location::Temporary, None).unwrap();
        store
            .save_account(7, &agen("https://agen:Sup3rPass@h2h.example.co.id"))
            .unwrap();
        let raw = store.accounts.get(be(7)).unwrap().unwrap();
        let raw = String::from_utf8_lossy(&raw);
        assert!(!raw.contains("Sup3rPass"), "{raw}");
        assert!(raw.contains("agen:***@h2h.example.co.id"), "{raw}");
        let creds = store.account(7).unwrap().unwrap();
        assert_eq!(creds.base_url, "https://agen:Sup3rPass@h2h.example.co.id");
    }
}
