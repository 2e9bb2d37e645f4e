//! The command language of SPEC §2: a chat message → a [`Command`].
//!
//! Pure: no I/O, no clock, no store. Case-insensitive; words split on
//! whitespace, or on `.` when the message has none (`T10.0877…`); the action
//! word (`cek`, `bayar`, `beli`) may come first or last; every command also
//! has a slash form for groups. Families and their `@` shapes come from the
//! [`Catalog`]. Errors are a [`ParseError`] that carries the closest valid
//! example; the engine turns it into a locale message.
//!
//! Only text shaped like a transaction becomes one: the product is letters
//! then digits (`T10`, `DANA20`) or a code the catalogue names (`HALO`,
//! `PDAMKLT`), and the destination has the [`DestShape`] the catalogue
//! gives that code (digits of the family's length, a mobile number, a
//! plate). Anything else is an error, so nothing is sent for it.

use std::fmt;

use crate::catalog::{
    BillFamily, BillShape, Catalog, DestKind, DestShape, ProductKind, MOBILE_LEN,
};
use crate::money::Rupiah;

/// Longest message the parser reads; longer text is not a command.
pub const MAX_COMMAND_LEN: usize = 512;

/// A product code and destination exactly as they will be sent and signed:
/// upper-cased product, `@` forms included.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub product: String,
    pub dest: String,
}

/// A bill to check or pay: the target plus its family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub target: Target,
    pub family: &'static BillFamily,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// `/login` alone: ask for the fields one message at a time.
    StepByStep,
    /// `/login MEMBERID PIN API_KEY [BASE_URL]`.
    Full {
        member_id: String,
        pin: String,
        api_key: String,
        base_url: Option<String>,
    },
}

/// Which language a chat wants.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "id" | "indonesia" | "ind" => Some(Lang::Id),
            "en" | "english" | "inggris" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Who `/izinkan` or `/cabut` is about: the author of the replied-to
/// message (the front end knows it) or an explicit Telegram user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    RepliedTo,
    Id(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Topup(Target),
    Inquiry(Bill),
    Pay(Bill),
    Balance,
    Status {
        ref_id: String,
    },
    History,
    Help,
    Language(Option<Lang>),
    Login(Login),
    Logout,
    Account,
    Link,
    Unlink,
    Allow(Member),
    Revoke(Member),
    /// `batal` / `/batal`: abandon a step-by-step login or a question.
    Cancel,
}

/// What was wrong with a message, with the closest valid example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing recognisable: show the help pointer.
    NotUnderstood,
    /// A product code without a destination.
    MissingDest {
        example: String,
    },
    /// A code or destination with characters that cannot be one.
    BadTarget {
        example: String,
    },
    /// The first word is not a product code: neither letters then digits
    /// nor a code the catalogue names (`struk LMX584QEO0000ZC`).
    NotAProduct {
        example: String,
    },
    /// A destination without the shape this code's numbers have
    /// (`PLNPASC anto`, `PLNPASC 546`).
    BadDest {
        example: String,
        shape: DestShape,
    },
    /// Words left over after a complete command.
    TooManyWords {
        example: String,
    },
    /// BPJS months outside 1–12.
    BadMonths {
        example: String,
    },
    /// PKB / PBB without a valid year.
    NeedYear {
        example: String,
    },
    /// Credit card without a valid amount.
    NeedAmount {
        example: String,
    },
    /// `bayar` for a prepaid code, or `/cek` for one.
    NotABill {
        example: String,
    },
    /// `/beli` for a bill code.
    NotPrepaid {
        example: String,
    },
    NeedRefId,
    BadLanguage,
    LoginUsage,
    BadUserId,
}

impl ParseError {
    /// Locale message id for this error.
    pub fn message_id(&self) -> &'static str {
        match self {
            ParseError::NotUnderstood => "err-not-understood",
            ParseError::MissingDest { .. } => "err-missing-dest",
            ParseError::BadTarget { .. } => "err-bad-target",
            ParseError::NotAProduct { .. } => "err-not-a-product",
            ParseError::BadDest { .. } => "err-bad-dest",
            ParseError::TooManyWords { .. } => "err-too-many-words",
            ParseError::BadMonths { .. } => "err-bad-months",
            ParseError::NeedYear { .. } => "err-need-year",
            ParseError::NeedAmount { .. } => "err-need-amount",
            ParseError::NotABill { .. } => "err-not-a-bill",
            ParseError::NotPrepaid { .. } => "err-not-prepaid",
            ParseError::NeedRefId => "err-need-refid",
            ParseError::BadLanguage => "err-bad-language",
            ParseError::LoginUsage => "err-login-usage",
            ParseError::BadUserId => "err-bad-user-id",
        }
    }

    /// The closest valid example, when the error has one.
    pub fn example(&self) -> Option<&str> {
        match self {
            ParseError::MissingDest { example }
            | ParseError::BadTarget { example }
            | ParseError::NotAProduct { example }
            | ParseError::BadDest { example, .. }
            | ParseError::TooManyWords { example }
            | ParseError::BadMonths { example }
            | ParseError::NeedYear { example }
            | ParseError::NeedAmount { example }
            | ParseError::NotABill { example }
            | ParseError::NotPrepaid { example } => Some(example),
            _ => None,
        }
    }

    /// The locale message's arguments: the example, and for a destination
    /// its expected kind (`digits`, `phone`, …) and length (`11–12`).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let mut args: Vec<(&'static str, String)> = self
            .example()
            .map(|example| vec![("example", example.to_string())])
            .unwrap_or_default();
        if let ParseError::BadDest { shape, .. } = self {
            let length = if shape.min == shape.max {
                shape.min.to_string()
            } else {
                format!("{}–{}", shape.min, shape.max)
            };
            args.push(("kind", shape.kind.key().to_string()));
            args.push(("length", length));
        }
        args
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.example() {
            Some(example) => write!(f, "{} ({example})", self.message_id()),
            None => f.write_str(self.message_id()),
        }
    }
}

impl std::error::Error for ParseError {}

/// The action word of a plain-text purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Check,
    Pay,
    Buy,
}

fn action_word(word: &str) -> Option<Action> {
    match word.to_ascii_lowercase().as_str() {
        "cek" | "cektagihan" | "inq" | "inquiry" => Some(Action::Check),
        "bayar" | "pay" | "byr" => Some(Action::Pay),
        "beli" | "isi" | "buy" => Some(Action::Buy),
        _ => None,
    }
}

/// Parses one message. `text` is the whole message as typed.
pub fn parse(text: &str, catalog: &Catalog) -> Result<Command, ParseError> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_COMMAND_LEN {
        return Err(ParseError::NotUnderstood);
    }
    let words = split_words(text);
    let Some((first, rest)) = words.split_first() else {
        return Err(ParseError::NotUnderstood);
    };
    match first.strip_prefix('/') {
        Some(slash) => parse_keyword(slash_name(slash), rest, catalog, true),
        None => parse_plain(first, rest, catalog),
    }
}

/// True when the text is a login with anything after the keyword, slash
/// or plain, whatever its form (`/login 8642`, `/login M:P:K`,
/// `login M P K URL extra`, `/login:M:P:K`): whether or not it parses, it
/// may hold a PIN or key and must be deleted.
///
/// Words are split as [`parse`] splits them, so every text that parses as
/// a full login (`login.M.P.K` too) is covered.
pub fn may_hold_secret(text: &str) -> bool {
    let words = split_words(text.trim());
    let Some((first, rest)) = words.split_first() else {
        return false;
    };
    let word = first
        .strip_prefix('/')
        .unwrap_or(first)
        .to_ascii_lowercase();
    let Some(after) = word.strip_prefix("login") else {
        return false;
    };
    match after.chars().next() {
        // `login`, `/login@loket_bot`: the words after it.
        None | Some('@') => !rest.is_empty(),
        // `loginku`: another word.
        Some(c) if c.is_alphanumeric() => false,
        // `/login:M:P:K`, `/login.M.P.K`: glued on.
        Some(_) => true,
    }
}

/// How many words [`parse`] reads in the text.
pub fn word_count(text: &str) -> usize {
    split_words(text.trim()).len()
}

/// Whitespace words, or `.`-separated parts for a message without spaces.
fn split_words(text: &str) -> Vec<&str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() == 1 && !text.starts_with('/') && text.contains('.') {
        return text.split('.').filter(|w| !w.is_empty()).collect();
    }
    words
}

/// `/saldo@loket_bot` → `saldo`, lower-cased.
fn slash_name(word: &str) -> String {
    word.split('@').next().unwrap_or("").to_ascii_lowercase()
}

fn parse_plain(first: &str, rest: &[&str], catalog: &Catalog) -> Result<Command, ParseError> {
    let keyword = first.to_ascii_lowercase();
    if keyword == "login" {
        // Plain `login` is `/login`, never read as a product code.
        return parse_keyword(keyword, rest, catalog, false);
    }
    if let Ok(command) = parse_keyword(keyword.clone(), rest, catalog, false) {
        return Ok(command);
    }
    if let Some(action) = action_word(first) {
        return parse_purchase(Some(action), rest, catalog);
    }
    // The action word may come last: `PLNPASC 546302215889 cek`.
    let mut all: Vec<&str> = Vec::with_capacity(rest.len() + 1);
    all.push(first);
    all.extend_from_slice(rest);
    if let Some((last, body)) = all.split_last() {
        if let Some(action) = action_word(last) {
            return parse_purchase(Some(action), body, catalog);
        }
    }
    if is_keyword(&keyword) {
        // A keyword with bad arguments: report that, not "unknown product".
        return parse_keyword(keyword, rest, catalog, false);
    }
    let has_digit = |w: &str| w.bytes().any(|b| b.is_ascii_digit());
    let looks_like_purchase = match rest.first() {
        Some(dest) => has_digit(dest),
        None => has_digit(first),
    };
    if !looks_like_purchase {
        // "halo", "apa kabar semua": chatter, not a product code.
        return Err(ParseError::NotUnderstood);
    }
    parse_purchase(None, &all, catalog)
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "saldo"
            | "sal"
            | "status"
            | "riwayat"
            | "bantuan"
            | "help"
            | "bahasa"
            | "login"
            | "logout"
            | "akun"
            | "batal"
    )
}

/// Commands named by a keyword; `slash` is true for the `/` form, which
/// also accepts the group and account commands.
fn parse_keyword(
    keyword: String,
    args: &[&str],
    catalog: &Catalog,
    slash: bool,
) -> Result<Command, ParseError> {
    let no_args = |command: Command| {
        if args.is_empty() {
            Ok(command)
        } else {
            Err(ParseError::NotUnderstood)
        }
    };
    match keyword.as_str() {
        "saldo" | "sal" | "balance" => no_args(Command::Balance),
        "riwayat" | "history" => no_args(Command::History),
        "bantuan" | "help" | "start" | "menu" => Ok(Command::Help),
        "batal" | "cancel" => no_args(Command::Cancel),
        "status" => match args {
            [ref_id] if is_ref_id(ref_id) => Ok(Command::Status {
                ref_id: (*ref_id).to_string(),
            }),
            _ => Err(ParseError::NeedRefId),
        },
        "bahasa" | "language" | "lang" => match args {
            [] => Ok(Command::Language(None)),
            [code] => Lang::parse(code)
                .map(|l| Command::Language(Some(l)))
                .ok_or(ParseError::BadLanguage),
            _ => Err(ParseError::BadLanguage),
        },
        "login" => match args {
            [] => Ok(Command::Login(Login::StepByStep)),
            [member_id, pin, api_key] | [member_id, pin, api_key, _] => {
                Ok(Command::Login(Login::Full {
                    member_id: (*member_id).to_string(),
                    pin: (*pin).to_string(),
                    api_key: (*api_key).to_string(),
                    base_url: args.get(3).map(|u| (*u).to_string()),
                }))
            }
            _ => Err(ParseError::LoginUsage),
        },
        "logout" => no_args(Command::Logout),
        "akun" | "account" => no_args(Command::Account),
        "hubungkan" | "link" if slash => no_args(Command::Link),
        "putus" | "unlink" if slash => no_args(Command::Unlink),
        "izinkan" | "allow" if slash => parse_member(args).map(Command::Allow),
        "cabut" | "revoke" if slash => parse_member(args).map(Command::Revoke),
        "cek" if slash => parse_purchase(Some(Action::Check), args, catalog),
        "bayar" if slash => parse_purchase(Some(Action::Pay), args, catalog),
        "beli" if slash => parse_purchase(Some(Action::Buy), args, catalog),
        _ => Err(ParseError::NotUnderstood),
    }
}

fn parse_member(args: &[&str]) -> Result<Member, ParseError> {
    match args {
        [] => Ok(Member::RepliedTo),
        [id] => id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Member::Id)
            .ok_or(ParseError::BadUserId),
        _ => Err(ParseError::BadUserId),
    }
}

/// refIDs are short `[A-Za-z0-9]` strings (other gateways add `-`/`_`).
fn is_ref_id(text: &str) -> bool {
    (1..=32).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A purchase: `CODE DEST [extra]` with an optional action.
fn parse_purchase(
    action: Option<Action>,
    words: &[&str],
    catalog: &Catalog,
) -> Result<Command, ParseError> {
    let Some((code, args)) = words.split_first() else {
        // `/cek` alone, as Telegram's command menu sends it.
        let example = match action {
            Some(Action::Buy) => "/beli T10 087712345678",
            Some(Action::Pay) => "/bayar PLNPASC 546302215889",
            Some(Action::Check) => "/cek PLNPASC 546302215889",
            None => return Err(ParseError::NotUnderstood),
        };
        return Err(ParseError::MissingDest {
            example: example.into(),
        });
    };
    let product = code.to_ascii_uppercase();
    let base_code = product.split('@').next().unwrap_or("");
    if !is_product_code(&product) {
        return Err(if action.is_some() {
            ParseError::BadTarget {
                example: "T10 087712345678".into(),
            }
        } else {
            ParseError::NotUnderstood
        });
    }
    if !is_product(base_code, catalog) {
        let example = match action {
            Some(Action::Check | Action::Pay) => "PLNPASC 546302215889 cek",
            Some(Action::Buy) | None => "T10 087712345678",
        };
        return Err(ParseError::NotAProduct {
            example: example.into(),
        });
    }
    let shape = catalog.dest_shape(base_code);
    match catalog.classify(base_code) {
        ProductKind::Prepaid => {
            let preferred = match shape.kind {
                DestKind::Phone | DestKind::PhoneOrId => PREPAID_EXAMPLE_DEST,
                _ => "",
            };
            let example = format!("{base_code} {}", example_dest(shape, preferred));
            match action {
                Some(Action::Check) => return Err(ParseError::NotABill { example }),
                Some(Action::Pay) => return Err(ParseError::NotABill { example }),
                _ => {}
            }
            let dest = match args {
                [] => return Err(ParseError::MissingDest { example }),
                [dest] => read_dest_at(shape, dest),
                groups => Some(read_groups(shape, groups).ok_or(ParseError::TooManyWords {
                    example: example.clone(),
                })?),
            };
            let dest = dest.ok_or(ParseError::BadDest { example, shape })?;
            Ok(Command::Topup(Target { product, dest }))
        }
        ProductKind::Bill(family) => {
            if action == Some(Action::Buy) {
                return Err(ParseError::NotPrepaid {
                    example: bill_example(family, "cek"),
                });
            }
            let bill = shape_bill(family, shape, &product, args, action == Some(Action::Pay))?;
            Ok(if action == Some(Action::Pay) {
                Command::Pay(bill)
            } else {
                Command::Inquiry(bill)
            })
        }
    }
}

/// Reads the destination with the code's `dest` shape and applies the
/// family's `@` shape to the typed words.
///
/// `pay` is a typed `bayar`: it pays the open check of that customer
/// number, so the year, months or amount need not be typed again; without
/// them the target is left without its suffix.
fn shape_bill(
    family: &'static BillFamily,
    dest_shape: DestShape,
    product: &str,
    args: &[&str],
    pay: bool,
) -> Result<Bill, ParseError> {
    // A code whose rule gives it a shape of its own gets an example of it.
    let example = if dest_shape == family.dest {
        bill_example(family, "cek")
    } else {
        let code = product.split('@').next().unwrap_or(product);
        bill_example_with(family, code, &example_dest(dest_shape, ""), "cek")
    };
    let typed_at_product = product.contains('@');
    // The family's extra word (months, year, amount) is the last one; a
    // plain family's words are all the destination, typed in groups.
    let takes_extra = family.shape != BillShape::Plain && !typed_at_product;
    let (dest_words, extra) = match args {
        [] => return Err(ParseError::MissingDest { example }),
        [_] => (args, None),
        [dest_words @ .., extra] if takes_extra => (dest_words, Some(*extra)),
        _ => (args, None),
    };
    let dest = match dest_words {
        [dest] => read_dest_at(dest_shape, dest).ok_or_else(|| ParseError::BadDest {
            example: example.clone(),
            shape: dest_shape,
        })?,
        groups => read_groups(dest_shape, groups).ok_or_else(|| ParseError::TooManyWords {
            example: example.clone(),
        })?,
    };
    if typed_at_product || dest.contains('@') {
        // A raw `@` form is passed through as typed.
        if extra.is_some() {
            return Err(ParseError::TooManyWords { example });
        }
        return Ok(Bill {
            target: Target {
                product: product.to_string(),
                dest,
            },
            family,
        });
    }
    if pay && extra.is_none() {
        return Ok(Bill {
            target: Target {
                product: product.to_string(),
                dest: match family.shape {
                    BillShape::DestYear => dest.to_ascii_uppercase(),
                    _ => dest.to_string(),
                },
            },
            family,
        });
    }
    let target = match family.shape {
        BillShape::Plain => Target {
            product: product.to_string(),
            dest,
        },
        BillShape::DestMonths => {
            let months = match extra {
                None => 1,
                Some(m) => m
                    .parse::<u8>()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or(ParseError::BadMonths { example })?,
            };
            Target {
                product: product.to_string(),
                dest: format!("{dest}@{months}"),
            }
        }
        BillShape::DestYear => {
            let year = extra
                .and_then(parse_year)
                .ok_or(ParseError::NeedYear { example })?;
            Target {
                product: product.to_string(),
                dest: format!("{dest}@{year}"),
            }
        }
        BillShape::ProductYear => {
            let year = extra
                .and_then(parse_year)
                .ok_or(ParseError::NeedYear { example })?;
            Target {
                product: format!("{product}@{year}"),
                dest,
            }
        }
        BillShape::ProductAmount => {
            let amount = extra
                .and_then(Rupiah::parse_typed)
                .ok_or(ParseError::NeedAmount { example })?;
            Target {
                product: format!("{product}@{}", amount.value()),
                dest,
            }
        }
    };
    Ok(Bill { target, family })
}

/// The closest valid example for a family: `PLNPASC 546302215889 cek`.
pub fn bill_example(family: &BillFamily, action: &str) -> String {
    bill_example_with(family, family.example_code, family.example_dest, action)
}

fn bill_example_with(family: &BillFamily, code: &str, dest: &str, action: &str) -> String {
    let extra = match example_extra(family.shape) {
        "" => String::new(),
        extra => format!(" {extra}"),
    };
    format!("{code} {dest}{extra} {action}")
}

/// The destination prepaid examples show.
const PREPAID_EXAMPLE_DEST: &str = "087712345678";

/// `preferred` when it has the shape, else one made for the shape (a code
/// whose rule gives it a shape of its own).
fn example_dest(shape: DestShape, preferred: &str) -> String {
    if read_dest(shape, preferred).as_deref() == Some(preferred) {
        return preferred.to_string();
    }
    let len = usize::from(12_u8.clamp(shape.min, shape.max));
    let counting = |lead: &str| {
        lead.chars()
            .chain("1234567890".chars().cycle())
            .take(len)
            .collect::<String>()
    };
    match shape.kind {
        DestKind::Phone | DestKind::PhoneOrId => counting("0877"),
        DestKind::Digits => counting(""),
        DestKind::Alnum => counting("AB"),
        DestKind::Plate => "B1234XYZ".to_string(),
    }
}

/// The extra word a family's examples show (months, year, amount).
fn example_extra(shape: BillShape) -> &'static str {
    match shape {
        BillShape::Plain => "",
        BillShape::DestMonths => "3",
        BillShape::DestYear => "2025",
        BillShape::ProductYear => "2024",
        BillShape::ProductAmount => "1500000",
    }
}

/// How a user types the check of a bill sent as `product` / `dest`: the
/// family's `@` shape undone (`BPJSKS` `0001234567890@3` →
/// `BPJSKS 0001234567890 3 cek`; one month, the default, is not typed).
pub fn check_example(catalog: &Catalog, product: &str, dest: &str) -> String {
    let (code, code_suffix) = product.split_once('@').unwrap_or((product, ""));
    let (number, number_suffix) = dest.split_once('@').unwrap_or((dest, ""));
    let extra = match catalog.classify(code) {
        ProductKind::Bill(family) => match family.shape {
            BillShape::Plain => "",
            BillShape::DestMonths if number_suffix.is_empty() || number_suffix == "1" => "",
            BillShape::DestMonths | BillShape::DestYear if !number_suffix.is_empty() => {
                number_suffix
            }
            BillShape::ProductYear | BillShape::ProductAmount if !code_suffix.is_empty() => {
                code_suffix
            }
            // A year or amount is needed to check: show where it goes.
            shape => example_extra(shape),
        },
        ProductKind::Prepaid => "",
    };
    if extra.is_empty() {
        format!("{code} {number} cek")
    } else {
        format!("{code} {number} {extra} cek")
    }
}

fn parse_year(text: &str) -> Option<u16> {
    text.parse::<u16>()
        .ok()
        .filter(|y| (1990..=2100).contains(y) && text.len() == 4)
}

/// The part before an optional `@suffix` (one `@`, 1–12 alphanumerics
/// after it), or `None` when the suffix is malformed.
fn base_before_suffix(text: &str) -> Option<&str> {
    match text.split_once('@') {
        None => Some(text),
        Some((base, suffix)) => {
            let ok = (1..=12).contains(&suffix.len())
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric());
            ok.then_some(base)
        }
    }
}

/// `CODE` or `CODE@suffix`: starts with a letter, alphanumerics only.
fn is_product_code(code: &str) -> bool {
    base_before_suffix(code).is_some_and(|base| {
        (1..=20).contains(&base.len())
            && base.as_bytes()[0].is_ascii_alphabetic()
            && base.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// A product: letters then digits (`T10`, `TSEL10`, `DANA20`), or a code
/// the catalogue names. An all-letter word it does not name (`STRUK`,
/// `JAM`) is a word, not a product.
fn is_product(code: &str, catalog: &Catalog) -> bool {
    code.bytes().any(|b| b.is_ascii_digit()) || catalog.knows(code)
}

/// A destination typed whole, with an optional raw `@suffix` that is kept
/// as typed: the part before it must have the shape.
fn read_dest_at(shape: DestShape, typed: &str) -> Option<String> {
    let base = base_before_suffix(typed)?;
    let dest = read_dest(shape, base)?;
    Some(match typed.split_once('@') {
        Some((_, suffix)) => format!("{dest}@{suffix}"),
        None => dest,
    })
}

/// A destination typed in groups (`0877 1234 5678`, `+62 877-1234-5678`,
/// `B 1234 XYZ`): only phones and plates. A phone's groups are joined only
/// when no shorter run of them is already a phone, so a stray word after a
/// number (`087712345678 2`) is never read into it. Anything else in
/// several words is not one destination.
fn read_groups(shape: DestShape, groups: &[&str]) -> Option<String> {
    match shape.kind {
        DestKind::Plate => read_dest(shape, &groups.concat()),
        DestKind::Phone | DestKind::PhoneOrId => {
            let (min, max) = match shape.kind {
                DestKind::Phone => (shape.min, shape.max),
                _ => MOBILE_LEN,
            };
            let phone =
                |words: &[&str]| read_mobile(&without_separators(&words.concat()), min, max);
            let complete_early = (1..groups.len()).any(|k| phone(&groups[..k]).is_some());
            if complete_early {
                return None;
            }
            phone(groups)
        }
        DestKind::Digits | DestKind::Alnum => None,
    }
}

/// Reads one typed destination as `shape`: separators (`-`, `.`) dropped,
/// `+62`/`62` read as `0` for phones, letters upper-cased; `None` when it
/// does not have the shape.
fn read_dest(shape: DestShape, typed: &str) -> Option<String> {
    let text = without_separators(typed).to_ascii_uppercase();
    let fits = |s: &str| (usize::from(shape.min)..=usize::from(shape.max)).contains(&s.len());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match shape.kind {
        DestKind::Digits => Some(text).filter(|t| digits(t) && fits(t)),
        DestKind::Phone => read_mobile(&text, shape.min, shape.max),
        DestKind::PhoneOrId => {
            if text.starts_with('+') || text.starts_with("62") {
                // `62…` that makes no mobile number is an ID that starts so.
                read_mobile(&text, MOBILE_LEN.0, MOBILE_LEN.1)
                    .or_else(|| Some(text.clone()).filter(|t| digits(t) && fits(t)))
            } else {
                Some(text).filter(|t| digits(t) && fits(t))
            }
        }
        DestKind::Alnum => Some(text).filter(|t| {
            fits(t)
                && t.bytes().all(|b| b.is_ascii_alphanumeric())
                && t.bytes().any(|b| b.is_ascii_digit())
        }),
        DestKind::Plate => Some(text).filter(|t| fits(t) && is_plate(t)),
    }
}

fn without_separators(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '-' | '.')).collect()
}

/// A mobile number: `08…` of `min..=max` digits; `+62…` and `62…` are
/// read as `0…` (`+6287712345678` → `087712345678`).
fn read_mobile(text: &str, min: u8, max: u8) -> Option<String> {
    let national = match text.strip_prefix("+62").or_else(|| text.strip_prefix("62")) {
        Some(rest) => format!("0{rest}"),
        None => text.to_string(),
    };
    let ok = national.starts_with("08")
        && national.bytes().all(|b| b.is_ascii_digit())
        && (usize::from(min)..=usize::from(max)).contains(&national.len());
    ok.then_some(national)
}

/// `B1234XYZ`: 1–2 region letters, 1–4 digits, 0–3 series letters.
fn is_plate(text: &str) -> bool {
    let bytes = text.as_bytes();
    let region = bytes.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let number = bytes[region..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let series = &bytes[region + number..];
    (1..=2).contains(&region)
        && (1..=4).contains(&number)
        && series.len() <= 3
        && series.iter().all(u8::is_ascii_uppercase)
}

/// What an inline button does. Encoded into Telegram's `callback_data`
/// (at most 64 bytes); refIDs are at most 20 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    /// Pay the inquiry with this refID.
    Pay(String),
    /// Pay it although the same bill was paid today (the user said yes).
    PayAgain(String),
    /// Drop the inquiry with this refID.
    CancelBill(String),
    /// Confirm a repeated topup prepared under this refID.
    SendAgain(String),
    /// Drop the repeated topup prepared under this refID.
    DontSend(String),
}

impl ButtonAction {
    pub fn encode(&self) -> String {
        let (tag, ref_id) = match self {
            ButtonAction::Pay(r) => ("pay", r),
            ButtonAction::PayAgain(r) => ("payagain", r),
            ButtonAction::CancelBill(r) => ("nopay", r),
            ButtonAction::SendAgain(r) => ("again", r),
            ButtonAction::DontSend(r) => ("noagain", r),
        };
        format!("{tag}:{ref_id}")
    }

    pub fn decode(data: &str) -> Option<ButtonAction> {
        let (tag, ref_id) = data.split_once(':')?;
        if !is_ref_id(ref_id) {
            return None;
        }
        let ref_id = ref_id.to_string();
        Some(match tag {
            "pay" => ButtonAction::Pay(ref_id),
            "payagain" => ButtonAction::PayAgain(ref_id),
            "nopay" => ButtonAction::CancelBill(ref_id),
            "again" => ButtonAction::SendAgain(ref_id),
            "noagain" => ButtonAction::DontSend(ref_id),
            _ => return None,
        })
    }
}
