//! Inquiries (bill checks, keyed by refID) and the bills they check: per
//! account, product and customer number, the newest check — the only one
//! that may be paid — and the latest payment. Claiming a payment spans
//! these and the journal in one transaction.

use chrono::{DateTime, Utc};

use super::journal::write_new;
use super::{be, decode, encode, rewrite, Store, StoreError, StoreResult};
use crate::model::{BillRecord, Claim, EntryState, Inquiry, InquiryState, JournalEntry};

#[derive(Clone)]
pub(super) struct Inquiries {
    /// refID → [`Inquiry`] (the `inquiries` tree).
    pub(super) tree: sled::Tree,
    /// (account, product, customer number) → [`BillRecord`].
    bills: sled::Tree,
}

impl Inquiries {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Inquiries> {
        Ok(Inquiries {
            tree: db.open_tree("inquiries")?,
            bills: db.open_tree("bills")?,
        })
    }

    /// Moves the chat's inquiries to another chat id.
    pub(super) fn move_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        for item in self.tree.iter() {
            let (key, _) = item?;
            rewrite::<Inquiry>(&self.tree, &key, |i| {
                (i.chat_id == from).then(|| i.chat_id = to).is_some()
            })?;
        }
        Ok(())
    }
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

impl Store {
    /// Stores a fresh inquiry and makes it its bill's newest check: from
    /// now on only this one of the account's checks of that bill is
    /// payable.
    pub async fn put_inquiry(&self, inquiry: &Inquiry) -> StoreResult<()> {
        self.write(|| {
            self.inquiries
                .tree
                .insert(inquiry.ref_id.as_bytes(), encode(inquiry))?;
            let key = bill_key(inquiry.account_id, &inquiry.product, &inquiry.dest);
            let mut failure = None;
            self.inquiries.bills.fetch_and_update(&key, |old| {
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
            failure.map_or(Ok(()), Err)
        })?;
        self.flush().await
    }

    pub fn inquiry(&self, ref_id: &str) -> StoreResult<Option<Inquiry>> {
        self.inquiries
            .tree
            .get(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The record of one bill of an account (`@` suffixes ignored).
    pub fn bill(&self, account_id: i64, product: &str, dest: &str) -> StoreResult<BillRecord> {
        Ok(self
            .inquiries
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
        let (journal, open, by_chat, by_account) = self.journal.trees();
        let trees = (
            &self.inquiries.tree,
            &self.inquiries.bills,
            journal,
            open,
            by_chat,
            by_account,
        );
        let ref_id = entry.ref_id.as_bytes();
        let outcome = self
            .between_flushes(|| {
                Ok(
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
                                let recent =
                                    paid_since.is_some_and(|since| previous.created_at >= since);
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
                        write_new((journal, open, by_chat, by_account), entry)?;
                        Ok(Claim::Claimed(inquiry))
                    }),
                )
            })
            .await?;
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
        let inquiries = &self.inquiries.tree;
        loop {
            let Some(current_bytes) = inquiries.get(ref_id.as_bytes())? else {
                return Ok(None);
            };
            let mut inquiry: Inquiry = decode(&current_bytes)?;
            if inquiry.state != from {
                return Ok(None);
            }
            inquiry.state = to;
            let swapped = self.write(|| {
                Ok(inquiries.compare_and_swap(
                    ref_id.as_bytes(),
                    Some(current_bytes),
                    Some(encode(&inquiry)),
                )?)
            })?;
            if swapped.is_ok() {
                self.flush().await?;
                return Ok(Some(inquiry));
            }
        }
    }
}
