//! Gateway protocol conformance: the sign and every request the gateway's
//! own document lists (`shared/seeds/000_f4da7494139fcb74.txt`), checked
//! against SPEC §1.
//!
//! The expected sign is always recomputed here with the `sha1` and `base64`
//! crates directly, never with loket's signer, so a wrong signer cannot
//! agree with itself.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha1::{Digest, Sha1};
use url::Url;

use loket::catalog::{BillShape, Catalog, ProductKind};
use loket::gateway::request::redact_url;
use loket::gateway::sign::transaction_sign;
use loket::gateway::{
    balance_request, transaction_request, BalanceSign, Credentials, GatewayRequest, Operation,
};
use loket::secret::Secret;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// SPEC §1: `base64url_no_pad(sha1(signed))`, computed without loket.
fn reference_sign(signed: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha1::digest(signed.as_bytes()))
}

fn creds(member_id: &str, pin: &str, api_key: &str, base_url: &str) -> Credentials {
    Credentials {
        member_id: member_id.into(),
        pin: Secret::new(pin),
        api_key: Secret::new(api_key),
        base_url: base_url.into(),
        balance_sign: BalanceSign::Fields,
    }
}

fn parsed(request: &GatewayRequest) -> Url {
    Url::parse(request.url()).expect("a request URL parses")
}

/// The query as decoded `(name, value)` pairs, in order.
fn params(request: &GatewayRequest) -> Vec<(String, String)> {
    parsed(request).query_pairs().into_owned().collect()
}

fn param(request: &GatewayRequest, name: &str) -> String {
    let all = params(request);
    let mut found = all.iter().filter(|(n, _)| n == name);
    let value = found
        .next()
        .unwrap_or_else(|| panic!("no `{name}` in {request}"));
    assert!(found.next().is_none(), "`{name}` twice in {request}");
    value.1.clone()
}

/// The raw (still percent-encoded) query text.
fn raw_query(request: &GatewayRequest) -> String {
    parsed(request).query().unwrap_or("").to_string()
}

fn assert_sign_shape(sign: &str) {
    assert_eq!(sign.len(), 27, "sign {sign:?} is not 27 chars");
    assert!(
        sign.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "sign {sign:?} is not base64url without padding"
    );
}

// ---------------------------------------------------------------------------
// 1. Sign
// ---------------------------------------------------------------------------

#[test]
fn published_otomax_vector_matches_both_loket_and_the_reference() {
    let signed = "OtomaX|YUSUF|X10|08123456789|2140669|1144|abcd";
    assert_eq!(reference_sign(signed), "Cp9NLVuKWBt5Sey_uMlYsvnKvJI");
    assert_eq!(
        transaction_sign(
            "OtomaX",
            "YUSUF",
            "X10",
            "08123456789",
            "2140669",
            "1144",
            "abcd"
        ),
        "Cp9NLVuKWBt5Sey_uMlYsvnKvJI"
    );
}

/// One transaction-type call to sign: the raw values as loket sends them.
struct SignCase {
    name: &'static str,
    member_id: &'static str,
    pin: &'static str,
    api_key: &'static str,
    operation: Operation,
    product: &'static str,
    dest: &'static str,
    ref_id: &'static str,
}

const SIGN_CASES: &[SignCase] = &[
    SignCase {
        name: "prepaid topup",
        member_id: "M0001",
        pin: "1234",
        api_key: "k3y-ABCdef_987",
        operation: Operation::Topup,
        product: "T10",
        dest: "087712345678",
        ref_id: "L1A2B3C4",
    },
    SignCase {
        name: "PLN inquiry",
        member_id: "RS12345",
        pin: "808080",
        api_key: "0f1e2d3c4b5a",
        operation: Operation::Inquiry,
        product: "PLNPASC",
        dest: "546302215889",
        ref_id: "Q9W8E7R6T5Y4U3I2O1P0",
    },
    SignCase {
        name: "BPJS KS payment, dest = no_va@months",
        member_id: "RS12345",
        pin: "808080",
        api_key: "0f1e2d3c4b5a",
        operation: Operation::Payment,
        product: "BPJSKS",
        dest: "0001234567890@3",
        ref_id: "B7",
    },
    SignCase {
        name: "PKB inquiry, dest = plate@year",
        member_id: "RS12345",
        pin: "808080",
        api_key: "0f1e2d3c4b5a",
        operation: Operation::Inquiry,
        product: "PKBJABAR",
        dest: "B1234XYZ@2025",
        ref_id: "P1",
    },
    SignCase {
        name: "PBB inquiry, product = code@year",
        member_id: "RS12345",
        pin: "808080",
        api_key: "0f1e2d3c4b5a",
        operation: Operation::Inquiry,
        product: "PBBBDG@2024",
        dest: "327301000100100010",
        ref_id: "P2",
    },
    SignCase {
        name: "credit card payment, product = code@amount",
        member_id: "RS12345",
        pin: "808080",
        api_key: "0f1e2d3c4b5a",
        operation: Operation::Payment,
        product: "CCBCA@1500000",
        dest: "4111111111111111",
        ref_id: "C3",
    },
    SignCase {
        name: "status check",
        member_id: "M0001",
        pin: "1234",
        api_key: "k3y-ABCdef_987",
        operation: Operation::Status,
        product: "T10",
        dest: "087712345678",
        ref_id: "L1A2B3C4",
    },
    SignCase {
        name: "spaces in values",
        member_id: "RS 1",
        pin: "12 34",
        api_key: "key with spaces",
        operation: Operation::Inquiry,
        product: "PKBJABAR",
        dest: "B 1234 XYZ@2025",
        ref_id: "S1",
    },
    SignCase {
        name: "unicode values",
        member_id: "Ñandú",
        pin: "π1234",
        api_key: "ключ-🔑",
        operation: Operation::Topup,
        product: "T10",
        dest: "ÄÖ 漢字",
        ref_id: "U1",
    },
    SignCase {
        name: "query-reserved characters in values",
        member_id: "a&b",
        pin: "1=2",
        api_key: "k#%+",
        operation: Operation::Topup,
        product: "T10?",
        dest: "0812&qty=2#x+y%20/z",
        ref_id: "R1",
    },
];

fn sign_case_request(case: &SignCase) -> GatewayRequest {
    let c = creds(
        case.member_id,
        case.pin,
        case.api_key,
        "https://h2h.example.co.id",
    );
    transaction_request(&c, case.operation, case.product, case.dest, case.ref_id)
}

#[test]
fn transaction_sign_in_the_url_is_sha1_base64url_of_the_raw_r_one_fields() {
    for case in SIGN_CASES {
        let request = sign_case_request(case);
        let signed = format!(
            "R-ONE|{}|{}|{}|{}|{}|{}",
            case.member_id, case.product, case.dest, case.ref_id, case.pin, case.api_key
        );
        let sign = param(&request, "sign");
        assert_sign_shape(&sign);
        assert_eq!(sign, reference_sign(&signed), "{}", case.name);
    }
}

#[test]
fn values_are_signed_raw_but_sent_percent_encoded() {
    for case in SIGN_CASES {
        let request = sign_case_request(case);
        // The gateway decodes the query and signs what it decoded: the
        // decoded values must be exactly the raw ones.
        assert_eq!(param(&request, "product"), case.product, "{}", case.name);
        assert_eq!(param(&request, "dest"), case.dest, "{}", case.name);
        assert_eq!(param(&request, "refID"), case.ref_id, "{}", case.name);
        assert_eq!(param(&request, "memberID"), case.member_id, "{}", case.name);
        // Nothing reserved or non-ASCII travels unencoded, so no value can
        // split into an extra parameter.
        let raw = raw_query(&request);
        assert_eq!(raw.split('&').count(), 6, "{}: {raw}", case.name);
        for pair in raw.split('&') {
            let (_, value) = pair.split_once('=').expect("name=value");
            assert!(
                value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
                "{}: `{value}` is not fully percent-encoded",
                case.name
            );
        }
        // Signing the encoded text instead would give a different sign
        // whenever encoding changes a value.
        let encoded: Vec<&str> = raw
            .split('&')
            .map(|p| p.split_once('=').expect("name=value").1)
            .collect();
        let encoded_signed = format!(
            "R-ONE|{}|{}|{}|{}|{}|{}",
            encoded[3], encoded[0], encoded[1], encoded[2], case.pin, case.api_key
        );
        if encoded[..4] != [case.product, case.dest, case.ref_id, case.member_id] {
            assert_ne!(
                param(&request, "sign"),
                reference_sign(&encoded_signed),
                "{}: signed the encoded form",
                case.name
            );
        }
    }
}

#[test]
fn at_forms_travel_as_percent_40_and_are_signed_with_a_literal_at() {
    for case in SIGN_CASES
        .iter()
        .filter(|c| c.product.contains('@') || c.dest.contains('@'))
    {
        let request = sign_case_request(case);
        let raw = raw_query(&request);
        assert!(!raw.contains('@'), "{}: raw `@` in {raw}", case.name);
        assert!(raw.contains("%40"), "{}: no %40 in {raw}", case.name);
        let signed = format!(
            "R-ONE|{}|{}|{}|{}|{}|{}",
            case.member_id, case.product, case.dest, case.ref_id, case.pin, case.api_key
        );
        assert!(signed.contains('@'));
        assert_eq!(param(&request, "sign"), reference_sign(&signed));
    }
}

#[test]
fn qty_jenis_and_cek_are_not_signed() {
    let c = creds("M0001", "1234", "secret", "https://h2h.example.co.id");
    let signs: Vec<String> = [
        Operation::Topup,
        Operation::Inquiry,
        Operation::Payment,
        Operation::Status,
    ]
    .into_iter()
    .map(|op| {
        param(
            &transaction_request(&c, op, "PLNPASC", "546302215889", "R1"),
            "sign",
        )
    })
    .collect();
    assert!(signs.windows(2).all(|w| w[0] == w[1]), "{signs:?}");
    assert_eq!(
        signs[0],
        reference_sign("R-ONE|M0001|PLNPASC|546302215889|R1|1234|secret")
    );
}

#[test]
fn every_signed_field_changes_the_sign() {
    let base = creds("M0001", "1234", "secret", "https://h2h.example.co.id");
    let reference = param(
        &transaction_request(&base, Operation::Topup, "T10", "0877", "R1"),
        "sign",
    );
    let mut variants = Vec::new();
    let mut c = base.clone();
    c.member_id = "M0002".into();
    variants.push(transaction_request(
        &c,
        Operation::Topup,
        "T10",
        "0877",
        "R1",
    ));
    let mut c = base.clone();
    c.pin = Secret::new("1235");
    variants.push(transaction_request(
        &c,
        Operation::Topup,
        "T10",
        "0877",
        "R1",
    ));
    let mut c = base.clone();
    c.api_key = Secret::new("secreT");
    variants.push(transaction_request(
        &c,
        Operation::Topup,
        "T10",
        "0877",
        "R1",
    ));
    variants.push(transaction_request(
        &base,
        Operation::Topup,
        "T11",
        "0877",
        "R1",
    ));
    variants.push(transaction_request(
        &base,
        Operation::Topup,
        "T10",
        "0878",
        "R1",
    ));
    variants.push(transaction_request(
        &base,
        Operation::Topup,
        "T10",
        "0877",
        "R2",
    ));
    for variant in &variants {
        assert_ne!(param(variant, "sign"), reference, "{variant}");
    }
}

#[test]
fn balance_sign_follows_the_gateways_mode() {
    let cases: &[(BalanceSign, &str, &str, &str, String)] = &[
        (
            BalanceSign::Fields,
            "M0001",
            "1234",
            "secret",
            "R-ONE|M0001||||1234|secret".to_string(),
        ),
        (
            BalanceSign::CheckBalance,
            "M0001",
            "1234",
            "secret",
            "R-ONE|CheckBalance|M0001|1234|secret".to_string(),
        ),
        (
            BalanceSign::Fields,
            "Ñandú 1",
            "π",
            "ключ",
            "R-ONE|Ñandú 1||||π|ключ".to_string(),
        ),
        (
            BalanceSign::CheckBalance,
            "Ñandú 1",
            "π",
            "ключ",
            "R-ONE|CheckBalance|Ñandú 1|π|ключ".to_string(),
        ),
    ];
    for (mode, member, pin, key, signed) in cases {
        let mut c = creds(member, pin, key, "https://h2h.example.co.id");
        c.balance_sign = *mode;
        let request = balance_request(&c);
        let sign = param(&request, "sign");
        assert_sign_shape(&sign);
        assert_eq!(sign, reference_sign(signed), "{mode:?} for {member}");
        assert_eq!(param(&request, "memberID"), *member);
    }
    let c = creds("M0001", "1234", "secret", "https://h2h.example.co.id");
    let mut other = c.clone();
    other.balance_sign = BalanceSign::CheckBalance;
    assert_ne!(
        param(&balance_request(&c), "sign"),
        param(&balance_request(&other), "sign")
    );
}

#[test]
fn default_balance_sign_mode_is_the_seeds_one_script() {
    assert_eq!(BalanceSign::default(), BalanceSign::Fields);
}

// ---------------------------------------------------------------------------
// 2. Every request in the seed, parameter for parameter
// ---------------------------------------------------------------------------

/// Every request URL of the seed, copied verbatim (after `GET `), with the
/// section it appears under.
const SEED_REQUESTS: &[(&str, &str)] = &[
    ("topup", "{base_url}/V1/http-get?product={kode}&dest=087712345678&refID={ref_1}&memberID={mmid}&qty=1&sign={sign}"),
    ("pln", "{base_url}/V1/http-get?product=PLNPASC&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("pln", "{base_url}/V1/http-get?product=PLNPASC&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("plnnontaglis", "{base_url}/V1/http-get?product=PLNNONTGL&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("plnnontaglis", "{base_url}/V1/http-get?product=PLNNONTGL&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("pdam", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("pdam", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("bpjsks", "{base_url}/V1/http-get?product=BPJSKS&dest={tujuan}@{periode}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("bpjsks", "{base_url}/V1/http-get?product=BPJSKS&dest={tujuan}@{periode}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("bpjstk", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("bpjstk", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("telkom", "{base_url}/V1/http-get?product=INDIHOME&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("telkom", "{base_url}/V1/http-get?product=INDIHOME&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("hppasca", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("hppasca", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("tv", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("tv", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("finance", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("finance", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("pgn", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("pgn", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("pertagas", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("pertagas", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("pkb", "{base_url}/V1/http-get?product={kode}&dest={tujuan}@{tahun}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("pkb", "{base_url}/V1/http-get?product={kode}&dest={tujuan}@{tahun}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("pbb", "{base_url}/V1/http-get?product={kode}@{tahun}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("pbb", "{base_url}/V1/http-get?product={kode}@{tahun}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("cc", "{base_url}/V1/http-get?product={kode}@{nominalbayar}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=5&sign={sign}"),
    ("cc", "{base_url}/V1/http-get?product={kode}@{nominalbayar}&dest={tujuan}&refID={ref_1}&memberID={mmid}&jenis=6&sign={sign}"),
    ("status", "{base_url}/V1/http-get?product={kode}&dest={tujuan}&refID={ref_1}&memberID={mmid}&cek=1&sign={sign}"),
    ("balance", "{base_url}/V1/http-get/balance?memberID={mmid}&sign={sign}"),
];

/// Placeholder values per seed section; a section may have several sets
/// (e.g. both BPJS TK codes). `{mmid}` and `{ref_1}` come from the account.
const BINDINGS: &[(&str, &[(&str, &str)])] = &[
    ("topup", &[("kode", "T10")]),
    ("topup", &[("kode", "S5")]),
    ("pln", &[("tujuan", "546302215889")]),
    ("plnnontaglis", &[("tujuan", "5392110012345")]),
    ("pdam", &[("kode", "PDAMKLT"), ("tujuan", "0012345678")]),
    ("bpjsks", &[("tujuan", "0001234567890"), ("periode", "1")]),
    ("bpjsks", &[("tujuan", "0001234567890"), ("periode", "12")]),
    ("bpjstk", &[("kode", "BPJSTKPU"), ("tujuan", "12345678901")]),
    (
        "bpjstk",
        &[("kode", "BPJSTKBPU"), ("tujuan", "12345678901")],
    ),
    ("telkom", &[("tujuan", "121234567890")]),
    ("hppasca", &[("kode", "HALO"), ("tujuan", "081234567890")]),
    ("hppasca", &[("kode", "MATRIX"), ("tujuan", "081534567890")]),
    (
        "tv",
        &[("kode", "TVINDOVISION"), ("tujuan", "401234567890")],
    ),
    (
        "finance",
        &[("kode", "FNADIRA"), ("tujuan", "2010123456789")],
    ),
    ("pgn", &[("kode", "PGN"), ("tujuan", "0110012345")]),
    (
        "pertagas",
        &[("kode", "PERTAGAS"), ("tujuan", "3200123456")],
    ),
    (
        "pkb",
        &[
            ("kode", "PKBJABAR"),
            ("tujuan", "B1234XYZ"),
            ("tahun", "2025"),
        ],
    ),
    (
        "pbb",
        &[
            ("kode", "PBBBDG"),
            ("tujuan", "327301000100100010"),
            ("tahun", "2024"),
        ],
    ),
    (
        "cc",
        &[
            ("kode", "CCBCA"),
            ("tujuan", "4111111111111111"),
            ("nominalbayar", "1500000"),
        ],
    ),
    ("status", &[("kode", "T10"), ("tujuan", "087712345678")]),
    ("status", &[("kode", "PLNPASC"), ("tujuan", "546302215889")]),
    ("balance", &[]),
];

/// The seed's 14 postpaid families (SPEC §1 table).
const BILL_SECTIONS: &[&str] = &[
    "pln",
    "plnnontaglis",
    "pdam",
    "bpjsks",
    "bpjstk",
    "telkom",
    "hppasca",
    "tv",
    "finance",
    "pgn",
    "pertagas",
    "pkb",
    "pbb",
    "cc",
];

const BASE_URLS: &[(&str, &str)] = &[
    ("https://h2h.example.co.id", ""),
    ("http://127.0.0.1:8080/r-one/", "/r-one"),
];

const MEMBER_ID: &str = "RS12345";
const PIN: &str = "808080";
const API_KEY: &str = "0f1e2d3c4b5a69788796a5b4";
const REF_ID: &str = "L7Q2ZK9A";

/// A seed template split into its path and `(name, value template)` pairs.
struct Template {
    path: &'static str,
    params: Vec<(&'static str, &'static str)>,
}

fn split_template(template: &'static str) -> Template {
    let rest = template
        .strip_prefix("{base_url}")
        .expect("templates start with {base_url}");
    let (path, query) = rest.split_once('?').expect("templates have a query");
    let params = query
        .split('&')
        .map(|p| p.split_once('=').expect("name=value"))
        .collect();
    Template { path, params }
}

fn fill(value: &str, bindings: &HashMap<&str, &str>) -> String {
    let mut out = value.to_string();
    for (name, bound) in bindings {
        out = out.replace(&format!("{{{name}}}"), bound);
    }
    assert!(!out.contains('{'), "unbound placeholder in {value} → {out}");
    out
}

fn operation_of(template: &Template) -> Option<Operation> {
    template
        .params
        .iter()
        .find_map(|(name, value)| match (*name, *value) {
            ("qty", "1") => Some(Operation::Topup),
            ("jenis", "5") => Some(Operation::Inquiry),
            ("jenis", "6") => Some(Operation::Payment),
            ("cek", "1") => Some(Operation::Status),
            _ => None,
        })
}

fn bindings_of(section: &str) -> Vec<HashMap<&'static str, &'static str>> {
    BINDINGS
        .iter()
        .filter(|(s, _)| *s == section)
        .map(|(_, pairs)| {
            let mut map: HashMap<_, _> = pairs.iter().copied().collect();
            map.insert("mmid", MEMBER_ID);
            map.insert("ref_1", REF_ID);
            map
        })
        .collect()
}

#[test]
fn the_seed_table_is_complete() {
    assert_eq!(SEED_REQUESTS.len(), 1 + 2 * BILL_SECTIONS.len() + 2);
    for section in BILL_SECTIONS {
        let ops: Vec<_> = SEED_REQUESTS
            .iter()
            .filter(|(s, _)| s == section)
            .map(|(_, t)| operation_of(&split_template(t)))
            .collect();
        assert_eq!(
            ops,
            [Some(Operation::Inquiry), Some(Operation::Payment)],
            "{section}"
        );
    }
    for (section, _) in SEED_REQUESTS {
        assert!(
            !bindings_of(section).is_empty(),
            "no bindings for {section}"
        );
    }
}

#[test]
fn every_seed_request_is_reproduced_parameter_for_parameter() {
    let mut checked = 0;
    for (section, template_text) in SEED_REQUESTS {
        let template = split_template(template_text);
        for bindings in bindings_of(section) {
            for (base_url, base_path) in BASE_URLS {
                for mode in [BalanceSign::Fields, BalanceSign::CheckBalance] {
                    let mut c = creds(MEMBER_ID, PIN, API_KEY, base_url);
                    c.balance_sign = mode;
                    let value_of = |name: &str| {
                        template
                            .params
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, v)| fill(v, &bindings))
                    };
                    let (request, signed) = match operation_of(&template) {
                        Some(op) => {
                            let product = value_of("product").expect("product");
                            let dest = value_of("dest").expect("dest");
                            let ref_id = value_of("refID").expect("refID");
                            let request = transaction_request(&c, op, &product, &dest, &ref_id);
                            let signed = format!(
                                "R-ONE|{MEMBER_ID}|{product}|{dest}|{ref_id}|{PIN}|{API_KEY}"
                            );
                            (request, signed)
                        }
                        None => {
                            let signed = match mode {
                                BalanceSign::Fields => {
                                    format!("R-ONE|{MEMBER_ID}||||{PIN}|{API_KEY}")
                                }
                                BalanceSign::CheckBalance => {
                                    format!("R-ONE|CheckBalance|{MEMBER_ID}|{PIN}|{API_KEY}")
                                }
                            };
                            (balance_request(&c), signed)
                        }
                    };
                    let context = format!("{section} {template_text} via {base_url} ({mode:?})");
                    let url = parsed(&request);
                    assert_eq!(
                        url.path(),
                        format!("{base_path}{}", template.path),
                        "{context}"
                    );
                    assert_eq!(url.fragment(), None, "{context}");
                    let got = params(&request);
                    let got_names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
                    let want_names: Vec<&str> = template.params.iter().map(|(n, _)| *n).collect();
                    assert_eq!(got_names, want_names, "{context}");
                    for ((name, got_value), (_, want_value)) in got.iter().zip(&template.params) {
                        let want = if *want_value == "{sign}" {
                            reference_sign(&signed)
                        } else {
                            fill(want_value, &bindings)
                        };
                        assert_eq!(got_value, &want, "{context}: `{name}`");
                    }
                    checked += 1;
                }
            }
        }
    }
    // 2 topup + 2 × (14 families, 3 with two binding sets) + 2 status + 1
    // balance requests, each via 2 base URLs and 2 balance modes.
    assert_eq!(checked, (2 + 2 * (14 + 3) + 2 + 1) * 2 * 2);
}

#[test]
fn seed_parameter_order_is_product_dest_ref_member_extra_sign() {
    for (section, template_text) in SEED_REQUESTS {
        let names: Vec<&str> = split_template(template_text)
            .params
            .iter()
            .map(|(n, _)| *n)
            .collect();
        let want: &[&str] = match *section {
            "balance" => &["memberID", "sign"],
            "topup" => &["product", "dest", "refID", "memberID", "qty", "sign"],
            "status" => &["product", "dest", "refID", "memberID", "cek", "sign"],
            _ => &["product", "dest", "refID", "memberID", "jenis", "sign"],
        };
        assert_eq!(names, want, "{section}");
    }
}

/// Where the seed puts a family's `@` (product or dest, and what follows it)
/// must be the shape the catalogue gives the family's codes.
#[test]
fn catalogue_shapes_match_where_the_seed_puts_the_at() {
    let catalog = Catalog::builtin();
    for section in BILL_SECTIONS {
        let template = SEED_REQUESTS
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, t)| split_template(t))
            .expect("section in seed");
        let product = template.params[0].1;
        let dest = template.params[1].1;
        let want = match (product, dest) {
            (p, _) if p.ends_with("@{tahun}") => BillShape::ProductYear,
            (p, _) if p.ends_with("@{nominalbayar}") => BillShape::ProductAmount,
            (_, d) if d.ends_with("@{periode}") => BillShape::DestMonths,
            (_, d) if d.ends_with("@{tahun}") => BillShape::DestYear,
            (p, d) => {
                assert!(!p.contains('@') && !d.contains('@'), "{section}");
                BillShape::Plain
            }
        };
        for bindings in bindings_of(section) {
            let code = match product.split('@').next().unwrap_or("") {
                "{kode}" => bindings["kode"].to_string(),
                fixed => fixed.to_string(),
            };
            match catalog.classify(&code) {
                ProductKind::Bill(family) => {
                    assert_eq!(family.key, *section, "{code}");
                    assert_eq!(family.shape, want, "{code}");
                }
                ProductKind::Prepaid => panic!("{code} classified as prepaid"),
            }
        }
    }
    assert_eq!(catalog.classify("T10"), ProductKind::Prepaid);
}

// ---------------------------------------------------------------------------
// 5. Redaction
// ---------------------------------------------------------------------------

fn all_seed_requests() -> Vec<GatewayRequest> {
    let mut out = Vec::new();
    for (section, template_text) in SEED_REQUESTS {
        let template = split_template(template_text);
        for bindings in bindings_of(section) {
            let c = creds(MEMBER_ID, PIN, API_KEY, "https://h2h.example.co.id");
            let value = |name: &str| {
                template
                    .params
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| fill(v, &bindings))
                    .unwrap_or_default()
            };
            out.push(match operation_of(&template) {
                Some(op) => {
                    transaction_request(&c, op, &value("product"), &value("dest"), &value("refID"))
                }
                None => balance_request(&c),
            });
        }
    }
    out
}

#[test]
fn a_requests_debug_display_and_redacted_forms_never_hold_the_sign() {
    let mut requests = all_seed_requests();
    requests.extend(SIGN_CASES.iter().map(sign_case_request));
    for request in requests {
        let sign = param(&request, "sign");
        for shown in [
            format!("{request:?}"),
            format!("{request:#?}"),
            format!("{request}"),
            request.redacted(),
            format!("{:?}", Some(&request)),
        ] {
            assert!(!shown.contains(&sign), "sign leaked: {shown}");
            assert!(shown.contains("sign=***"), "{shown}");
        }
        // Only the sign is hidden: the rest of the call stays readable.
        assert_eq!(request.redacted().replace("sign=***", ""), {
            let url = request.url();
            url.replace(&format!("sign={sign}"), "")
        });
    }
}

#[test]
fn credentials_debug_shows_neither_pin_nor_key() {
    let c = creds(MEMBER_ID, "9182736450", "very-secret-api-key", "https://x");
    let shown = format!("{c:?}");
    assert!(!shown.contains("9182736450"), "{shown}");
    assert!(!shown.contains("very-secret-api-key"), "{shown}");
}

#[test]
fn redact_url_hides_the_sign_in_reqwest_style_messages() {
    let sign = "Cp9NLVuKWBt5Sey_uMlYsvnKvJI";
    let url = format!(
        "https://h2h.example.co.id/V1/http-get?product=T10&dest=0877&refID=L1&memberID=M1&qty=1&sign={sign}"
    );
    let messages = [
        // reqwest 0.12 `Display`.
        format!("error sending request for url ({url})"),
        format!("error sending request for url ({url}): client error (Connect)"),
        // reqwest 0.12 `Debug`.
        format!(
            "reqwest::Error {{ kind: Request, url: \"{url}\", source: hyper_util::client::legacy::Error(Connect, ConnectError(\"tcp connect error\", Os {{ code: 111, kind: ConnectionRefused, message: \"Connection refused\" }})) }}"
        ),
        format!("operation timed out for url ({url})"),
        format!("HTTP status server error (502 Bad Gateway) for url ({url})"),
        // Older `url::Url` `Debug`, which prints the query on its own.
        format!("query: Some(\"sign={sign}&memberID=M1\")"),
        format!("query: Some(\"memberID=M1&sign={sign}\")"),
        format!("{url}#frag"),
        format!("'{url}'"),
        format!("<a href=\"{}\">retry</a>", url.replace('&', "&amp;")),
        format!("url={}", url.replace('&', "%26").replace('=', "%3D").replace('?', "%3F")),
        format!("https://h2h.example.co.id/V1/http-get/balance?sign={sign}&memberID=M1"),
        format!("https://h2h.example.co.id/V1/http-get/balance?SIGN={sign}"),
        format!("GET {url}\nGET {url}"),
    ];
    for message in messages {
        let redacted = redact_url(&message);
        assert!(!redacted.contains(sign), "sign kept in {redacted}");
    }
}

#[test]
fn redact_url_leaves_other_parameters_alone() {
    let cases = [
        ("design=ok&assign=2", "design=ok&assign=2"),
        ("signal=1&keyword=x", "signal=1&keyword=x"),
        (
            "http://x/V1/http-get?product=T10&dest=0877&refID=L1&memberID=M1&qty=1&sign=abc",
            "http://x/V1/http-get?product=T10&dest=0877&refID=L1&memberID=M1&qty=1&sign=***",
        ),
        ("no url here", "no url here"),
        ("", ""),
    ];
    for (text, want) in cases {
        assert_eq!(redact_url(text), want, "{text}");
    }
}

/// A real reqwest failure against a closed port: neither loket's error nor
/// reqwest's own message, once redacted, holds the sign.
#[tokio::test]
async fn a_failed_call_never_reveals_the_sign() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let c = creds(MEMBER_ID, PIN, API_KEY, &format!("http://127.0.0.1:{port}"));
    for request in [
        transaction_request(&c, Operation::Topup, "T10", "087712345678", REF_ID),
        balance_request(&c),
    ] {
        let sign = param(&request, "sign");
        let client = loket::gateway::GatewayClient::new(std::time::Duration::from_secs(5));
        let error = client.send(&request).await.expect_err("port is closed");
        for shown in [format!("{error}"), format!("{error:?}")] {
            assert!(!shown.contains(&sign), "{shown}");
        }

        let raw = reqwest::Client::new()
            .get(request.url())
            .send()
            .await
            .expect_err("port is closed");
        let mut texts = vec![format!("{raw}"), format!("{raw:?}"), format!("{raw:#?}")];
        let mut source = std::error::Error::source(&raw);
        while let Some(s) = source {
            texts.push(format!("{s}"));
            source = s.source();
        }
        assert!(
            texts.iter().any(|t| t.contains(&sign)),
            "reqwest no longer quotes the URL; this test needs a new subject"
        );
        for text in texts {
            let redacted = redact_url(&text);
            assert!(!redacted.contains(&sign), "{redacted}");
        }
    }
}

// ---------------------------------------------------------------------------
// 4. Property: redaction never leaves a sign behind
// ---------------------------------------------------------------------------

mod redaction_properties {
    use super::*;
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    use proptest::prelude::*;

    const UNRESERVED_KEPT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');

    fn sign_value() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_-]{27}"
    }

    fn other_param() -> impl Strategy<Value = (String, String)> {
        (
            "[A-Za-z][A-Za-z0-9_]{0,9}",
            any::<String>().prop_map(|v| utf8_percent_encode(&v, NON_ALPHANUMERIC).to_string()),
        )
    }

    /// How the URL ends up in text: bare, or the ways errors and logs quote it.
    fn wrap(url: &str, how: usize) -> String {
        match how % 8 {
            0 => url.to_string(),
            1 => format!("error sending request for url ({url})"),
            2 => format!("reqwest::Error {{ kind: Request, url: {url:?}, source: Timeout }}"),
            3 => format!(
                "query: Some({:?})",
                url.split_once('?').map_or("", |(_, q)| q)
            ),
            4 => url.replace('&', "&amp;"),
            // Percent-encoded inside another URL, unreserved bytes kept.
            5 => format!("next={}", utf8_percent_encode(url, UNRESERVED_KEPT)),
            6 => format!("'{url}', retrying\t{url}"),
            _ => format!("{{\"url\":\"{url}\"}}"),
        }
    }

    proptest! {
        #[test]
        fn redact_url_removes_every_sign_from_generated_urls(
            scheme in prop::sample::select(vec!["http", "https"]),
            host in "[a-z][a-z0-9-]{0,12}(\\.[a-z]{2,3}){1,2}",
            port in prop::option::of(1u16..),
            path in "(/[A-Za-z0-9._-]{1,8}){0,3}",
            others in prop::collection::vec(other_param(), 0..6),
            sign in sign_value(),
            key in prop::sample::select(vec!["sign", "Sign", "SIGN"]),
            position in any::<prop::sample::Index>(),
            how in 0usize..8,
        ) {
            let mut pairs: Vec<String> =
                others.iter().map(|(n, v)| format!("{n}={v}")).collect();
            pairs.insert(position.index(pairs.len() + 1), format!("{key}={sign}"));
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let url = format!("{scheme}://{host}{port}{path}?{}", pairs.join("&"));
            prop_assume!(others.iter().all(|(n, v)| !n.contains(&sign) && !v.contains(&sign)));
            let text = wrap(&url, how);
            prop_assert!(text.contains(&sign), "the wrapper hid the sign itself: {}", text);
            let redacted = redact_url(&text);
            prop_assert!(!redacted.contains(&sign), "{} → {}", text, redacted);
        }

        #[test]
        fn requests_built_from_any_values_never_print_their_sign(
            member in any::<String>(),
            pin in any::<String>(),
            key in any::<String>(),
            product in any::<String>(),
            dest in any::<String>(),
            ref_id in "[A-Za-z0-9]{1,20}",
        ) {
            let c = creds(&member, &pin, &key, "https://h2h.example.co.id");
            for request in [
                transaction_request(&c, Operation::Payment, &product, &dest, &ref_id),
                balance_request(&c),
            ] {
                let sign = param(&request, "sign");
                let encoded_values = request.url().replace(&format!("sign={sign}"), "");
                prop_assume!(!encoded_values.contains(&sign));
                let debug = format!("{request:?}");
                let display = format!("{request}");
                prop_assert!(!debug.contains(&sign));
                prop_assert!(!display.contains(&sign));
                prop_assert!(!redact_url(request.url()).contains(&sign));
            }
        }
    }
}
