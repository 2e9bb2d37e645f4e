//! Backups: the whole database as one file of JSON lines, taken from a
//! running store (one moment of every tree, see "Backups" in the store's
//! module) or from a stopped data dir, and restored into an empty data
//! dir only; and the check that a journal's indexes agree with its
//! entries.
//!
//! # Format (version 1)
//!
//! UTF-8 JSON, one object a line, each with a `line` field:
//!
//! ```text
//! {"line":"header","format":"loket-backup","version":1,"loket":"0.1.0","taken_at":"2026-11-30T20:00:00Z"}
//! {"line":"record","tree":"journal","key":"TDFBQkM=","value":"eyJyZWZfaWQiOi…"}
//! …
//! {"line":"end","records":1234,"sha256":"9f86d0…"}
//! ```
//!
//! - `header` comes first: `format` is always `loket-backup`; `version`
//!   is this format's (a restore refuses a version it does not know);
//!   `loket` is the version of loket that wrote it; `taken_at` is UTC.
//! - one `record` per key of every sled tree (the default tree is
//!   `__sled__default`), trees in name order, keys in order; `key` and
//!   `value` are the stored bytes in standard base64, exactly as sled
//!   holds them — so secrets stay sealed as stored (the key that opens
//!   them is never in a backup).
//! - `end` comes last: how many records there are and the SHA-256 (hex)
//!   of every byte of the file before the `end` line. A file without it,
//!   or with anything after it, is incomplete.
//!
//! Owns: the format, reading every tree, writing into an empty data dir,
//! the index check. Must not: decrypt a secret, or choose where backups
//! go (that is [`crate::backups`]).

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::journal::{account_index_key, chat_index_key};
use super::{decode, open_db, open_existing_db, Store, StoreError, StoreResult, DB_DIR, KEY_FILE};
use crate::model::{Inquiry, InquiryState, JournalEntry};

/// The `format` of every backup's header.
pub const FORMAT: &str = "loket-backup";
/// The format version this loket writes and the newest it restores.
pub const VERSION: u32 = 1;

/// Where a restore builds the database before it takes its place.
const STAGING_DIR: &str = "loket.sled.restoring";

/// One line of a backup file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
enum Line {
    Header {
        format: String,
        version: u32,
        loket: String,
        taken_at: DateTime<Utc>,
    },
    Record {
        tree: String,
        key: String,
        value: String,
    },
    End {
        records: u64,
        sha256: String,
    },
}

/// What a backup file says of itself, once read to its end and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The loket version that wrote it.
    pub loket: String,
    pub taken_at: DateTime<Utc>,
    pub records: u64,
    /// Entries in the journal, and those on its list of calls still
    /// followed (unfinished, or final and not told yet).
    pub journal_entries: u64,
    pub followed: u64,
}

/// Every tree of a database, read at one moment.
struct Snapshot {
    trees: Vec<(String, Vec<(sled::IVec, sled::IVec)>)>,
}

fn read_all(db: &sled::Db) -> StoreResult<Snapshot> {
    let mut names = db
        .tree_names()
        .into_iter()
        .map(|name| {
            String::from_utf8(name.to_vec())
                .map_err(|_| StoreError::Corrupt("a tree's name is not UTF-8".into()))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    names.sort();
    let mut trees = Vec::with_capacity(names.len());
    for name in names {
        let tree = db.open_tree(&name)?;
        let records = tree.iter().collect::<Result<Vec<_>, _>>()?;
        trees.push((name, records));
    }
    Ok(Snapshot { trees })
}

impl Snapshot {
    /// Writes the snapshot in the backup format.
    fn write_to(
        &self,
        out: &mut dyn Write,
        taken_at: DateTime<Utc>,
    ) -> std::io::Result<BackupInfo> {
        let mut hashed = Hashed {
            out,
            hasher: Sha256::new(),
        };
        hashed.line(&Line::Header {
            format: FORMAT.into(),
            version: VERSION,
            loket: env!("CARGO_PKG_VERSION").into(),
            taken_at,
        })?;
        let mut info = BackupInfo {
            loket: env!("CARGO_PKG_VERSION").into(),
            taken_at,
            records: 0,
            journal_entries: 0,
            followed: 0,
        };
        for (tree, records) in &self.trees {
            for (key, value) in records {
                hashed.line(&Line::Record {
                    tree: tree.clone(),
                    key: B64.encode(key),
                    value: B64.encode(value),
                })?;
                info.count(tree);
            }
        }
        let sha256 = hex::encode(hashed.hasher.finalize());
        let end = Line::End {
            records: info.records,
            sha256,
        };
        let mut text = serde_json::to_vec(&end).map_err(std::io::Error::other)?;
        text.push(b'\n');
        hashed.out.write_all(&text)?;
        hashed.out.flush()?;
        Ok(info)
    }
}

impl BackupInfo {
    fn count(&mut self, tree: &str) {
        self.records += 1;
        match tree {
            super::journal::ENTRIES_TREE => self.journal_entries += 1,
            super::journal::OPEN_TREE => self.followed += 1,
            _ => {}
        }
    }
}

/// A writer that hashes every line it writes.
struct Hashed<'a> {
    out: &'a mut dyn Write,
    hasher: Sha256,
}

impl Hashed<'_> {
    fn line(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_vec(line).map_err(std::io::Error::other)?;
        text.push(b'\n');
        self.hasher.update(&text);
        self.out.write_all(&text)
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Store {
    /// Writes a backup of the whole database to `out`, while the store is
    /// in use: every tree is read while no method writes (writes wait
    /// that long, not while the file is written), so the backup is one
    /// moment of the database — every entry with its indexes.
    pub fn backup(&self, out: &mut dyn Write, now: DateTime<Utc>) -> StoreResult<BackupInfo> {
        let snapshot = self.while_nothing_writes(|| read_all(&self.db))?;
        snapshot
            .write_to(out, now)
            .map_err(|e| StoreError::Backup(format!("cannot write the backup: {e}")))
    }
}

/// Writes a backup of a stopped loket's data dir to `out`. Opens nothing
/// but the database (no key is needed: secrets stay sealed) and creates
/// nothing; a data dir a running loket holds is [`StoreError::InUse`].
pub fn backup_stopped(
    dir: &Path,
    out: &mut dyn Write,
    now: DateTime<Utc>,
) -> StoreResult<BackupInfo> {
    let db = open_existing_db(dir)?;
    let snapshot = read_all(&db)?;
    snapshot
        .write_to(out, now)
        .map_err(|e| StoreError::Backup(format!("cannot write the backup: {e}")))
}

/// Reads a backup line by line and checks it: the header's format and
/// version, every record, and at the end the count and checksum. Hand it
/// each line as read (with its `\n`); it gives back the records.
pub struct BackupReader {
    hasher: Sha256,
    info: Option<BackupInfo>,
    ended: bool,
    line_no: u64,
}

/// One record of a backup: a key and value of a tree.
pub struct Record {
    pub tree: String,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
}

impl Default for BackupReader {
    fn default() -> Self {
        BackupReader {
            hasher: Sha256::new(),
            info: None,
            ended: false,
            line_no: 0,
        }
    }
}

impl BackupReader {
    /// Reads one line; a record comes back, the header and end do not.
    pub fn line(&mut self, raw: &[u8]) -> StoreResult<Option<Record>> {
        self.line_no += 1;
        let at = self.line_no;
        let bad = |why: String| StoreError::Backup(format!("line {at}: {why}"));
        if self.ended {
            return Err(bad("there is more after the end line".into()));
        }
        let line: Line = serde_json::from_slice(raw)
            .map_err(|e| bad(format!("not a line of a loket backup ({e})")))?;
        match (line, self.info.as_mut()) {
            (
                Line::Header {
                    format,
                    version,
                    loket,
                    taken_at,
                },
                None,
            ) => {
                if format != FORMAT {
                    return Err(bad(format!("`{format}` is not a loket backup")));
                }
                if version > VERSION {
                    return Err(bad(format!(
                        "format version {version} was written by a newer loket ({loket}); \
                         this one ({}) reads up to version {VERSION}",
                        env!("CARGO_PKG_VERSION")
                    )));
                }
                self.hasher.update(raw);
                self.info = Some(BackupInfo {
                    loket,
                    taken_at,
                    records: 0,
                    journal_entries: 0,
                    followed: 0,
                });
                Ok(None)
            }
            (_, None) => Err(bad("a backup starts with its header line".into())),
            (Line::Header { .. }, Some(_)) => Err(bad("a second header".into())),
            (Line::Record { tree, key, value }, Some(info)) => {
                self.hasher.update(raw);
                let decode = |what: &str, text: &str| {
                    B64.decode(text)
                        .map_err(|_| bad(format!("the {what} is not base64")))
                };
                let record = Record {
                    key: decode("key", &key)?,
                    value: decode("value", &value)?,
                    tree,
                };
                info.count(&record.tree);
                Ok(Some(record))
            }
            (Line::End { records, sha256 }, Some(info)) => {
                if records != info.records {
                    return Err(bad(format!(
                        "the end line counts {records} records, the file holds {}",
                        info.records
                    )));
                }
                let actual = hex::encode(std::mem::take(&mut self.hasher).finalize());
                if sha256 != actual {
                    return Err(bad(
                        "the checksum does not match: the file was changed or damaged".into(),
                    ));
                }
                self.ended = true;
                Ok(None)
            }
        }
    }

    /// The backup's account of itself, once its end line was read.
    pub fn finish(self) -> StoreResult<BackupInfo> {
        match (self.info, self.ended) {
            (Some(info), true) => Ok(info),
            (None, _) => Err(StoreError::Backup("the file is empty".into())),
            (Some(_), false) => Err(StoreError::Backup(
                "the file ends before its end line: the backup is incomplete".into(),
            )),
        }
    }

    /// Reads a whole backup from `input`, handing each record to `each`.
    pub fn read_all(
        input: &mut dyn BufRead,
        mut each: impl FnMut(Record) -> StoreResult<()>,
    ) -> StoreResult<BackupInfo> {
        let mut reader = BackupReader::default();
        let mut raw = Vec::new();
        loop {
            raw.clear();
            let read = input
                .read_until(b'\n', &mut raw)
                .map_err(|e| StoreError::Backup(format!("cannot read the backup: {e}")))?;
            if read == 0 {
                break;
            }
            if let Some(record) = reader.line(&raw)? {
                each(record)?;
            }
        }
        reader.finish()
    }
}

/// What a restore wrote.
#[derive(Debug)]
pub struct Restored {
    pub backup: BackupInfo,
    /// Accounts in it, each opened with the key it was restored under.
    pub accounts: usize,
    pub indexes: IndexCheck,
}

/// Restores a backup into `dir`, which must hold no database: it may not
/// exist, or be empty but for a key file (`secret.key`). The database is
/// built beside it and takes its place only when the whole file was read
/// and checked, and `key` (else the key file in `dir`) opens every
/// account in it; a backup with accounts and no key is refused, so that
/// no key is made up for them. Nothing is left behind on a refusal.
pub fn restore(
    dir: &Path,
    input: &mut dyn BufRead,
    key: Option<[u8; 32]>,
) -> StoreResult<Restored> {
    refuse_unless_empty(dir)?;
    let key = match key {
        Some(key) => Some(key),
        None if dir.join(KEY_FILE).exists() => Some(super::seal::key_from_file(dir)?),
        None => None,
    };
    let staging = dir.join(STAGING_DIR);
    let built = build(&staging, input, key);
    match built {
        Ok(restored) => {
            std::fs::rename(&staging, dir.join(DB_DIR)).map_err(io_error(dir))?;
            sync_dir(dir)?;
            Ok(restored)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn build(staging: &Path, input: &mut dyn BufRead, key: Option<[u8; 32]>) -> StoreResult<Restored> {
    let db = open_db(staging)?;
    let mut trees: Vec<(String, sled::Tree)> = Vec::new();
    let backup = BackupReader::read_all(input, |record| {
        let tree = match trees.iter().find(|(name, _)| *name == record.tree) {
            Some((_, tree)) => tree.clone(),
            None => {
                let tree = db.open_tree(&record.tree)?;
                trees.push((record.tree.clone(), tree.clone()));
                tree
            }
        };
        tree.insert(record.key, record.value)?;
        Ok(())
    })?;
    drop(trees);
    db.flush()?;
    let held = db.open_tree(super::accounts::TREE)?.len();
    let Some(key) = key else {
        if held > 0 {
            return Err(StoreError::Key(format!(
                "the backup holds {held} account(s) sealed under a secret key: set \
                 LOKET_SECRET_KEY, or put the old data dir's {KEY_FILE} in this data dir first"
            )));
        }
        return Ok(Restored {
            backup,
            accounts: 0,
            indexes: IndexCheck::default(),
        });
    };
    let store = Store::on(db, &key)?;
    let accounts = store.accounts.open_all().map_err(|e| match e {
        StoreError::Key(_) => StoreError::Key(
            "this key does not open the backup's accounts: restore with the \
             LOKET_SECRET_KEY (or key file) of the loket that took it"
                .into(),
        ),
        e => e,
    })?;
    let indexes = store.check_indexes()?;
    store.db.flush()?;
    Ok(Restored {
        backup,
        accounts,
        indexes,
    })
}

/// A data dir restored into holds nothing yet but maybe its key file.
fn refuse_unless_empty(dir: &Path) -> StoreResult<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_error(dir))?;
        }
        return Ok(());
    }
    let mut held: Vec<String> = std::fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != KEY_FILE)
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    held.sort();
    Err(StoreError::Backup(format!(
        "{} is not empty (it holds {}): restore only into a new, empty data dir",
        dir.display(),
        held.join(", ")
    )))
}

fn sync_dir(dir: &Path) -> StoreResult<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))
}

/// Whether a journal's indexes agree with its entries: refIDs that
/// disagree, in each way they can (each list empty when all agree).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexCheck {
    pub entries: usize,
    /// Entries the chat or account index does not name.
    pub not_indexed: Vec<String>,
    /// Index keys naming no entry, or naming one under another chat,
    /// account or time.
    pub dangling: Vec<String>,
    /// Unfinished entries (or final ones not told yet) that the list of
    /// calls followed does not name: never followed at the next start. A
    /// live database has them only for calls whose follow-up gave up
    /// after 24 hours.
    pub not_followed: Vec<String>,
    /// Bills being paid (`Paying`) without a journal entry of that
    /// payment.
    pub paying_without_entry: Vec<String>,
}

impl IndexCheck {
    /// Nothing disagrees.
    pub fn agrees(&self) -> bool {
        self.not_indexed.is_empty()
            && self.dangling.is_empty()
            && self.not_followed.is_empty()
            && self.paying_without_entry.is_empty()
    }
}

impl Store {
    /// Reads the whole journal and its indexes and says where they
    /// disagree (see [`IndexCheck`]).
    pub fn check_indexes(&self) -> StoreResult<IndexCheck> {
        let journal = &self.journal;
        let mut check = IndexCheck::default();
        let mut refs = HashSet::new();
        for item in journal.entries.iter() {
            let (_, bytes) = item?;
            let entry: JournalEntry = decode(&bytes)?;
            check.entries += 1;
            let ref_id = entry.ref_id.as_bytes();
            let indexed = journal.by_chat.get(chat_index_key(entry.chat_id, &entry))?;
            let by_account = journal.by_account.get(account_index_key(&entry))?;
            if indexed.as_deref() != Some(ref_id) || by_account.as_deref() != Some(ref_id) {
                check.not_indexed.push(entry.ref_id.clone());
            }
            let followed = !entry.state.is_final() || !entry.told;
            if followed && !journal.open.contains_key(ref_id)? {
                check.not_followed.push(entry.ref_id.clone());
            }
            refs.insert(entry.ref_id);
        }
        let entry_of = |ref_id: &[u8]| -> StoreResult<Option<JournalEntry>> {
            journal.entries.get(ref_id)?.map(|b| decode(&b)).transpose()
        };
        for item in journal.by_chat.iter() {
            let (key, ref_id) = item?;
            let agrees =
                entry_of(&ref_id)?.is_some_and(|e| chat_index_key(e.chat_id, &e) == key.as_ref());
            if !agrees {
                check
                    .dangling
                    .push(String::from_utf8_lossy(&ref_id).into_owned());
            }
        }
        for item in journal.by_account.iter() {
            let (key, ref_id) = item?;
            let agrees = entry_of(&ref_id)?.is_some_and(|e| account_index_key(&e) == key.as_ref());
            if !agrees {
                check
                    .dangling
                    .push(String::from_utf8_lossy(&ref_id).into_owned());
            }
        }
        for item in journal.open.iter() {
            let (ref_id, _) = item?;
            let ref_id = String::from_utf8_lossy(&ref_id).into_owned();
            if !refs.contains(&ref_id) {
                check.dangling.push(ref_id);
            }
        }
        for item in self.inquiries.tree.iter() {
            let (_, bytes) = item?;
            let inquiry: Inquiry = decode(&bytes)?;
            if inquiry.state == InquiryState::Paying && !refs.contains(&inquiry.ref_id) {
                check.paying_without_entry.push(inquiry.ref_id);
            }
        }
        for list in [
            &mut check.not_indexed,
            &mut check.dangling,
            &mut check.not_followed,
            &mut check.paying_without_entry,
        ] {
            list.sort();
            list.dedup();
        }
        Ok(check)
    }
}
