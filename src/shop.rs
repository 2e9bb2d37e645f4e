//! The reseller's shop as data and rules: selling-price rules and how a
//! sale's price is fixed from them, the shop's identity on receipts, the
//! nightly recap's schedule, a recap's sums over journal entries, and what
//! a PLN token's SN holds.
//!
//! A sale's price is fixed when the sale is journaled ([`Pricing`], kept
//! in the entry): a rule changed later never rewrites what was sold.
//!
//! Owns: rule precedence, price and profit arithmetic, recap sums.
//! Must not: do I/O, read the clock or format user text (the engine's
//! renderer words all of it).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{EntryState, JournalEntry};
use crate::money::Rupiah;

/// One selling-price rule of an account (`/jual`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriceRule {
    /// `jual T10 12000`: this code sells at this price.
    Fixed { code: String, price: Rupiah },
    /// `jual T10 +500` (one code) or `jual T* +1000` (every code that
    /// starts with `T`): the gateway's price plus `add`.
    Markup { pattern: String, add: Rupiah },
    /// `jual pln +2500`: an "admin loket" fee on every bill of a family.
    FamilyFee { family: String, fee: Rupiah },
}

impl PriceRule {
    /// What the rule is about, as typed to remove it (`T10`, `T*`,
    /// `pln`). An account has at most one rule per key.
    pub fn key(&self) -> String {
        match self {
            PriceRule::Fixed { code, .. } => code.clone(),
            PriceRule::Markup { pattern, .. } => pattern.clone(),
            PriceRule::FamilyFee { family, .. } => family.clone(),
        }
    }

    /// How the rule prices a sale.
    pub fn pricing(&self) -> Pricing {
        match self {
            PriceRule::Fixed { price, .. } => Pricing::Fixed(*price),
            PriceRule::Markup { add, .. } => Pricing::Markup(*add),
            PriceRule::FamilyFee { fee, .. } => Pricing::Markup(*fee),
        }
    }

    /// The prefix of a `T*` rule.
    fn prefix(&self) -> Option<&str> {
        match self {
            PriceRule::Markup { pattern, .. } => pattern.strip_suffix('*'),
            _ => None,
        }
    }

    /// True for a rule naming exactly this upper-case code.
    fn is_exact(&self, code: &str) -> bool {
        match self {
            PriceRule::Fixed { code: c, .. } => c == code,
            PriceRule::Markup { pattern, .. } => pattern == code,
            PriceRule::FamilyFee { .. } => false,
        }
    }
}

/// A normalised rule key: codes and prefixes upper case, families lower.
pub fn rule_key(typed: &str) -> String {
    if crate::catalog::family_by_key(typed).is_some() && !typed.contains('*') {
        typed.to_ascii_lowercase()
    } else {
        typed.to_ascii_uppercase()
    }
}

/// How one sale was priced, fixed when it was journaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pricing {
    /// Sold at this price whatever the gateway charged.
    Fixed(Rupiah),
    /// Sold at the gateway's price plus this.
    Markup(Rupiah),
}

impl Pricing {
    /// What the customer pays, given what the gateway charged (`None`
    /// while that is not known, unless the price is fixed).
    pub fn selling_price(pricing: Option<Pricing>, cost: Option<Rupiah>) -> Option<Rupiah> {
        match pricing {
            Some(Pricing::Fixed(price)) => Some(price),
            Some(Pricing::Markup(add)) => cost.and_then(|c| c.checked_add(add)),
            None => cost,
        }
    }
}

/// An account's rules, and which one prices a product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBook {
    pub rules: Vec<PriceRule>,
}

impl PriceBook {
    /// The rule that prices `product` (upper case, `@` suffix dropped) of
    /// bill `family` (`None` for a prepaid code): a rule naming the code
    /// beats everything; then, for a bill, its family's fee (a prefix such
    /// as `T*`, meant for Telkomsel topups, must not mark up TELEPON bills);
    /// then the longest matching prefix. `None`: sold at the gateway's
    /// price.
    pub fn rule_for(&self, product: &str, family: Option<&str>) -> Option<&PriceRule> {
        let code = product.split('@').next().unwrap_or(product);
        if let Some(exact) = self.rules.iter().find(|r| r.is_exact(code)) {
            return Some(exact);
        }
        if let Some(family) = family {
            let fee = self
                .rules
                .iter()
                .find(|r| matches!(r, PriceRule::FamilyFee { family: f, .. } if f == family));
            if fee.is_some() {
                return fee;
            }
        }
        self.rules
            .iter()
            .filter_map(|r| r.prefix().map(|p| (p, r)))
            .filter(|(p, _)| code.starts_with(p))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, r)| r)
    }

    pub fn pricing_for(&self, product: &str, family: Option<&str>) -> Option<Pricing> {
        self.rule_for(product, family).map(PriceRule::pricing)
    }

    /// Adds a rule, replacing the one with the same key. Rules are kept
    /// sorted by key, as `/jual` lists them.
    pub fn set(&mut self, rule: PriceRule) {
        self.rules.retain(|r| r.key() != rule.key());
        self.rules.push(rule);
        self.rules.sort_by_key(PriceRule::key);
    }

    /// The rule with this key (`T10`, `T*`, `pln`).
    pub fn rule_for_key(&self, key: &str) -> Option<&PriceRule> {
        self.rules.iter().find(|r| r.key() == key)
    }

    /// Removes the rule with this key; false when there was none.
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.key() != key);
        self.rules.len() != before
    }
}

/// Most rules one account keeps (a reseller's price list is short).
pub const MAX_PRICE_RULES: usize = 200;

/// What a shop prints on its receipts (`/toko`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopProfile {
    pub name: String,
    pub address: Option<String>,
    /// The last line of every receipt (`/toko catatan …`).
    pub footer: Option<String>,
}

/// Longest shop name, address or footer kept (a receipt line or two).
pub const MAX_SHOP_TEXT: usize = 80;

/// A chat's nightly recap (`/rekap otomatis 21:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecapSchedule {
    pub chat_id: i64,
    /// The account whose sales it sums.
    pub account_id: i64,
    /// Minutes after 00:00 WIB.
    pub minute: u16,
    /// The last WIB day it was sent for: sent once per day.
    pub last_sent: Option<NaiveDate>,
}

impl RecapSchedule {
    /// Due on `today` (WIB) at `minute_now` minutes after midnight WIB:
    /// its time has come and it was not sent today. A recap whose minute
    /// passed while loket was down is still due until midnight.
    pub fn is_due(&self, today: NaiveDate, minute_now: u16) -> bool {
        minute_now >= self.minute && self.last_sent.is_none_or(|day| day < today)
    }
}

/// What a period's journal entries add up to. Only successes count as
/// sold; a success whose gateway price is unknown counts as sold at its
/// selling price with no profit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecapSums {
    pub success: u32,
    pub failed: u32,
    /// Neither success nor failed yet.
    pub checking: u32,
    /// Paid to the gateway, for the successes.
    pub paid: Rupiah,
    /// Collected from customers (selling prices), for the successes.
    pub sold: Rupiah,
    pub profit: Rupiah,
    /// Successes per product: (product, count, sold), most sold first.
    pub top: Vec<(String, u32, Rupiah)>,
    /// Per WIB day of the period: (day of month, sold, profit).
    pub days: BTreeMap<u32, (Rupiah, Rupiah)>,
}

/// How many products a recap lists.
pub const TOP_PRODUCTS: usize = 5;

impl RecapSums {
    /// Sums `entries`; `day_of` gives an entry's WIB day of month.
    pub fn of<'a>(
        entries: impl IntoIterator<Item = &'a JournalEntry>,
        day_of: impl Fn(&JournalEntry) -> u32,
    ) -> RecapSums {
        let mut sums = RecapSums::default();
        let mut products: BTreeMap<String, (u32, Rupiah)> = BTreeMap::new();
        for entry in entries {
            match entry.state {
                EntryState::Success => {}
                EntryState::Failed => {
                    sums.failed += 1;
                    continue;
                }
                _ => {
                    sums.checking += 1;
                    continue;
                }
            }
            sums.success += 1;
            let cost = entry.charged().unwrap_or_default();
            let sold = entry.selling_price().unwrap_or(cost);
            let profit = entry.profit().unwrap_or_default();
            sums.paid = Rupiah(sums.paid.0.saturating_add(cost.0));
            sums.sold = Rupiah(sums.sold.0.saturating_add(sold.0));
            sums.profit = Rupiah(sums.profit.0.saturating_add(profit.0));
            let product = products.entry(entry.product.clone()).or_default();
            product.0 += 1;
            product.1 = Rupiah(product.1 .0.saturating_add(sold.0));
            let day = sums.days.entry(day_of(entry)).or_default();
            day.0 = Rupiah(day.0 .0.saturating_add(sold.0));
            day.1 = Rupiah(day.1 .0.saturating_add(profit.0));
        }
        let mut top: Vec<(String, u32, Rupiah)> = products
            .into_iter()
            .map(|(product, (count, sold))| (product, count, sold))
            .collect();
        top.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
        top.truncate(TOP_PRODUCTS);
        sums.top = top;
        sums
    }
}

impl JournalEntry {
    /// What the sale cost the reseller: the gateway's price, or for a paid
    /// bill whose answer named none, the total its check showed. `None`
    /// unless it succeeded: nothing else was charged.
    pub fn charged(&self) -> Option<Rupiah> {
        match self.state {
            EntryState::Success => self.cost.or(self.bill_total),
            _ => None,
        }
    }

    /// What the customer pays for this sale, as priced when it was made
    /// (`None` unless it succeeded).
    pub fn selling_price(&self) -> Option<Rupiah> {
        if self.state != EntryState::Success {
            return None;
        }
        Pricing::selling_price(self.pricing, self.charged())
    }

    /// Selling price minus what the sale cost, when both are known.
    pub fn profit(&self) -> Option<Rupiah> {
        let sold = self.selling_price()?;
        let cost = self.charged()?;
        Some(Rupiah(sold.0 - cost.0))
    }
}

/// What a PLN prepaid SN holds: the 20-digit token and, when the center
/// packs it (`2514-1798-8056-2280-2824/HASMALINDA/R1M/900VA/33.7`, FIELD.md
/// "Receipts"), the name, tariff/power and kWh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlnToken {
    /// Grouped 4-4-4-4-4 with spaces.
    pub token: String,
    pub name: Option<String>,
    /// `R1M/900VA`.
    pub tariff: Option<String>,
    /// As the center wrote it, with a decimal comma (`33,7`).
    pub kwh: Option<String>,
}

impl PlnToken {
    /// Reads an SN; `None` unless its first part is 20 digits (dashes and
    /// spaces allowed between them). The parts after it are read by their
    /// shape, in any order: a power (`900VA`), a tariff (`R1M`, `B2`), a
    /// kWh (`33.7`, `33,7`, `12,5kWh`: a number that is not a power), and
    /// the first other part with letters is the name.
    pub fn of_sn(sn: &str) -> Option<PlnToken> {
        let mut parts = sn.split('/').map(str::trim);
        let first = parts.next()?;
        let digits: String = first.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let token = digits
            .as_bytes()
            .chunks(4)
            .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
        // The kWh is the last number; a whole number before it is the power
        // written without `VA` (`R1/1300/13.8`).
        let kwh_at = parts
            .iter()
            .rposition(|p| !is_power(p) && kwh_value(p).is_some());
        let (mut name, mut tariff, mut power) = (None, None, None);
        for (i, part) in parts.iter().enumerate() {
            if Some(i) == kwh_at {
                continue;
            }
            let whole = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            if power.is_none() && (is_power(part) || whole) {
                power = Some(if whole {
                    format!("{part}VA")
                } else {
                    part.to_string()
                });
            } else if tariff.is_none() && is_tariff(part) {
                tariff = Some(part.to_string());
            } else if name.is_none() && part.chars().any(char::is_alphabetic) {
                name = Some(part.to_string());
            }
        }
        let kwh = kwh_at.and_then(|i| kwh_value(parts[i]));
        let tariff = match (tariff, power) {
            (Some(t), Some(p)) => Some(format!("{t}/{p}")),
            (t, p) => t.or(p),
        };
        Some(PlnToken {
            token,
            name,
            tariff,
            kwh,
        })
    }
}

/// `900VA`, `1300 VA`, `2200va`.
fn is_power(part: &str) -> bool {
    let upper = part.to_ascii_uppercase();
    upper
        .strip_suffix("VA")
        .map(str::trim)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// PLN tariff classes: `R1`, `R1M`, `R2`, `B1`, `S2`, `P1`, `I3`, …
fn is_tariff(part: &str) -> bool {
    let bytes = part.as_bytes();
    (2..=4).contains(&bytes.len())
        && matches!(
            bytes[0].to_ascii_uppercase(),
            b'R' | b'B' | b'S' | b'P' | b'I' | b'L' | b'T' | b'C'
        )
        && bytes[1].is_ascii_digit()
        && bytes[2..]
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b.to_ascii_uppercase(), b'M' | b'T'))
}

/// A kWh amount with a decimal comma: `33.7` → `33,7`; `12,5kWh` → `12,5`.
fn kwh_value(part: &str) -> Option<String> {
    let lower = part.to_ascii_lowercase();
    let number = lower.strip_suffix("kwh").unwrap_or(&lower).trim();
    let separators = number.chars().filter(|c| matches!(c, '.' | ',')).count();
    let valid = !number.is_empty()
        && separators <= 1
        && number.chars().any(|c| c.is_ascii_digit())
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    valid.then(|| number.replace('.', ","))
}
