//! What the sandbox sells: topup prices and serials, simulated bills, and
//! the special destinations that trigger faults. All deterministic, so a test
//! or a demo sees the same bill for the same customer every time.
//!
//! Owns: the price rule, the bill rule (with the seed's fixture), the name
//! list, the stable hash. Must not: hold state, do I/O, or use std's
//! randomly seeded hasher (a bill must not change between runs).

use crate::catalog::{BillShape, Catalog, ProductKind};
use crate::money::Rupiah;

/// Why a product or destination is refused as a business failure (GAGAL).
pub(super) const PRODUCT_UNAVAILABLE: &str = "produk tidak tersedia";
pub(super) const WRONG_NUMBER: &str = "nomor tujuan salah";
pub(super) const WRONG_CUSTOMER_ID: &str = "IDPEL salah";
/// A check of a bill that was paid (centers word it `Tagihan sudah lunas`).
pub(super) const BILL_PAID: &str = "Tagihan sudah lunas";
const BAD_MONTHS: &str = "jumlah bulan salah";
const BAD_DEST_FORMAT: &str = "format tujuan salah";
const BAD_PRODUCT_FORMAT: &str = "format produk salah";
const BAD_AMOUNT: &str = "nominal bayar salah";

/// Topup codes carry their nominal in thousands: `T10` is Rp10.000.
const MAX_TOPUP_NOMINAL: u64 = 1000;
/// Every topup costs its nominal plus this margin (`T1` → `HRG:2000`).
const TOPUP_MARGIN: i64 = 1000;
/// The largest credit-card payment accepted (`CODE@amount`).
const MAX_CARD_PAYMENT: i64 = 1_000_000_000;
/// The R1/1300 VA tariff, in hundredths of a Rupiah per kWh (Rp1.444,70).
const R1_TARIFF_CENTS_PER_KWH: u64 = 144_470;

/// Customer names for simulated bills; some hold a space on purpose
/// (`DATA:Siti Aminah`), as real gateways send them.
const NAMES: &[&str] = &[
    "Anto",
    "Siti Aminah",
    "Budi Santoso",
    "Dewi Lestari",
    "Agus Salim",
    "Rina Wati",
    "Joko Susilo",
    "Wayan Sudarma",
    "Made Ayu",
    "Hendra Gunawan",
    "Nur Hidayah",
    "Yusuf Maulana",
    "Rahmat Hidayat",
    "Fitri Handayani",
    "Slamet Riyadi",
    "Putri Ramadhani",
];

/// Bills pinned to the seed's examples: (product, dest, name, bill, admin).
const FIXTURES: &[(&str, &str, &str, i64, i64)] =
    &[("PLNPASC", "546302215889", "Anto", 300_000, 2_750)];

/// A fault chosen by the destination number (the first 8 characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DestFault {
    /// Process and charge, then answer only after `slow_delay`.
    Slow,
    /// Process and charge, then answer HTTP 500 with an error page.
    ServerError,
    /// Process and charge, then answer HTTP 200 with an HTML page.
    Garbage,
    /// Process and charge, then break the connection.
    Drop,
    /// Charge and answer PENDING; status checks resolve it to SUKSES.
    Pending,
    /// A business failure (GAGAL) before any charge.
    Refused,
    /// HTTP 500 before anything is processed or recorded.
    Unprocessed,
    /// A check answers GAGAL `Tagihan sudah lunas` (nothing to pay).
    Paid,
}

const DEST_FAULTS: &[(&str, DestFault)] = &[
    ("08990001", DestFault::Slow),
    ("08990002", DestFault::ServerError),
    ("08990003", DestFault::Garbage),
    ("08990004", DestFault::Drop),
    ("08990005", DestFault::Pending),
    ("08990006", DestFault::Refused),
    ("08990007", DestFault::Unprocessed),
    ("08990008", DestFault::Paid),
];

impl DestFault {
    /// The fault a destination asks for, if any (`08990002@3` counts too).
    pub(super) fn of(dest: &str) -> Option<DestFault> {
        let prefix = dest.get(..8)?;
        DEST_FAULTS
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(_, fault)| *fault)
    }
}

/// FNV-1a, 64 bit: small, stable across runs and platforms.
pub(super) fn stable_hash(parts: &[&str]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash = (hash ^ 0x1f).wrapping_mul(PRIME); // unit separator
        }
        for byte in part.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
    hash
}

/// `count` decimal digits drawn from `seed` (an LCG stepped from the hash).
fn digits(seed: &[&str], count: usize) -> String {
    let mut state = stable_hash(seed);
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from(b'0' + ((state >> 33) % 10) as u8)
        })
        .collect()
}

fn name_for(parts: &[&str]) -> &'static str {
    NAMES[(stable_hash(parts) % NAMES.len() as u64) as usize]
}

/// A prepaid code's nominal in thousands: the digits in the code.
fn topup_nominal(product: &str) -> Option<u64> {
    if !product.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let digits: String = product.chars().filter(char::is_ascii_digit).collect();
    let nominal: u64 = digits.parse().ok()?;
    (nominal <= MAX_TOPUP_NOMINAL).then_some(nominal)
}

/// What a prepaid code costs: nominal × 1000 + 1000 (`T1` → Rp2.000).
pub(super) fn topup_price(product: &str) -> Option<Rupiah> {
    let nominal = i64::try_from(topup_nominal(product)?).ok()?;
    Some(Rupiah(nominal * 1000 + TOPUP_MARGIN))
}

/// The serial number of a successful topup, deterministic from the refID.
/// PLN codes get a 20-digit token with the meter's name, tariff and kWh.
pub(super) fn topup_serial(product: &str, dest: &str, ref_id: &str) -> String {
    let is_token = product.to_ascii_uppercase().starts_with("PLN");
    match topup_nominal(product) {
        Some(nominal) if is_token => {
            let token = digits(&["token", ref_id], 20);
            let name = name_for(&["meter", dest]).to_uppercase();
            let tenths_kwh = nominal * 1000 * 1000 / R1_TARIFF_CENTS_PER_KWH;
            format!(
                "{token}/{name}/R1/1300/{}.{}",
                tenths_kwh / 10,
                tenths_kwh % 10
            )
        }
        _ => digits(&["serial", ref_id], 16),
    }
}

/// One simulated bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Quote {
    pub name: String,
    pub bill: Rupiah,
    pub admin: Rupiah,
}

impl Quote {
    pub(super) fn total(&self) -> Rupiah {
        Rupiah(self.bill.0 + self.admin.0)
    }
}

/// A 4-digit year a tax bill may be for.
fn year(text: &str) -> Option<u32> {
    if text.len() != 4 {
        return None;
    }
    text.parse().ok().filter(|y| (1900..=2100).contains(y))
}

/// The bill for `product`/`dest`, or why there is none (a GAGAL reason).
/// Codes the catalogue does not know are read as plain bills, so an
/// operator's own codes still work against the sandbox.
pub(super) fn quote(catalog: &Catalog, product: &str, dest: &str) -> Result<Quote, &'static str> {
    if let Some(&(_, _, name, bill, admin)) = FIXTURES
        .iter()
        .find(|(p, d, ..)| *p == product && *d == dest)
    {
        return Ok(Quote {
            name: name.to_string(),
            bill: Rupiah(bill),
            admin: Rupiah(admin),
        });
    }
    let (code, product_arg) = split_at_sign(product);
    let (customer, dest_arg) = split_at_sign(dest);
    let code = code.to_ascii_uppercase();
    let shape = match catalog.classify(&code) {
        ProductKind::Bill(family) => Some(family.shape),
        ProductKind::Prepaid => None,
    };
    // The generic bill: Rp10.000–Rp500.000 in steps of Rp100.
    let generic = Rupiah(10_000 + (stable_hash(&["bill", product, dest]) % 4_901) as i64 * 100);
    let bill = match shape {
        None => generic,
        Some(BillShape::Plain) => {
            if product_arg.is_some() {
                return Err(BAD_PRODUCT_FORMAT);
            }
            if dest_arg.is_some() {
                return Err(BAD_DEST_FORMAT);
            }
            generic
        }
        Some(BillShape::DestMonths) => {
            let months: i64 = match dest_arg {
                None => 1,
                Some(m) => m
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or(BAD_MONTHS)?,
            };
            if product_arg.is_some() {
                return Err(BAD_PRODUCT_FORMAT);
            }
            let monthly = 10_000 + (stable_hash(&["bill", &code, customer]) % 4_901) as i64 * 100;
            Rupiah(monthly * months)
        }
        Some(BillShape::DestYear) => {
            dest_arg.and_then(year).ok_or(BAD_DEST_FORMAT)?;
            if product_arg.is_some() {
                return Err(BAD_PRODUCT_FORMAT);
            }
            generic
        }
        Some(BillShape::ProductYear) => {
            product_arg.and_then(year).ok_or(BAD_PRODUCT_FORMAT)?;
            if dest_arg.is_some() {
                return Err(BAD_DEST_FORMAT);
            }
            generic
        }
        Some(BillShape::ProductAmount) => {
            let amount = product_arg
                .and_then(Rupiah::parse_plain)
                .filter(|a| (1..=MAX_CARD_PAYMENT).contains(&a.0))
                .ok_or(BAD_AMOUNT)?;
            if dest_arg.is_some() {
                return Err(BAD_DEST_FORMAT);
            }
            amount
        }
    };
    let admin = if code.starts_with("PLN") {
        2_750
    } else {
        2_500
    };
    Ok(Quote {
        name: name_for(&["customer", &code, customer]).to_string(),
        bill,
        admin: Rupiah(admin),
    })
}

/// `CODE@arg` → (`CODE`, Some(`arg`)); no `@` → (text, None).
fn split_at_sign(text: &str) -> (&str, Option<&str>) {
    match text.split_once('@') {
        Some((head, arg)) => (head, Some(arg)),
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_fnv1a_and_never_changes() {
        // FNV-1a 64 reference values.
        assert_eq!(stable_hash(&[""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(&["a"]), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
    }

    #[test]
    fn topup_price_is_nominal_plus_margin() {
        let cases = [
            ("T1", Some(2_000)),
            ("T10", Some(11_000)),
            ("PLN20", Some(21_000)),
            ("X1000", Some(1_001_000)),
            ("T1001", None),
            ("PULSA", None),
            ("T99999999999999999999999", None),
            ("T10@5", None),
        ];
        for (code, want) in cases {
            assert_eq!(topup_price(code).map(Rupiah::value), want, "{code}");
        }
    }

    #[test]
    fn pln_token_serial_has_token_name_tariff_and_kwh() {
        let sn = topup_serial("PLN20", "14234567890", "R1");
        let parts: Vec<&str> = sn.split('/').collect();
        assert_eq!(parts.len(), 5, "{sn}");
        assert_eq!(parts[0].len(), 20);
        assert!(parts[0].bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(parts[1], parts[1].to_uppercase());
        assert_eq!((parts[2], parts[3], parts[4]), ("R1", "1300", "13.8"));
        assert_eq!(sn, topup_serial("PLN20", "14234567890", "R1"));
        let serial = topup_serial("T10", "087712345678", "R1");
        assert!(serial.len() >= 12 && serial.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(serial, topup_serial("T10", "087712345678", "R2"));
    }

    #[test]
    fn seed_fixture_bill_is_exact() {
        let q = quote(&Catalog::builtin(), "PLNPASC", "546302215889").unwrap();
        assert_eq!(
            (q.name.as_str(), q.bill, q.admin),
            ("Anto", Rupiah(300_000), Rupiah(2_750))
        );
    }

    #[test]
    fn generic_bills_stay_in_range_and_round_to_hundreds() {
        let catalog = Catalog::builtin();
        for i in 0..500 {
            let q = quote(&catalog, "PDAMKLT", &format!("00{i}")).unwrap();
            assert!((10_000..=500_000).contains(&q.bill.0), "{q:?}");
            assert_eq!(q.bill.0 % 100, 0);
            assert_eq!(q.admin, Rupiah(2_500));
        }
    }

    #[test]
    fn at_forms_are_checked_per_family() {
        let catalog = Catalog::builtin();
        let cases = [
            ("BPJSKS", "0001234567890@12", Ok(())),
            ("BPJSKS", "0001234567890", Ok(())),
            ("BPJSKS", "0001234567890@0", Err(BAD_MONTHS)),
            ("BPJSKS", "0001234567890@13", Err(BAD_MONTHS)),
            ("PKBJABAR", "B1234XYZ@2025", Ok(())),
            ("PKBJABAR", "B1234XYZ", Err(BAD_DEST_FORMAT)),
            ("PBBBDG@2024", "327301000100100010", Ok(())),
            ("PBBBDG", "327301000100100010", Err(BAD_PRODUCT_FORMAT)),
            ("CCBCA@1500000", "4111111111111111", Ok(())),
            ("CCBCA@0", "4111111111111111", Err(BAD_AMOUNT)),
            ("CCBCA", "4111111111111111", Err(BAD_AMOUNT)),
            ("PLNPASC@3", "546302215889", Err(BAD_PRODUCT_FORMAT)),
            ("PLNPASC", "546302215889@3", Err(BAD_DEST_FORMAT)),
            ("KABELKU", "123@x", Ok(())),
        ];
        for (product, dest, want) in cases {
            assert_eq!(
                quote(&catalog, product, dest).map(|_| ()),
                want,
                "{product} {dest}"
            );
        }
    }

    #[test]
    fn dest_faults_match_the_first_eight_characters() {
        assert_eq!(DestFault::of("089900011234"), Some(DestFault::Slow));
        assert_eq!(DestFault::of("08990007@2"), Some(DestFault::Unprocessed));
        assert_eq!(DestFault::of("0899000"), None);
        assert_eq!(DestFault::of("087712345678"), None);
    }
}
