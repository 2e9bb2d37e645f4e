//! Accounts: each private chat's gateway credentials, the PIN, the API
//! key and the gateway URL sealed (the URL may hold `user:password@`), the
//! record's identity bound into each seal.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::seal::Sealer;
use super::{be, decode, encode, Store, StoreError, StoreResult};
use crate::gateway::{shown_url, BalanceSign, Credentials};

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

/// The `accounts` tree (owner's id → [`StoredAccount`]) and the sealer.
#[derive(Clone)]
pub(super) struct Accounts {
    tree: sled::Tree,
    sealer: Arc<Sealer>,
}

/// The name of the accounts' tree.
pub(super) const TREE: &str = "accounts";

impl Accounts {
    pub(super) fn open(db: &sled::Db, sealer: Sealer) -> StoreResult<Accounts> {
        Ok(Accounts {
            tree: db.open_tree(TREE)?,
            sealer: Arc::new(sealer),
        })
    }

    fn sealed(&self, owner: i64, creds: &Credentials) -> StoredAccount {
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

    /// The tree itself (a rekey reseals it whole).
    pub(super) fn tree(&self) -> &sled::Tree {
        &self.tree
    }

    /// The stored bytes of `creds` sealed under this sealer's key.
    pub(super) fn sealed_record(&self, owner: i64, creds: &Credentials) -> Vec<u8> {
        encode(&self.sealed(owner, creds))
    }

    fn put(&self, owner: i64, creds: &Credentials) -> StoreResult<()> {
        self.tree
            .insert(be(owner), encode(&self.sealed(owner, creds)))?;
        Ok(())
    }

    pub(super) fn get(&self, owner: i64) -> StoreResult<Option<Credentials>> {
        let Some(bytes) = self.tree.get(be(owner))? else {
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

    fn remove(&self, owner: i64) -> StoreResult<bool> {
        Ok(self.tree.remove(be(owner))?.is_some())
    }

    /// Seals the gateway URL of accounts that older versions stored in
    /// clear. Says whether it changed anything (not flushed).
    pub(super) fn seal_clear_urls(&self) -> StoreResult<bool> {
        let mut resealed = false;
        for item in self.tree.iter() {
            let (key, bytes) = item?;
            let stored: StoredAccount = decode(&bytes)?;
            if stored.sealed_url.is_some() {
                continue;
            }
            let owner = owner_of(&key)?;
            if let Some(creds) = self.get(owner)? {
                self.tree.insert(key, encode(&self.sealed(owner, &creds)))?;
                resealed = true;
            }
        }
        Ok(resealed)
    }

    /// Opens every account's secrets (in memory only, and dropped at
    /// once): how many there are, or the first that does not open.
    pub(super) fn open_all(&self) -> StoreResult<usize> {
        let mut opened = 0;
        for key in self.tree.iter().keys() {
            let owner = owner_of(&key?)?;
            self.get(owner)?;
            opened += 1;
        }
        Ok(opened)
    }

    /// The record as stored, as text.
    #[cfg(test)]
    pub(super) fn raw(&self, owner: i64) -> Option<String> {
        let bytes = self.tree.get(be(owner)).unwrap()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes `creds` as versions before `sealed_url` did: the real URL in
    /// clear.
    #[cfg(test)]
    pub(super) fn put_clear_url(&self, owner: i64, creds: &Credentials) -> StoreResult<()> {
        let mut old = self.sealed(owner, creds);
        old.base_url = creds.base_url.clone();
        old.sealed_url = None;
        self.tree.insert(be(owner), encode(&old))?;
        Ok(())
    }
}

/// The owner's id an account is stored under.
pub(super) fn owner_of(key: &[u8]) -> StoreResult<i64> {
    key.try_into()
        .map(i64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt("account key is not an id".into()))
}

impl Store {
    /// Saves (replaces) the account of a private chat; durable.
    pub async fn save_account(&self, owner: i64, creds: &Credentials) -> StoreResult<()> {
        self.write(|| self.accounts.put(owner, creds))?;
        self.flush().await
    }

    pub fn account(&self, owner: i64) -> StoreResult<Option<Credentials>> {
        self.accounts.get(owner)
    }

    /// Forgets the account; durable. Says whether there was one.
    pub async fn remove_account(&self, owner: i64) -> StoreResult<bool> {
        let removed = self.write(|| self.accounts.remove(owner))?;
        if removed {
            self.flush().await?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::store::Location;

    #[tokio::test]
    async fn a_saved_gateway_url_is_sealed_and_shown_masked() {
        let store = Store::open(&Location::Temporary, None).unwrap();
        let creds = Credentials {
            member_id: "AGEN7".into(),
            pin: Secret::new("73916458"),
            api_key: Secret::new("kunci-rahasia-9f3"),
            base_url: "https://agen:Sup3rPass@h2h.example.co.id".into(),
            balance_sign: BalanceSign::Fields,
        };
        store.save_account(7, &creds).await.unwrap();
        let raw = store.accounts.raw(7).unwrap();
        assert!(!raw.contains("Sup3rPass"), "{raw}");
        assert!(raw.contains("agen:***@h2h.example.co.id"), "{raw}");
        let creds = store.account(7).unwrap().unwrap();
        assert_eq!(creds.base_url, "https://agen:Sup3rPass@h2h.example.co.id");
    }
}
