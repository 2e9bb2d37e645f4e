//! Low-balance alerts: per account, the threshold and whether its owner
//! has been told the balance went under it.

use super::{be, decode, encode, Store, StoreResult};
use crate::model::BalanceWatch;
use crate::money::Rupiah;

/// The `balance_alerts` tree: account → [`BalanceWatch`].
#[derive(Clone)]
pub(super) struct Alerts {
    tree: sled::Tree,
}

impl Alerts {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Alerts> {
        Ok(Alerts {
            tree: db.open_tree("balance_alerts")?,
        })
    }
}

/// What a balance seen changed about an account's alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceSeen {
    /// Went under the threshold now: tell the owner (once).
    WentUnder(BalanceWatch),
    /// Nothing to tell (no alert, told already, or above the threshold).
    Quiet,
}

impl Store {
    pub fn balance_watch(&self, account_id: i64) -> StoreResult<Option<BalanceWatch>> {
        self.alerts
            .tree
            .get(be(account_id))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Sets (or, with `None`, removes) the account's alert; a new
    /// threshold is armed again. Durable.
    pub async fn set_balance_watch(
        &self,
        account_id: i64,
        threshold: Option<Rupiah>,
    ) -> StoreResult<()> {
        self.write(|| {
            match threshold {
                Some(threshold) => self.alerts.tree.insert(
                    be(account_id),
                    encode(&BalanceWatch {
                        threshold,
                        alerted: false,
                    }),
                )?,
                None => self.alerts.tree.remove(be(account_id))?,
            };
            Ok(())
        })?;
        self.flush().await
    }

    /// A balance the gateway reported for the account: arms or fires its
    /// alert with a compare-and-swap, so racing sales fire it once.
    /// Durable when it changed: a fired alert is not fired again after a
    /// restart.
    pub async fn balance_seen(&self, account_id: i64, balance: Rupiah) -> StoreResult<BalanceSeen> {
        let key = be(account_id);
        loop {
            let Some(current) = self.alerts.tree.get(key)? else {
                return Ok(BalanceSeen::Quiet);
            };
            let watch: BalanceWatch = decode(&current)?;
            let under = balance < watch.threshold;
            if under == watch.alerted {
                return Ok(BalanceSeen::Quiet);
            }
            let next = BalanceWatch {
                alerted: under,
                ..watch
            };
            let swapped = self.write(|| {
                Ok(self
                    .alerts
                    .tree
                    .compare_and_swap(key, Some(current), Some(encode(&next)))?)
            })?;
            if swapped.is_ok() {
                self.flush().await?;
                return Ok(if under {
                    BalanceSeen::WentUnder(next)
                } else {
                    BalanceSeen::Quiet
                });
            }
        }
    }
}
