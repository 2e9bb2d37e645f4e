//! Rekeying: every sealed secret (each account's PIN, API key and
//! gateway URL) opened with the old key and sealed again under a new one,
//! on a stopped data dir, in one sled transaction — every account under
//! the new key, or nothing changed. Secrets are opened in memory only.
//!
//! Owns: resealing and, when the old key was the key file, replacing that
//! file. Must not: print or keep a secret.

use std::path::Path;

use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::accounts::{owner_of, Accounts};
use super::seal::{read_key_file, replace_key_file, Sealer};
use super::{open_existing_db, StoreError, StoreResult, KEY_FILE};

/// What a rekey did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rekeyed {
    /// Accounts sealed again under the new key.
    pub resealed: usize,
    /// Accounts already under the new key (a rekey that was stopped
    /// between the database and the key file, run again).
    pub already: usize,
    /// Whether the key file was replaced by the new key (the old key was
    /// the key file's, not `LOKET_SECRET_KEY`).
    pub key_file_replaced: bool,
}

/// Seals every account of the stopped data dir `dir` again under `new`.
/// `old` is `LOKET_SECRET_KEY`; `None` means the key file in `dir`, which
/// is then replaced by `new` once the database is. Refused, with nothing
/// changed, when an account opens with neither key.
pub fn rekey(dir: &Path, old: Option<[u8; 32]>, new: [u8; 32]) -> StoreResult<Rekeyed> {
    let (old, from_file) = match old {
        Some(old) => (old, false),
        None => match read_key_file(dir)? {
            Some(old) => (old, true),
            None => {
                return Err(StoreError::Key(format!(
                    "no old key: set LOKET_SECRET_KEY, or keep {KEY_FILE} in the data dir"
                )))
            }
        },
    };
    if old == new {
        return Err(StoreError::Key(
            "LOKET_NEW_SECRET_KEY is the key in use: nothing to change".into(),
        ));
    }
    let db = open_existing_db(dir)?;
    let under_old = Accounts::open(&db, Sealer::new(&old))?;
    let under_new = Accounts::open(&db, Sealer::new(&new))?;
    let mut resealed = Vec::new();
    let mut already = 0;
    for key in under_old.tree().iter().keys() {
        let key = key?;
        let owner = owner_of(&key)?;
        match under_old.get(owner) {
            Ok(Some(creds)) => resealed.push((key, under_new.sealed_record(owner, &creds))),
            Ok(None) => {}
            Err(StoreError::Key(_)) => match under_new.get(owner) {
                Ok(_) => already += 1,
                Err(StoreError::Key(_)) => {
                    return Err(StoreError::Key(format!(
                        "the account of {owner} opens with neither the old nor the new key: \
                         nothing was changed"
                    )))
                }
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    let written = under_old.tree().transaction(|accounts| {
        for (key, record) in &resealed {
            accounts.insert(key, record.as_slice())?;
        }
        Ok::<_, ConflictableTransactionError<StoreError>>(())
    });
    match written {
        Ok(()) => {}
        Err(TransactionError::Abort(e)) => return Err(e),
        Err(TransactionError::Storage(e)) => return Err(e.into()),
    }
    db.flush()?;
    drop((under_old, under_new));
    drop(db);
    if from_file {
        replace_key_file(dir, &new)?;
    }
    Ok(Rekeyed {
        resealed: resealed.len(),
        already,
        key_file_replaced: from_file,
    })
}
