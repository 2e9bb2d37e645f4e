//! The shop's records, per account: its selling-price rules, what its
//! receipts print, and the chats' nightly recap schedules; and the
//! journal read by time that a recap or an export of a period needs.

use chrono::{DateTime, NaiveDate, Utc};

use super::journal::account_time_key;
use super::{be, decode, encode, Store, StoreResult};
use crate::model::JournalEntry;
use crate::shop::{PriceBook, RecapSchedule, ShopProfile};

/// The `price_rules` tree: account → [`PriceBook`]; `shops`: account →
/// [`ShopProfile`]; `recap_schedules`: chat → [`RecapSchedule`].
#[derive(Clone)]
pub(super) struct Shops {
    prices: sled::Tree,
    profiles: sled::Tree,
    recaps: sled::Tree,
}

impl Shops {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Shops> {
        Ok(Shops {
            prices: db.open_tree("price_rules")?,
            profiles: db.open_tree("shops")?,
            recaps: db.open_tree("recap_schedules")?,
        })
    }

    /// Moves a chat's recap schedule to another chat id.
    pub(super) fn move_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        if let Some(bytes) = self.recaps.remove(be(from))? {
            let mut schedule: RecapSchedule = decode(&bytes)?;
            schedule.chat_id = to;
            self.recaps.insert(be(to), encode(&schedule))?;
        }
        Ok(())
    }
}

impl Store {
    pub fn price_book(&self, account_id: i64) -> StoreResult<PriceBook> {
        Ok(self
            .shops
            .prices
            .get(be(account_id))?
            .map(|b| decode(&b))
            .transpose()?
            .unwrap_or_default())
    }

    /// Replaces the account's rules; durable (prices the next sale).
    pub async fn set_price_book(&self, account_id: i64, book: &PriceBook) -> StoreResult<()> {
        self.write(|| Ok(self.shops.prices.insert(be(account_id), encode(book))?))?;
        self.flush().await
    }

    pub fn shop_profile(&self, account_id: i64) -> StoreResult<Option<ShopProfile>> {
        self.shops
            .profiles
            .get(be(account_id))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Sets (or, with `None`, removes) what the account's receipts print;
    /// durable.
    pub async fn set_shop_profile(
        &self,
        account_id: i64,
        profile: Option<&ShopProfile>,
    ) -> StoreResult<()> {
        self.write(|| {
            Ok(match profile {
                Some(profile) => self
                    .shops
                    .profiles
                    .insert(be(account_id), encode(profile))?,
                None => self.shops.profiles.remove(be(account_id))?,
            })
        })?;
        self.flush().await
    }

    pub fn recap_schedule(&self, chat_id: i64) -> StoreResult<Option<RecapSchedule>> {
        self.shops
            .recaps
            .get(be(chat_id))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Every chat's nightly recap.
    pub fn recap_schedules(&self) -> StoreResult<Vec<RecapSchedule>> {
        self.shops
            .recaps
            .iter()
            .values()
            .map(|v| decode(&v?))
            .collect()
    }

    /// Sets a chat's schedule (or, with `None`, turns it off); durable:
    /// a recap marked sent for a day is not sent again after a restart.
    pub async fn set_recap_schedule(
        &self,
        chat_id: i64,
        schedule: Option<&RecapSchedule>,
    ) -> StoreResult<()> {
        self.write(|| {
            Ok(match schedule {
                Some(schedule) => self.shops.recaps.insert(be(chat_id), encode(schedule))?,
                None => self.shops.recaps.remove(be(chat_id))?,
            })
        })?;
        self.flush().await
    }

    /// Marks a chat's recap sent for `day`, unless the schedule changed
    /// meanwhile (compare-and-swap); says whether it did. Durable.
    pub async fn mark_recap_sent(
        &self,
        schedule: &RecapSchedule,
        day: NaiveDate,
    ) -> StoreResult<bool> {
        let key = be(schedule.chat_id);
        let sent = RecapSchedule {
            last_sent: Some(day),
            ..schedule.clone()
        };
        let swapped = self.write(|| {
            Ok(self.shops.recaps.compare_and_swap(
                key,
                Some(encode(schedule)),
                Some(encode(&sent)),
            )?)
        })?;
        if swapped.is_ok() {
            self.flush().await?;
        }
        Ok(swapped.is_ok())
    }

    /// The account's entries made in `[from, to)`, oldest first, read
    /// through the (account, time) index: a month's recap reads that
    /// month only.
    pub fn account_entries_between(
        &self,
        account_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<JournalEntry>> {
        let key = |at| account_time_key(account_id, at);
        let mut out = Vec::new();
        for item in self.journal.by_account.range(key(from)..key(to)) {
            let (_, ref_id) = item?;
            if let Some(entry) = self.journal.get(&String::from_utf8_lossy(&ref_id))? {
                out.push(entry);
            }
        }
        Ok(out)
    }
}
