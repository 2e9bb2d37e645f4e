//! The journal: one entry per money-moving call, keyed by refID and
//! written before the call is sent, with three indexes — by chat and by
//! account (newest last) and the entries whose outcome is not final yet.

use chrono::{DateTime, Utc};
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

use super::{be, decode, encode, rewrite, Store, StoreResult};
use crate::gateway::shown_url;
use crate::model::{EntryState, JournalEntry};

/// Marks a database whose `journal_open` index is complete.
const OPEN_INDEX_MARK: &[u8] = b"journal_open_index_v1";

/// Marks a database whose `journal_by_account` index is complete.
const ACCOUNT_INDEX_MARK: &[u8] = b"journal_account_index_v1";

/// Marks a database whose journal holds no gateway password in clear.
const JOURNAL_URLS_MARK: &[u8] = b"journal_urls_shown_v1";

/// The tree of entries, and the tree listing the entries still followed.
pub(super) const ENTRIES_TREE: &str = "journal";
pub(super) const OPEN_TREE: &str = "journal_open";

#[derive(Clone)]
pub(super) struct Journal {
    /// refID → [`JournalEntry`] (the `journal` tree).
    pub(super) entries: sled::Tree,
    /// (chat, time, refID) → refID.
    pub(super) by_chat: sled::Tree,
    /// refIDs of entries whose outcome is not final yet, so a restart
    /// resumes them without reading the whole journal.
    pub(super) open: sled::Tree,
    /// (account, time, refID) → refID: the duplicate-topup question and
    /// bill rules look across every chat of an account.
    pub(super) by_account: sled::Tree,
}

/// The journal's trees inside a transaction, in [`Journal::trees`] order.
pub(super) type JournalTx<'a> = (
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
);

impl Journal {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Journal> {
        Ok(Journal {
            entries: db.open_tree(ENTRIES_TREE)?,
            by_chat: db.open_tree("journal_by_chat")?,
            open: db.open_tree(OPEN_TREE)?,
            by_account: db.open_tree("journal_by_account")?,
        })
    }

    /// The trees a new entry is written to, for a transaction that spans
    /// them (and maybe others); see [`write_new`].
    pub(super) fn trees(&self) -> (&sled::Tree, &sled::Tree, &sled::Tree, &sled::Tree) {
        (&self.entries, &self.open, &self.by_chat, &self.by_account)
    }

    pub(super) fn get(&self, ref_id: &str) -> StoreResult<Option<JournalEntry>> {
        self.entries
            .get(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The entries an index names under `prefix`, newest first.
    fn newest_under(
        &self,
        index: &sled::Tree,
        prefix: [u8; 8],
        limit: usize,
    ) -> StoreResult<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in index.scan_prefix(prefix).rev() {
            let (_, ref_id) = item?;
            if let Some(entry) = self.get(&String::from_utf8_lossy(&ref_id))? {
                out.push(entry);
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Moves the chat's entries and its index to another chat id.
    pub(super) fn move_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        for item in self.by_chat.scan_prefix(be(from)) {
            let (key, ref_id) = item?;
            let mut moved = be(to).to_vec();
            moved.extend_from_slice(&key[8..]);
            self.by_chat.insert(moved, ref_id.clone())?;
            self.by_chat.remove(key)?;
            rewrite::<JournalEntry>(&self.entries, &ref_id, |e| {
                (e.chat_id == from).then(|| e.chat_id = to).is_some()
            })?;
        }
        Ok(())
    }

    /// Builds the index of unfinished entries once, for a database written
    /// before it existed. Says whether it did (not flushed).
    pub(super) fn build_open_index(&self, db: &sled::Db) -> StoreResult<bool> {
        if db.get(OPEN_INDEX_MARK)?.is_some() {
            return Ok(false);
        }
        for item in self.entries.iter() {
            let (key, bytes) = item?;
            let entry: JournalEntry = decode(&bytes)?;
            if !entry.state.is_final() {
                self.open.insert(key, &[])?;
            }
        }
        db.insert(OPEN_INDEX_MARK, &[])?;
        Ok(true)
    }

    /// Builds the per-account index once, for a database written before it
    /// existed. Says whether it did (not flushed).
    pub(super) fn build_account_index(&self, db: &sled::Db) -> StoreResult<bool> {
        if db.get(ACCOUNT_INDEX_MARK)?.is_some() {
            return Ok(false);
        }
        for item in self.entries.iter() {
            let (_, bytes) = item?;
            let entry: JournalEntry = decode(&bytes)?;
            self.by_account
                .insert(account_index_key(&entry), entry.ref_id.as_bytes())?;
        }
        db.insert(ACCOUNT_INDEX_MARK, &[])?;
        Ok(true)
    }

    /// Masks passwords in the gateway URLs older versions journaled, once
    /// per database. Says whether it ran (not flushed).
    pub(super) fn mask_gateway_urls(&self, db: &sled::Db) -> StoreResult<bool> {
        if db.get(JOURNAL_URLS_MARK)?.is_some() {
            return Ok(false);
        }
        for item in self.entries.iter() {
            let (key, bytes) = item?;
            let mut entry: JournalEntry = decode(&bytes)?;
            let shown = shown_url(&entry.gateway);
            if shown != entry.gateway {
                entry.gateway = shown;
                self.entries.insert(key, encode(&entry))?;
            }
        }
        db.insert(JOURNAL_URLS_MARK, &[])?;
        Ok(true)
    }

    /// Writes `entry` as versions before URL masking did: as given, on a
    /// database not yet masked.
    #[cfg(test)]
    pub(super) fn put_as_written_before_masking(&self, db: &sled::Db, entry: &JournalEntry) {
        self.entries
            .insert(entry.ref_id.as_bytes(), encode(entry))
            .unwrap();
        db.remove(JOURNAL_URLS_MARK).unwrap();
    }
}

/// Writes a new entry and its indexes inside a transaction over
/// [`Journal::trees`]. The caller checked that the refID is not journaled.
pub(super) fn write_new(
    (entries, open, by_chat, by_account): JournalTx<'_>,
    entry: &JournalEntry,
) -> Result<(), UnabortableTransactionError> {
    let ref_id = entry.ref_id.as_bytes();
    entries.insert(ref_id, encode(entry))?;
    open.insert(ref_id, &[])?;
    by_chat.insert(chat_index_key(entry.chat_id, entry), ref_id)?;
    by_account.insert(account_index_key(entry), ref_id)?;
    Ok(())
}

/// Index key of an entry by its account: newest last.
pub(super) fn account_index_key(entry: &JournalEntry) -> Vec<u8> {
    let mut key = account_time_key(entry.account_id, entry.created_at);
    key.extend_from_slice(entry.ref_id.as_bytes());
    key
}

/// Where an account's entries made at `at` begin in its index: a period's
/// entries lie between two of these.
pub(super) fn account_time_key(account_id: i64, at: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let mut key = be(account_id).to_vec();
    key.extend_from_slice(&at.timestamp_micros().to_be_bytes());
    key
}

/// Index key of an entry by its chat: newest last.
pub(super) fn chat_index_key(chat_id: i64, entry: &JournalEntry) -> Vec<u8> {
    let mut key = be(chat_id).to_vec();
    key.extend_from_slice(&entry.created_at.timestamp_micros().to_be_bytes());
    key.extend_from_slice(entry.ref_id.as_bytes());
    key
}

/// An entry as a write of its new state left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub entry: JournalEntry,
    /// This write made the entry final (success or failed). A final
    /// state is never overwritten by a non-final one, so an entry settles
    /// once: a later correction (one final answer replacing another) does
    /// not settle it again.
    pub settled: bool,
}

/// What the journal's list of open entries holds now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenEntries {
    /// Topups and payments without a final answer, being followed.
    pub checking: usize,
    /// When the oldest of them was begun.
    pub oldest_checking: Option<DateTime<Utc>>,
    /// Final results no chat has accepted yet (told again until one does).
    pub untold: usize,
}

impl Store {
    /// Records a new money-moving call and flushes it to disk before the
    /// call is sent. Fails if the refID is already journaled: a refID is
    /// never used for two intents.
    ///
    /// Not a sled transaction: a transaction takes sled's global write lock,
    /// which waits for every flush in progress and meanwhile holds up every
    /// other read, so under load each topup paid for a flush twice. Nothing
    /// here needs one: the entry is written with a compare-and-swap that
    /// only the first writer of a refID wins, then its indexes; and the
    /// call is sent only after the flush below, so whatever a crash leaves
    /// half written (an entry no index names yet) is about a call that was
    /// never sent.
    pub async fn begin_entry(&self, entry: &JournalEntry) -> StoreResult<bool> {
        let journal = &self.journal;
        let ref_id = entry.ref_id.as_bytes();
        let won = self.write(|| {
            let won = journal
                .entries
                .compare_and_swap(ref_id, None as Option<&[u8]>, Some(encode(entry)))?
                .is_ok();
            if won {
                journal.open.insert(ref_id, &[])?;
                journal
                    .by_chat
                    .insert(chat_index_key(entry.chat_id, entry), ref_id)?;
                journal
                    .by_account
                    .insert(account_index_key(entry), ref_id)?;
            }
            Ok(won)
        })?;
        if !won {
            return Ok(false);
        }
        self.flush().await?;
        Ok(true)
    }

    /// Records an entry's new state. A final state (success, failed) is
    /// never overwritten by a later non-final one — a slow status answer
    /// cannot turn a known success back into "being checked". Returns the
    /// entry as stored.
    pub async fn update_entry(&self, entry: &JournalEntry) -> StoreResult<Recorded> {
        let recorded = self.write_entry(entry)?;
        self.flush().await?;
        Ok(recorded)
    }

    /// [`Store::update_entry`] for a money call's first answer, which the
    /// chat should hear without waiting for the disk: written, not flushed
    /// (see the durability rule: the entry begun before the call is on
    /// disk, so an answer lost in a crash only means the call is checked
    /// again at the next start). It reaches the disk with the next flush —
    /// any durable write's, or sled's own, every half second.
    pub fn record_answer(&self, entry: &JournalEntry) -> StoreResult<Recorded> {
        self.write_entry(entry)
    }

    fn write_entry(&self, entry: &JournalEntry) -> StoreResult<Recorded> {
        self.write(|| self.write_entry_now(entry))
    }

    fn write_entry_now(&self, entry: &JournalEntry) -> StoreResult<Recorded> {
        let journal = &self.journal.entries;
        let key = entry.ref_id.as_bytes();
        let (stored, was_final) = loop {
            let current = journal.get(key)?;
            let mut entry = entry.clone();
            let mut was_final = false;
            if let Some(bytes) = &current {
                let existing: JournalEntry = decode(bytes)?;
                was_final = existing.state.is_final();
                if was_final && !entry.state.is_final() {
                    break (existing, true);
                }
                // Only a group's migration moves an entry to another chat,
                // and only `mark_told` tells one.
                entry.chat_id = existing.chat_id;
                entry.told = existing.told;
            }
            let swapped = journal.compare_and_swap(key, current, Some(encode(&entry)))?;
            if swapped.is_ok() {
                break (entry, was_final);
            }
        };
        // Off the open list once final and told; a final result not told
        // yet stays on it, so a restart tells it.
        if stored.state.is_final() && stored.told {
            self.journal.open.remove(key)?;
        }
        Ok(Recorded {
            settled: stored.state.is_final() && !was_final,
            entry: stored,
        })
    }

    /// The chat accepted the message telling this entry's final result
    /// (`state` is the state it told): marked, and off the open list.
    /// Not flushed on its own (see the durability rule): it costs no disk
    /// sync per result, and a mark lost in a crash tells a result twice.
    pub async fn mark_told(&self, ref_id: &str, state: EntryState) -> StoreResult<()> {
        let journal = &self.journal.entries;
        let key = ref_id.as_bytes();
        self.write(|| {
            loop {
                let Some(current) = journal.get(key)? else {
                    return Ok(());
                };
                let mut entry: JournalEntry = decode(&current)?;
                if entry.told || entry.state != state || !state.is_final() {
                    return Ok(());
                }
                entry.told = true;
                if journal
                    .compare_and_swap(key, Some(current), Some(encode(&entry)))?
                    .is_ok()
                {
                    break;
                }
            }
            self.journal.open.remove(key)?;
            Ok(())
        })
    }

    /// Final entries whose result no chat has accepted yet (read through
    /// the open list): told again at start.
    pub fn untold_results(&self) -> StoreResult<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in self.journal.open.iter() {
            let (ref_id, _) = item?;
            if let Some(bytes) = self.journal.entries.get(&ref_id)? {
                let entry: JournalEntry = decode(&bytes)?;
                if entry.state.is_final() && !entry.told {
                    out.push(entry);
                }
            }
        }
        Ok(out)
    }

    pub fn entry(&self, ref_id: &str) -> StoreResult<Option<JournalEntry>> {
        self.journal.get(ref_id)
    }

    /// The chat's most recent entries, newest first.
    pub fn recent_entries(&self, chat_id: i64, limit: usize) -> StoreResult<Vec<JournalEntry>> {
        self.journal
            .newest_under(&self.journal.by_chat, be(chat_id), limit)
    }

    /// The account's most recent entries in every chat, newest first.
    pub fn recent_account_entries(
        &self,
        account_id: i64,
        limit: usize,
    ) -> StoreResult<Vec<JournalEntry>> {
        self.journal
            .newest_under(&self.journal.by_account, be(account_id), limit)
    }

    /// Every entry whose outcome is not final yet (read through the index
    /// of unfinished entries, not the whole journal).
    pub fn unfinished_entries(&self) -> StoreResult<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for item in self.journal.open.iter() {
            let (ref_id, _) = item?;
            if let Some(bytes) = self.journal.entries.get(&ref_id)? {
                let entry: JournalEntry = decode(&bytes)?;
                if !entry.state.is_final() {
                    out.push(entry);
                }
            }
        }
        Ok(out)
    }

    /// Counts what the open list holds, reading only the entries it names
    /// (a handful, however long the journal is): cheap enough for every
    /// metrics scrape.
    pub fn open_entries(&self) -> StoreResult<OpenEntries> {
        let mut open = OpenEntries::default();
        for item in self.journal.open.iter() {
            let (ref_id, _) = item?;
            let Some(bytes) = self.journal.entries.get(&ref_id)? else {
                continue;
            };
            let entry: JournalEntry = decode(&bytes)?;
            if entry.state.is_final() {
                open.untold += usize::from(!entry.told);
            } else {
                open.checking += 1;
                open.oldest_checking = Some(match open.oldest_checking {
                    Some(oldest) => oldest.min(entry.created_at),
                    None => entry.created_at,
                });
            }
        }
        Ok(open)
    }

    /// Takes an unfinished entry off the list resumed at start (its
    /// follow-up gave up and asked for a human); durable, so a restart
    /// does not give up on it again. The entry itself stays.
    pub async fn stop_following(&self, ref_id: &str) -> StoreResult<()> {
        let removed = self.write(|| Ok(self.journal.open.remove(ref_id.as_bytes())?))?;
        if removed.is_some() {
            self.flush().await?;
        }
        Ok(())
    }

    pub fn journal_len(&self) -> usize {
        self.journal.entries.len()
    }
}
