//! Product catalogue: which product codes are postpaid bills, which bill
//! family each belongs to, and how that family shapes `product`/`dest`
//! (the seed's `@` forms). Families are data, not code paths.
//!
//! Owns: the built-in table and the operator's extension file.
//! Must not: do I/O beyond reading the extension file, or know about chats.

use std::collections::HashMap;
use std::path::Path;

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

/// One postpaid family from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillFamily {
    /// Stable key used in the extension file and in locales (`family-<key>`).
    pub key: &'static str,
    pub shape: BillShape,
    /// A code the help text and examples use.
    pub example_code: &'static str,
    /// An example destination the help text and examples use.
    pub example_dest: &'static str,
}

/// Every family of the seed, in the seed's order.
pub const FAMILIES: &[BillFamily] = &[
    family("pln", BillShape::Plain, "PLNPASC", "546302215889"),
    family(
        "plnnontaglis",
        BillShape::Plain,
        "PLNNONTGL",
        "5392110012345",
    ),
    family("pdam", BillShape::Plain, "PDAMKLT", "0012345678"),
    family("bpjsks", BillShape::DestMonths, "BPJSKS", "0001234567890"),
    family("bpjstk", BillShape::Plain, "BPJSTKPU", "12345678901"),
    family("telkom", BillShape::Plain, "INDIHOME", "121234567890"),
    family("hppasca", BillShape::Plain, "HALO", "081234567890"),
    family("tv", BillShape::Plain, "TVINDOVISION", "401234567890"),
    family("finance", BillShape::Plain, "FNADIRA", "2010123456789"),
    family("pgn", BillShape::Plain, "PGN", "0110012345"),
    family("pertagas", BillShape::Plain, "PERTAGAS", "3200123456"),
    family("pkb", BillShape::DestYear, "PKBJABAR", "B1234XYZ"),
    family(
        "pbb",
        BillShape::ProductYear,
        "PBBBDG",
        "327301000100100010",
    ),
    family("cc", BillShape::ProductAmount, "CCBCA", "4111111111111111"),
];

const fn family(
    key: &'static str,
    shape: BillShape,
    example_code: &'static str,
    example_dest: &'static str,
) -> BillFamily {
    BillFamily {
        key,
        shape,
        example_code,
        example_dest,
    }
}

/// Built-in rules: exact codes first, then prefixes (longest prefix wins).
/// `*` marks a prefix rule. The same syntax is used by the extension file.
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

#[derive(Debug, Clone)]
pub struct Catalog {
    exact: HashMap<String, ProductKind>,
    /// Sorted longest first so the most specific prefix wins.
    prefixes: Vec<(String, ProductKind)>,
}

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
    /// the built-in rules: `CODE family` or `PREFIX* family`, `#` comments).
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
            let (Some(code), Some(key), None) = (words.next(), words.next(), words.next()) else {
                return Err(bad("expected `CODE family` or `PREFIX* family`".into()));
            };
            // `prepaid` lets an operator take a code back from a prefix rule.
            let kind = if key.eq_ignore_ascii_case("prepaid") {
                ProductKind::Prepaid
            } else {
                ProductKind::Bill(
                    family_by_key(key).ok_or_else(|| bad(format!("unknown family `{key}`")))?,
                )
            };
            let (code, is_prefix) = match code.strip_suffix('*') {
                Some(prefix) => (prefix, true),
                None => (code, false),
            };
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad(format!("`{code}` is not a product code")));
            }
            let code = code.to_ascii_uppercase();
            if is_prefix {
                self.prefixes.retain(|(p, _)| *p != code);
                self.prefixes.push((code, kind));
                self.prefixes
                    .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            } else {
                self.exact.insert(code, kind);
            }
        }
        Ok(())
    }

    /// Classifies an upper-case product code (without any `@` suffix).
    pub fn classify(&self, code: &str) -> ProductKind {
        if let Some(kind) = self.exact.get(code) {
            return *kind;
        }
        self.prefixes
            .iter()
            .find(|(prefix, _)| code.starts_with(prefix.as_str()))
            .map_or(ProductKind::Prepaid, |(_, kind)| *kind)
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::builtin()
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
