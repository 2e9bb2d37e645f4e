//! Saved customers, per account: (account, product, number) → a name.

use super::{be, decode, encode, Store, StoreResult};
use crate::model::Customer;

/// The `customers` tree: account ‖ product ‖ 0 ‖ number → [`Customer`].
#[derive(Clone)]
pub(super) struct Customers {
    tree: sled::Tree,
}

impl Customers {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Customers> {
        Ok(Customers {
            tree: db.open_tree("customers")?,
        })
    }
}

fn key(account_id: i64, product: &str, dest: &str) -> Vec<u8> {
    let mut key = be(account_id).to_vec();
    key.extend_from_slice(product.as_bytes());
    key.push(0);
    key.extend_from_slice(dest.as_bytes());
    key
}

/// Most customers one account keeps.
pub const MAX_CUSTOMERS: usize = 1000;

impl Store {
    /// The account's customers, by name (then product and number): the
    /// order `pelanggan` numbers them in.
    pub fn customers(&self, account_id: i64) -> StoreResult<Vec<Customer>> {
        let mut out: Vec<Customer> = self
            .customers
            .tree
            .scan_prefix(be(account_id))
            .values()
            .map(|v| decode(&v?))
            .collect::<StoreResult<_>>()?;
        out.sort_by(|a, b| {
            (a.name.to_lowercase(), &a.product, &a.dest).cmp(&(
                b.name.to_lowercase(),
                &b.product,
                &b.dest,
            ))
        });
        Ok(out)
    }

    /// Saves (or renames) a customer; durable. False when the account
    /// already keeps [`MAX_CUSTOMERS`] others.
    pub async fn save_customer(&self, account_id: i64, customer: &Customer) -> StoreResult<bool> {
        let key = key(account_id, &customer.product, &customer.dest);
        let saved = self.write(|| {
            let known = self.customers.tree.contains_key(&key)?;
            if !known && self.customers.tree.scan_prefix(be(account_id)).count() >= MAX_CUSTOMERS {
                return Ok(false);
            }
            self.customers.tree.insert(key, encode(customer))?;
            Ok(true)
        })?;
        if saved {
            self.flush().await?;
        }
        Ok(saved)
    }

    /// Forgets a customer; durable. Says whether it was saved.
    pub async fn forget_customer(&self, account_id: i64, customer: &Customer) -> StoreResult<bool> {
        let removed = self.write(|| {
            Ok(self
                .customers
                .tree
                .remove(key(account_id, &customer.product, &customer.dest))?
                .is_some())
        })?;
        if removed {
            self.flush().await?;
        }
        Ok(removed)
    }
}
