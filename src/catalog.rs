//! Product catalogue: which product codes are postpaid bills, which bill
//! family each belongs to, how that family shapes `product`/`dest` (the
//! seed's `@` forms), and what a destination of each family or code looks
//! like (its [`DestShape`]). Families are data, not code paths.
//!
//! Owns: the built-in table and the operator's extension file.
//! Must not: do I/O beyond reading the extension file, know about chats, or
//! read typed text (that is [`crate::command`]'s).

use std::collections::HashMap;
use std::path::Path;

use DestKind::{Alnum, Digits, Phone, Plate};

/// How a family folds its extra argument into the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillShape {
    /// `product=CODE&dest=ID`.
    Plain,
    /// BPJS Kesehatan: `dest = no_va@months`, months 1..=12, default 1.
    DestMonths,
    /// Vehicle tax: `dest = plate@year`, year required.
    DestYear,
    /// PBB: `product = code@year`, year required.
    ProductYear,
    /// Credit card: `product = code@amount`, amount required.
    ProductAmount,
}

/// What a destination is made of, and how typed text is read as one. The
/// reader is [`crate::command`]; this is the data it reads by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestKind {
    /// A mobile number: `08…`; `+62…` and `62…` are read as `0…`.
    Phone,
    /// Prepaid: a mobile number (pulsa, data, e-wallet) or a digit ID (game
    /// ids, meters). `+62…` is a phone, read as `0…`; `62…` is read as
    /// `0…` only when that makes a mobile number, else it stays an ID.
    PhoneOrId,
    /// Digits only: customer ids, meters, VA, NOP, card numbers.
    Digits,
    /// Letters and digits, at least one digit: contract numbers that hold
    /// letters. Read upper-cased.
    Alnum,
    /// A vehicle plate: 1–2 region letters, 1–4 digits, 0–3 series letters
    /// (`B1234XYZ`; sources: id.wikipedia "Tanda Nomor Kendaraan Bermotor
    /// Indonesia", sumut.suara.com 2025-09-30 "kode pelat nomor": 1–4 digit
    /// nomor registrasi, 1–3 huruf seri). Read upper-cased.
    Plate,
}

impl DestKind {
    /// The name used in the extension file and as the locale selector.
    pub fn key(self) -> &'static str {
        match self {
            DestKind::Phone => "phone",
            DestKind::PhoneOrId => "phone-or-id",
            DestKind::Digits => "digits",
            DestKind::Alnum => "alnum",
            DestKind::Plate => "plate",
        }
    }

    fn by_key(key: &str) -> Option<DestKind> {
        [
            DestKind::Phone,
            DestKind::PhoneOrId,
            DestKind::Digits,
            DestKind::Alnum,
            DestKind::Plate,
        ]
        .into_iter()
        .find(|k| k.key().eq_ignore_ascii_case(key))
    }

    /// The length when a rule names the kind alone (`phone`, `digits`).
    fn default_len(self) -> (u8, u8) {
        match self {
            DestKind::Phone => MOBILE_LEN,
            DestKind::PhoneOrId | DestKind::Digits | DestKind::Alnum => (5, 20),
            DestKind::Plate => (2, 9),
        }
    }
}

/// Indonesian mobile numbers, leading `0` included: `08` + 8–11 digits
/// (sources: sent.dm "Indonesia Phone Numbers" gives `8[1-9]X{7,10}` after
/// the 0; phonenumberformats.com "10-13 digits").
pub const MOBILE_LEN: (u8, u8) = (10, 13);

/// The longest destination loket sends, any kind.
pub const MAX_DEST_LEN: u8 = 30;

/// What a destination of a family or code must look like before anything
/// is sent: its kind and its length after reading (separators dropped,
/// `+62` read as `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DestShape {
    pub kind: DestKind,
    pub min: u8,
    pub max: u8,
}

impl DestShape {
    pub const fn new(kind: DestKind, min: u8, max: u8) -> DestShape {
        DestShape { kind, min, max }
    }

    /// `phone`, `digits:11-12`, `alnum:6-20`: the extension file's syntax.
    pub fn parse(text: &str) -> Result<DestShape, String> {
        let (name, len) = match text.split_once(':') {
            Some((name, len)) => (name, Some(len)),
            None => (text, None),
        };
        let kind = DestKind::by_key(name).ok_or_else(|| {
            format!("unknown destination shape `{name}` (phone, phone-or-id, digits, alnum, plate)")
        })?;
        let (min, max) = match len {
            None => kind.default_len(),
            Some(len) => {
                let bad = || format!("`{len}` is not a length range like 11-12");
                let (min, max) = len.split_once('-').unwrap_or((len, len));
                let min: u8 = min.parse().map_err(|_| bad())?;
                let max: u8 = max.parse().map_err(|_| bad())?;
                if min == 0 || min > max || max > MAX_DEST_LEN {
                    return Err(format!(
                        "length {len} must be within 1-{MAX_DEST_LEN}, shortest first"
                    ));
                }
                (min, max)
            }
        };
        Ok(DestShape { kind, min, max })
    }
}

/// One postpaid family from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillFamily {
    /// Stable key used in the extension file and in locales (`family-<key>`).
    pub key: &'static str,
    pub shape: BillShape,
    /// What its customer numbers look like; codes added by the extension
    /// file inherit it unless their rule names another.
    pub dest: DestShape,
    /// A code the help text and examples use.
    pub example_code: &'static str,
    /// An example destination the help text and examples use.
    pub example_dest: &'static str,
}

/// Every family of the seed, in the seed's order, with the shape of its
/// customer numbers. Lengths are generous where the public sources vary
/// or were not found; each is named.
pub const FAMILIES: &[BillFamily] = &[
    // IDPEL 12 digits, meter number 11 (KOMPAS.com 2024-02-24 quoting PLN:
    // "11 digit nomor meter atau 12 digit ID Pel"; normanardik.com 2023-12).
    family(
        "pln",
        BillShape::Plain,
        DestShape::new(Digits, 11, 12),
        "PLNPASC",
        "546302215889",
    ),
    // Registration number 13 digits; IDPEL (12) or meter (11) accepted too.
    // No public source found for the registration length; the seed's example.
    family(
        "plnnontaglis",
        BillShape::Plain,
        DestShape::new(Digits, 11, 13),
        "PLNNONTGL",
        "5392110012345",
    ),
    // Each PDAM numbers its customers its own way; no common length.
    family(
        "pdam",
        BillShape::Plain,
        DestShape::new(Digits, 5, 20),
        "PDAMKLT",
        "0012345678",
    ),
    // Card number 13 digits, VA 16 (88888 + last 11 of the card; BPJS
    // Kesehatan via kompas.com 2021-03-09).
    family(
        "bpjsks",
        BillShape::DestMonths,
        DestShape::new(Digits, 13, 16),
        "BPJSKS",
        "0001234567890",
    ),
    // KPJ number 11 digits, up to a 16-digit NIK or payment code.
    family(
        "bpjstk",
        BillShape::Plain,
        DestShape::new(Digits, 11, 16),
        "BPJSTKPU",
        "12345678901",
    ),
    // Indihome numbers 12 digits; a Telkom line is 9–11 with its area code.
    family(
        "telkom",
        BillShape::Plain,
        DestShape::new(Digits, 9, 13),
        "INDIHOME",
        "121234567890",
    ),
    family(
        "hppasca",
        BillShape::Plain,
        DestShape::new(Phone, MOBILE_LEN.0, MOBILE_LEN.1),
        "HALO",
        "081234567890",
    ),
    // Customer or smart-card numbers; lengths differ per provider.
    family(
        "tv",
        BillShape::Plain,
        DestShape::new(Digits, 6, 16),
        "TVINDOVISION",
        "401234567890",
    ),
    // Some multifinance contract numbers hold letters.
    family(
        "finance",
        BillShape::Plain,
        DestShape::new(Alnum, 6, 20),
        "FNADIRA",
        "2010123456789",
    ),
    family(
        "pgn",
        BillShape::Plain,
        DestShape::new(Digits, 6, 15),
        "PGN",
        "0110012345",
    ),
    family(
        "pertagas",
        BillShape::Plain,
        DestShape::new(Digits, 6, 15),
        "PERTAGAS",
        "3200123456",
    ),
    family(
        "pkb",
        BillShape::DestYear,
        DestShape::new(Plate, 2, 9),
        "PKBJABAR",
        "B1234XYZ",
    ),
    // NOP: 18 digits (PER-12/PJ/2010, as summarised by
    // kecamatanneglasari.blogspot.com "Nomor Objek Pajak").
    family(
        "pbb",
        BillShape::ProductYear,
        DestShape::new(Digits, 18, 18),
        "PBBBDG",
        "327301000100100010",
    ),
    // Card numbers: ISO/IEC 7812 allows up to 19 digits; Visa issues 13–19.
    family(
        "cc",
        BillShape::ProductAmount,
        DestShape::new(Digits, 13, 19),
        "CCBCA",
        "4111111111111111",
    ),
];

const fn family(
    key: &'static str,
    shape: BillShape,
    dest: DestShape,
    example_code: &'static str,
    example_dest: &'static str,
) -> BillFamily {
    BillFamily {
        key,
        shape,
        dest,
        example_code,
        example_dest,
    }
}

/// Built-in rules: exact codes first, then prefixes (longest prefix wins).
/// `*` marks a prefix rule; `*` alone is the rule for every other code and
/// may only say `prepaid`. A third word sets the destination shape of the
/// rule's codes; without it a bill code takes its family's. The same
/// syntax is used by the extension file.
const BUILTIN_RULES: &str = "
PLNPASC pln
PLNNONTGL plnnontaglis
PDAM* pdam
BPJSKS bpjsks
BPJSTKPU bpjstk
BPJSTKBPU bpjstk
INDIHOME telkom
TELEPON telkom
HALO hppasca
MATRIX hppasca
XPLOR hppasca
SMARTPASCA hppasca
FRENPASCA hppasca
THREEPASCA hppasca
TRIPASCA hppasca
TV* tv
FN* finance
PGN* pgn
PERTAGAS* pertagas
PKB* pkb
SAMSAT* pkb
PBB* pbb
CC* cc
# PLN tokens go to a meter (11 digits) or an IDPEL (12), never a phone.
PLN* prepaid digits:11-12
# Any other code is a prepaid topup to a phone or a digit ID (game ids,
# e-wallets): 5-20 digits, +62 read as 0.
* prepaid phone-or-id:5-20
";

/// What a product code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    Bill(&'static BillFamily),
    /// Anything not in the catalogue is a prepaid topup code.
    Prepaid,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalogue file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("catalogue file {path}, line {line}: {reason}")]
    Line {
        path: String,
        line: usize,
        reason: String,
    },
}

/// One line of the catalogue: what its codes are, and what their
/// destinations look like when the line says so.
#[derive(Debug, Clone, Copy)]
struct Rule {
    kind: ProductKind,
    dest: Option<DestShape>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    exact: HashMap<String, Rule>,
    /// Sorted longest first so the most specific prefix wins; `""` (the `*`
    /// rule) comes last.
    prefixes: Vec<(String, Rule)>,
}

/// The destination shape of a prepaid code when no rule gives one (the
/// built-in `*` rule says the same).
const PREPAID_DEST: DestShape = DestShape::new(DestKind::PhoneOrId, 5, 20);

impl Catalog {
    /// The catalogue with only the built-in rules.
    pub fn builtin() -> Catalog {
        let mut catalog = Catalog {
            exact: HashMap::new(),
            prefixes: Vec::new(),
        };
        catalog
            .add_rules(BUILTIN_RULES, "<built-in>")
            .expect("built-in catalogue rules are valid");
        catalog
    }

    /// The built-in catalogue extended by an operator's file (same syntax as
    /// the built-in rules: `CODE family [shape]` or `PREFIX* family [shape]`,
    /// `#` comments).
    pub fn with_file(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut catalog = Catalog::builtin();
        catalog.add_rules(&text, &path.display().to_string())?;
        Ok(catalog)
    }

    /// Adds rules; a later rule for the same code or prefix replaces the earlier.
    pub fn add_rules(&mut self, text: &str, origin: &str) -> Result<(), CatalogError> {
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |reason: String| CatalogError::Line {
                path: origin.to_string(),
                line: index + 1,
                reason,
            };
            let mut words = line.split_whitespace();
            let (Some(code), Some(key), shape, None) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                return Err(bad(
                    "expected `CODE family [shape]` or `PREFIX* family [shape]`".into(),
                ));
            };
            // `prepaid` lets an operator take a code back from a prefix rule.
            let kind = if key.eq_ignore_ascii_case("prepaid") {
                ProductKind::Prepaid
            } else {
                ProductKind::Bill(
                    family_by_key(key).ok_or_else(|| bad(format!("unknown family `{key}`")))?,
                )
            };
            let dest = shape.map(DestShape::parse).transpose().map_err(bad)?;
            let (code, is_prefix) = match code.strip_suffix('*') {
                Some(prefix) => (prefix, true),
                None => (code, false),
            };
            let every_code = is_prefix && code.is_empty();
            if every_code && kind != ProductKind::Prepaid {
                return Err(bad("`*` alone may only say `prepaid`".into()));
            }
            if !every_code && (code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return Err(bad(format!("`{code}` is not a product code")));
            }
            let code = code.to_ascii_uppercase();
            let rule = Rule { kind, dest };
            if is_prefix {
                self.prefixes.retain(|(p, _)| *p != code);
                self.prefixes.push((code, rule));
                self.prefixes
                    .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            } else {
                self.exact.insert(code, rule);
            }
        }
        Ok(())
    }

    /// The rules that match an upper-case code, most specific first.
    fn matching<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.exact.get(code).into_iter().chain(
            self.prefixes
                .iter()
                .filter(move |(prefix, _)| code.starts_with(prefix.as_str()))
                .map(|(_, rule)| rule),
        )
    }

    /// Classifies an upper-case product code (without any `@` suffix).
    pub fn classify(&self, code: &str) -> ProductKind {
        self.matching(code)
            .next()
            .map_or(ProductKind::Prepaid, |rule| rule.kind)
    }

    /// True when the catalogue itself names this code as a product: an
    /// exact rule, or a bill family's prefix (`PDAMKLT`). A prepaid prefix
    /// rule (`PLN*`) only shapes destinations; it makes no word a code.
    pub fn knows(&self, code: &str) -> bool {
        self.exact.contains_key(code)
            || matches!(self.matching(code).next(), Some(rule) if rule.kind != ProductKind::Prepaid)
    }

    /// What a destination of this upper-case code must look like: the
    /// shape its rule names; else a bill code's family's; else, for a
    /// prepaid code, the next matching prepaid rule that names one (in the
    /// end the `*` rule).
    pub fn dest_shape(&self, code: &str) -> DestShape {
        let mut rules = self.matching(code);
        match rules.next() {
            Some(Rule {
                dest: Some(shape), ..
            }) => *shape,
            Some(Rule {
                kind: ProductKind::Bill(family),
                ..
            }) => family.dest,
            _ => rules
                .filter(|rule| rule.kind == ProductKind::Prepaid)
                .find_map(|rule| rule.dest)
                .unwrap_or(PREPAID_DEST),
        }
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::builtin()
    }
}

/// Short names center bots give bill codes in their check and pay words
/// (`CEKPLN`, `BAYARBPJS`): the name after the word, and the code loket
/// sends. A name that is itself a bill code needs no row.
const CENTER_SHORT_CODES: &[(&str, &str)] = &[
    ("PLN", "PLNPASC"),
    ("BPJS", "BPJSKS"),
    ("TELKOM", "INDIHOME"),
];

impl Catalog {
    /// The bill code a center's short name stands for (`PLN` → `PLNPASC`),
    /// or the name itself when it is a bill code; `None` for anything else.
    pub fn center_bill_code(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_uppercase();
        let code = CENTER_SHORT_CODES
            .iter()
            .find(|(short, _)| *short == name)
            .map_or(name.clone(), |(_, code)| (*code).to_string());
        matches!(self.classify(&code), ProductKind::Bill(_)).then_some(code)
    }
}

pub fn family_by_key(key: &str) -> Option<&'static BillFamily> {
    FAMILIES.iter().find(|f| f.key.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(catalog: &Catalog, code: &str) -> &'static str {
        match catalog.classify(code) {
            ProductKind::Bill(f) => f.key,
            ProductKind::Prepaid => "prepaid",
        }
    }

    #[test]
    fn classifies_seed_codes_and_prefixes() {
        let c = Catalog::builtin();
        let cases = [
            ("PLNPASC", "pln"),
            ("PLNNONTGL", "plnnontaglis"),
            ("PDAMKLT", "pdam"),
            ("BPJSKS", "bpjsks"),
            ("BPJSTKPU", "bpjstk"),
            ("BPJSTKBPU", "bpjstk"),
            ("INDIHOME", "telkom"),
            ("HALO", "hppasca"),
            ("MATRIX", "hppasca"),
            ("XPLOR", "hppasca"),
            ("PKBJABAR", "pkb"),
            ("PBBBDG", "pbb"),
            ("CCBCA", "cc"),
            ("PGN", "pgn"),
            ("T10", "prepaid"),
            ("PLN20", "prepaid"),
            ("S5", "prepaid"),
        ];
        for (code, want) in cases {
            assert_eq!(key(&c, code), want, "classifying {code}");
        }
    }

    #[test]
    fn every_family_example_code_classifies_to_its_family() {
        let c = Catalog::builtin();
        for f in FAMILIES {
            assert_eq!(key(&c, f.example_code), f.key);
        }
    }

    #[test]
    fn extension_rules_add_codes_and_override() {
        let mut c = Catalog::builtin();
        c.add_rules(
            "# mine\nKABELVISION tv\nPAM* pdam\nT10 pln\nTV5 prepaid\n",
            "test",
        )
        .unwrap();
        assert_eq!(
            key(&c, "TV5"),
            "prepaid",
            "an exact prepaid rule beats the TV* prefix"
        );
        assert_eq!(key(&c, "TVNEX"), "tv");
        assert_eq!(key(&c, "KABELVISION"), "tv");
        assert_eq!(key(&c, "PAMJAYA"), "pdam");
        assert_eq!(key(&c, "T10"), "pln");
    }

    #[test]
    fn codes_take_their_rule_s_shape_else_their_family_s() {
        let mut c = Catalog::builtin();
        c.add_rules(
            "FNMEGA finance digits:10-12\nKOPKU finance\nTV5 prepaid\n",
            "t",
        )
        .unwrap();
        let pln = family_by_key("pln").unwrap().dest;
        let finance = family_by_key("finance").unwrap().dest;
        assert_eq!(c.dest_shape("PLNPASC"), pln);
        assert_eq!(c.dest_shape("KOPKU"), finance, "a new code inherits");
        assert_eq!(
            c.dest_shape("FNMEGA"),
            DestShape::new(DestKind::Digits, 10, 12)
        );
        assert_eq!(
            c.dest_shape("PLN20"),
            DestShape::new(DestKind::Digits, 11, 12)
        );
        assert_eq!(c.dest_shape("T10"), PREPAID_DEST);
        assert_eq!(
            c.dest_shape("TV5"),
            PREPAID_DEST,
            "prepaid, not the TV* family's"
        );
        assert!(c.knows("HALO") && c.knows("PDAMKLT") && c.knows("TV5"));
        assert!(!c.knows("PLN") && !c.knows("STRUK") && !c.knows("T10"));
    }

    #[test]
    fn bad_extension_lines_are_rejected_with_line_number() {
        let mut c = Catalog::builtin();
        let err = c
            .add_rules("OK pln\nFOO nosuchfamily\n", "ext.txt")
            .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(c.add_rules("A-B pln", "x").is_err());
        assert!(c.add_rules("ONLYCODE", "x").is_err());
    }
}
