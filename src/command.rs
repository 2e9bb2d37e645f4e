//! The command language of SPEC §2: a chat message → a [`Command`].
//!
//! Pure: no I/O, no clock, no store. Case-insensitive; words split on
//! whitespace, or on `.` when the message has none (`T10.0877…`); the action
//! word (`cek`, `bayar`, `beli`) may come first or last; every command also
//! has a slash form for groups. Which words name which command, in which
//! form, and where each is offered (its help line, its Telegram menu
//! entry) is one table, [`COMMANDS`]: parsing, the help and the menu are
//! read from it. Families and their `@` shapes come from the
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
use chrono::NaiveDate;

use crate::money::Rupiah;
use crate::secret::Secret;
use crate::shop::PriceRule;

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
    /// `/login MEMBERID PIN API_KEY [BASE_URL]`. The PIN and key are
    /// [`Secret`]s from the moment they are read.
    Full {
        member_id: String,
        pin: Secret,
        api_key: Secret,
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
    /// `/jual …`: the account's selling prices.
    Prices(PriceCommand),
    /// `/toko …`: what the account's receipts print.
    Shop(ShopCommand),
    /// `struk REFID`: a sale's receipt for the customer.
    Receipt {
        ref_id: String,
    },
    /// `rekap …`: what was sold in a day or a month.
    Recap(RecapCommand),
    /// `/ekspor 2026-11`: a month's sales as CSV (`None`: this month).
    Export {
        month: Option<Month>,
    },
    /// `/saldo minimal …`: the low-balance alert.
    BalanceAlert(BalanceAlert),
    /// `ulang`: this chat's last topup again (through the duplicate
    /// question).
    Repeat,
    /// `simpan PLNPASC 546302215889 Pak Anto`: a regular customer.
    SaveCustomer {
        target: Target,
        name: String,
    },
    /// `pelanggan`, `pelanggan 2` (a page), `pelanggan cari anto`.
    Customers(CustomerQuery),
    /// `hapus pelanggan 3`: the third of the list.
    ForgetCustomer(usize),
    /// `cek semua`, `/cekbulanan`: every saved bill customer checked.
    CheckAll,
    /// `H`, `HARGA`: a center bot's price list, which loket has not.
    PriceList,
}

/// Which saved customers `pelanggan` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerQuery {
    /// Page N (from 1) of all of them.
    Page(usize),
    Find(String),
}

/// Longest name a saved customer is kept under.
pub const MAX_CUSTOMER_NAME: usize = 40;

/// `/saldo minimal 200000`, `/saldo minimal mati`, `/saldo minimal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceAlert {
    Show,
    Set(Rupiah),
    Off,
}

/// `/jual` alone, `/jual T10 12000`, `/jual hapus T10`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceCommand {
    List,
    Set(PriceRule),
    /// The key of the rule to remove (`T10`, `T*`, `pln`).
    Remove(String),
}

/// `/toko`, `/toko Nama, alamat`, `/toko catatan …`, `/toko hapus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopCommand {
    Show,
    Set {
        name: String,
        address: Option<String>,
    },
    /// `/toko catatan …` (`None`: `/toko catatan hapus`).
    Footer(Option<String>),
    Clear,
}

/// A calendar month (`2026-11`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `2026-11`, `11-2026`, `2026/11`.
    pub fn parse(text: &str) -> Option<Month> {
        let (a, b) = text.split_once(['-', '/'])?;
        let (year, month) = if a.len() == 4 { (a, b) } else { (b, a) };
        if year.len() != 4 || !(1..=2).contains(&month.len()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Month { year, month })
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }

    pub fn days(self) -> u32 {
        let days = self
            .next()
            .first_day()
            .signed_duration_since(self.first_day())
            .num_days();
        u32::try_from(days).unwrap_or(30)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Which period a recap sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecapPeriod {
    Today,
    Yesterday,
    Day(NaiveDate),
    Month(Month),
}

/// `rekap …`, `/rekap otomatis 21:00`, `/rekap otomatis mati`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecapCommand {
    Show(RecapPeriod),
    /// Every day at this many minutes after 00:00 WIB.
    AutoAt(u16),
    AutoOff,
}

/// What a row of [`COMMANDS`] asks for; the words after its keyword are
/// read by [`parse_keyword`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Balance,
    Buy,
    Check,
    Pay,
    Status,
    History,
    Help,
    Language,
    Login,
    Account,
    Logout,
    Link,
    Unlink,
    Allow,
    Revoke,
    Cancel,
    Prices,
    Shop,
    Receipt,
    Recap,
    Export,
    Repeat,
    SaveCustomer,
    Customers,
    ForgetCustomer,
    CheckAll,
    PriceList,
}

impl Intent {
    /// The purchase a `cek` / `bayar` / `beli` word starts.
    fn action(self) -> Option<Action> {
        match self {
            Intent::Check => Some(Action::Check),
            Intent::Pay => Some(Action::Pay),
            Intent::Buy => Some(Action::Buy),
            _ => None,
        }
    }
}

/// A kind of chat: its help and its Telegram command menu differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Private,
    Group,
}

/// The kinds of chat whose Telegram command menu lists a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chats {
    pub private: bool,
    pub group: bool,
}

impl Chats {
    pub const ALL: Chats = Chats {
        private: true,
        group: true,
    };
    pub const PRIVATE: Chats = Chats {
        private: true,
        group: false,
    };
    pub const GROUP: Chats = Chats {
        private: false,
        group: true,
    };

    pub fn has(self, audience: Audience) -> bool {
        match audience {
            Audience::Private => self.private,
            Audience::Group => self.group,
        }
    }
}

/// One command of SPEC §2: how it is typed and where it is offered.
#[derive(Debug)]
pub struct CommandSpec {
    pub intent: Intent,
    /// Lower-case; Indonesian first (the name the menu and help show),
    /// then the aliases, which all mean the same.
    pub keywords: &'static [&'static str],
    /// Read as plain text (`saldo`). For a purchase, the action word,
    /// which may come first or last (`PLNPASC 546302215889 cek`).
    pub plain: bool,
    /// Read as `/keyword`: in groups Telegram delivers only these.
    pub slash: bool,
    /// Its entry in Telegram's command menu: the locale id of the
    /// description and the chats whose menu lists it.
    pub menu: Option<(&'static str, Chats)>,
    /// Locale id of its line in the help of private chats. Rows may share
    /// a line (`/login, /akun, /logout`); it is shown once.
    pub help: Option<&'static str>,
    /// Locale id of its line in the help of groups.
    pub group_help: Option<&'static str>,
}

impl CommandSpec {
    /// The keyword the menu and help show.
    pub fn name(&self) -> &'static str {
        self.keywords[0]
    }

    /// Its line in the help of this kind of chat.
    pub fn help_for(&self, audience: Audience) -> Option<&'static str> {
        match audience {
            Audience::Private => self.help,
            Audience::Group => self.group_help,
        }
    }
}

/// Every command, in the order of the menu and the help. Parsing, the
/// help and the Telegram menu are all read from here.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        intent: Intent::Balance,
        // `SAL`, `S`: center bots' words for it.
        keywords: &["saldo", "sal", "s", "balance"],
        plain: true,
        slash: true,
        menu: Some(("cmd-saldo", Chats::ALL)),
        help: Some("help-saldo"),
        group_help: Some("help-group-saldo"),
    },
    CommandSpec {
        intent: Intent::Buy,
        keywords: &["beli", "isi", "buy"],
        plain: true,
        slash: true,
        menu: Some(("cmd-beli", Chats::ALL)),
        help: Some("help-beli"),
        group_help: Some("help-group-beli"),
    },
    CommandSpec {
        intent: Intent::Check,
        keywords: &["cek", "cektagihan", "inq", "inquiry"],
        plain: true,
        slash: true,
        menu: Some(("cmd-cek", Chats::ALL)),
        help: Some("help-cek"),
        group_help: Some("help-group-cek"),
    },
    CommandSpec {
        intent: Intent::Pay,
        keywords: &["bayar", "pay", "byr"],
        plain: true,
        slash: true,
        menu: Some(("cmd-bayar", Chats::ALL)),
        help: Some("help-bayar"),
        group_help: Some("help-group-bayar"),
    },
    CommandSpec {
        intent: Intent::Status,
        // `CS`: center bots' "cek status".
        keywords: &["status", "cs"],
        plain: true,
        slash: true,
        menu: Some(("cmd-status", Chats::ALL)),
        help: Some("help-status"),
        group_help: Some("help-group-status"),
    },
    CommandSpec {
        intent: Intent::History,
        keywords: &["riwayat", "history"],
        plain: true,
        slash: true,
        menu: Some(("cmd-riwayat", Chats::ALL)),
        help: Some("help-riwayat"),
        group_help: Some("help-group-status"),
    },
    CommandSpec {
        intent: Intent::Help,
        keywords: &["bantuan", "help", "start", "menu"],
        plain: true,
        slash: true,
        menu: Some(("cmd-bantuan", Chats::ALL)),
        help: Some("help-bantuan"),
        group_help: Some("help-group-bantuan"),
    },
    CommandSpec {
        intent: Intent::Language,
        keywords: &["bahasa", "language", "lang"],
        plain: true,
        slash: true,
        menu: Some(("cmd-bahasa", Chats::ALL)),
        help: Some("help-bahasa"),
        group_help: Some("help-group-bahasa"),
    },
    CommandSpec {
        intent: Intent::Login,
        keywords: &["login"],
        plain: true,
        slash: true,
        menu: Some(("cmd-login", Chats::PRIVATE)),
        help: Some("help-account"),
        group_help: None,
    },
    CommandSpec {
        intent: Intent::Account,
        keywords: &["akun", "account"],
        plain: true,
        slash: true,
        menu: Some(("cmd-akun", Chats::PRIVATE)),
        help: Some("help-account"),
        group_help: None,
    },
    CommandSpec {
        intent: Intent::Logout,
        keywords: &["logout"],
        plain: true,
        slash: true,
        menu: Some(("cmd-logout", Chats::PRIVATE)),
        help: Some("help-account"),
        group_help: None,
    },
    CommandSpec {
        intent: Intent::Link,
        keywords: &["hubungkan", "link"],
        plain: false,
        slash: true,
        menu: Some(("cmd-hubungkan", Chats::GROUP)),
        help: None,
        group_help: Some("help-group-settings"),
    },
    CommandSpec {
        intent: Intent::Unlink,
        keywords: &["putus", "unlink"],
        plain: false,
        slash: true,
        menu: Some(("cmd-putus", Chats::GROUP)),
        help: None,
        group_help: Some("help-group-settings"),
    },
    CommandSpec {
        intent: Intent::Allow,
        keywords: &["izinkan", "allow"],
        plain: false,
        slash: true,
        menu: Some(("cmd-izinkan", Chats::GROUP)),
        help: None,
        group_help: Some("help-group-settings"),
    },
    CommandSpec {
        intent: Intent::Revoke,
        keywords: &["cabut", "revoke"],
        plain: false,
        slash: true,
        menu: Some(("cmd-cabut", Chats::GROUP)),
        help: None,
        group_help: Some("help-group-settings"),
    },
    CommandSpec {
        intent: Intent::SaveCustomer,
        keywords: &["simpan", "save"],
        plain: true,
        slash: true,
        menu: Some(("cmd-simpan", Chats::ALL)),
        help: Some("help-pelanggan"),
        group_help: Some("help-group-pelanggan"),
    },
    CommandSpec {
        intent: Intent::Customers,
        keywords: &["pelanggan", "customers"],
        plain: true,
        slash: true,
        menu: Some(("cmd-pelanggan", Chats::ALL)),
        help: Some("help-pelanggan"),
        group_help: Some("help-group-pelanggan"),
    },
    CommandSpec {
        intent: Intent::ForgetCustomer,
        keywords: &["hapus", "forget"],
        plain: true,
        slash: true,
        menu: None,
        help: Some("help-pelanggan"),
        group_help: Some("help-group-pelanggan"),
    },
    CommandSpec {
        intent: Intent::CheckAll,
        keywords: &["cekbulanan", "checkall"],
        plain: true,
        slash: true,
        menu: Some(("cmd-cekbulanan", Chats::ALL)),
        help: Some("help-cek-semua"),
        group_help: Some("help-group-cek-semua"),
    },
    CommandSpec {
        intent: Intent::Repeat,
        keywords: &["ulang", "ulangi", "repeat"],
        plain: true,
        slash: true,
        menu: Some(("cmd-ulang", Chats::ALL)),
        help: Some("help-ulang"),
        group_help: Some("help-group-ulang"),
    },
    CommandSpec {
        intent: Intent::Receipt,
        keywords: &["struk", "receipt"],
        plain: true,
        slash: true,
        menu: Some(("cmd-struk", Chats::ALL)),
        help: Some("help-struk"),
        group_help: Some("help-group-struk"),
    },
    CommandSpec {
        intent: Intent::Recap,
        keywords: &["rekap", "recap"],
        plain: true,
        slash: true,
        menu: Some(("cmd-rekap", Chats::ALL)),
        help: Some("help-rekap"),
        group_help: Some("help-group-rekap"),
    },
    CommandSpec {
        intent: Intent::Export,
        keywords: &["ekspor", "export"],
        plain: false,
        slash: true,
        menu: Some(("cmd-ekspor", Chats::ALL)),
        help: Some("help-ekspor"),
        group_help: Some("help-group-rekap"),
    },
    CommandSpec {
        intent: Intent::PriceList,
        // Center bots' price list; loket has no such call.
        keywords: &["harga", "h", "price"],
        plain: true,
        slash: true,
        menu: None,
        help: Some("help-harga"),
        group_help: Some("help-group-harga"),
    },
    CommandSpec {
        intent: Intent::Prices,
        keywords: &["jual", "sell"],
        plain: true,
        slash: true,
        menu: Some(("cmd-jual", Chats::ALL)),
        help: Some("help-jual"),
        group_help: Some("help-group-shop"),
    },
    CommandSpec {
        intent: Intent::Shop,
        keywords: &["toko", "shop"],
        plain: false,
        slash: true,
        menu: Some(("cmd-toko", Chats::ALL)),
        help: Some("help-toko"),
        group_help: Some("help-group-shop"),
    },
    CommandSpec {
        intent: Intent::Cancel,
        keywords: &["batal", "cancel"],
        plain: true,
        slash: true,
        menu: None,
        help: Some("help-batal"),
        group_help: None,
    },
];

/// The row a typed word names in this form (`slash`: typed `/word`).
pub fn command_named(word: &str, slash: bool) -> Option<&'static CommandSpec> {
    let word = word.to_ascii_lowercase();
    COMMANDS.iter().find(|row| {
        (if slash { row.slash } else { row.plain }) && row.keywords.contains(&word.as_str())
    })
}

/// The locale ids of the help's lines for this kind of chat, in table
/// order, each shared line once. The help is its intro and these.
pub fn help_lines(audience: Audience) -> Vec<&'static str> {
    let mut lines: Vec<&'static str> = Vec::new();
    for id in COMMANDS.iter().filter_map(|row| row.help_for(audience)) {
        if !lines.contains(&id) {
            lines.push(id);
        }
    }
    lines
}

/// Telegram's command menu: `(name, locale id of the description)` for
/// this kind of chat, or for every kind (`None`: the menu of chats no
/// scoped menu covers).
pub fn menu(audience: Option<Audience>) -> Vec<(&'static str, &'static str)> {
    COMMANDS
        .iter()
        .filter_map(|row| {
            let (text, chats) = row.menu?;
            let listed = match audience {
                Some(audience) => chats.has(audience),
                None => chats.private || chats.group,
            };
            listed.then_some((row.name(), text))
        })
        .collect()
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
    /// `/jual` with words it cannot read.
    PriceUsage,
    /// `/jual T10 12000` for a bill code: bills vary, only a fee fits.
    FixedBillPrice {
        example: String,
    },
    ShopUsage,
    RecapUsage,
    ExportUsage,
    BalanceAlertUsage,
    SaveUsage,
    CustomersUsage,
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
            ParseError::PriceUsage => "err-price-usage",
            ParseError::FixedBillPrice { .. } => "err-fixed-bill-price",
            ParseError::ShopUsage => "err-shop-usage",
            ParseError::RecapUsage => "err-recap-usage",
            ParseError::ExportUsage => "err-export-usage",
            ParseError::BalanceAlertUsage => "err-balance-alert-usage",
            ParseError::SaveUsage => "err-save-usage",
            ParseError::CustomersUsage => "err-customers-usage",
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
            | ParseError::NotPrepaid { example }
            | ParseError::FixedBillPrice { example } => Some(example),
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

/// The purchase a plain word starts or ends (`cek`, `bayar`, `beli`).
fn action_word(word: &str) -> Option<Action> {
    command_named(word, false).and_then(|row| row.intent.action())
}

/// A center bot's check or pay code (`CEKPLN`, `CEKPLNPASC`, `BAYARPLN`):
/// the action and the bill code it names. A code the catalogue knows as
/// it is (a product called `CEK…`) stays that product.
fn center_code(word: &str, catalog: &Catalog) -> Option<(Action, String)> {
    let upper = word.to_ascii_uppercase();
    if catalog.knows(&upper) {
        return None;
    }
    [
        ("CEK", Action::Check),
        ("INQ", Action::Check),
        ("BAYAR", Action::Pay),
    ]
    .iter()
    .find_map(|(prefix, action)| {
        let name = upper.strip_prefix(prefix).filter(|n| !n.is_empty())?;
        catalog.center_bill_code(name).map(|code| (*action, code))
    })
}

/// The row of a plain keyword that is not a purchase's action word.
fn plain_keyword(word: &str) -> Option<&'static CommandSpec> {
    command_named(word, false).filter(|row| row.intent.action().is_none())
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
        Some(slash) => match command_named(&slash_name(slash), true) {
            Some(row) => parse_keyword(row, rest, catalog, true),
            None => Err(ParseError::NotUnderstood),
        },
        None => parse_plain(first, rest, catalog),
    }
}

/// A trade typed the way center bots take it (FIELD.md, "What resellers'
/// other tools do": `KODE.TUJUAN.PIN`): the PIN last, and a counter to
/// repeat a trade the same day — `T10.087712345678.1234`, `SAL.1234`,
/// `S.1234`, `PLNPASC.546302215889.1234`, `CEKPLN.546302215889.1234`,
/// `BAYAR.PLNPASC.546302215889.1234`, `T10.2.087712345678[.1234]`,
/// `T10.087712345678.1234.2`; `;` separates like `.` (`S20R.0812…;1234`).
#[derive(Debug)]
pub struct CenterForm {
    /// The message without its PIN and counter, as loket reads it
    /// (`T10 087712345678`); [`parse`] it like any message.
    pub body: String,
    /// The part taken for a PIN: the account's PIN (see [`pin_form`]) or,
    /// by its shape alone, a PIN-like last part the trade does not take
    /// (an old PIN). Either way the message is deleted.
    pub pin: Option<Secret>,
    /// `KODE.N.TUJUAN` (N = 2…9): the N-th time today, said in advance.
    pub counter: Option<u8>,
}

/// The parts of a PIN: 4 to 8 digits (center PINs are 4–6; some allow 8).
fn looks_like_pin(part: &str) -> bool {
    (4..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
}

/// A center's repeat counter: 2 to 9.
fn counter_of(part: &str) -> Option<u8> {
    match part.as_bytes() {
        [digit @ b'2'..=b'9'] => Some(digit - b'0'),
        _ => None,
    }
}

/// Center words that start a two-part form (`SAL.1234`, `H.1234`).
const CENTER_WORDS: &[&str] = &["sal", "s", "saldo", "h", "harga", "cs", "status"];

/// A first part a PIN-shaped trade starts with: a product code (letters
/// then digits, or a code the catalogue names), a center check or pay
/// code, or an action word. Chatter (`Rp.50000`, `Pukul.1530`) is not.
fn starts_a_trade(first: &str, catalog: &Catalog) -> bool {
    let upper = first.to_ascii_uppercase();
    let code_shaped = first.len() <= 16
        && first
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        && first.bytes().any(|b| b.is_ascii_digit())
        && first.bytes().all(|b| b.is_ascii_alphanumeric());
    code_shaped
        || catalog.knows(&upper)
        || center_code(first, catalog).is_some()
        || action_word(first).is_some()
}

/// The separators of a center form's parts.
fn is_separator(c: char) -> bool {
    c == '.' || c == ';'
}

/// A form's parts, and whether it is a dot form (no whitespace).
fn center_parts(text: &str) -> (Vec<&str>, bool) {
    let dotted = !text.contains(char::is_whitespace) && !text.starts_with('/');
    let parts = text
        .split(|c: char| c.is_whitespace() || is_separator(c))
        .filter(|p| !p.is_empty())
        .collect();
    (parts, dotted)
}

/// Takes a center counter off the parts (right after the code, or last).
fn take_counter(words: &mut Vec<&str>) -> Option<u8> {
    if words.len() >= 3 {
        if let Some(n) = counter_of(words[1]) {
            words.remove(1);
            return Some(n);
        }
        if let Some(n) = words.last().and_then(|w| counter_of(w)) {
            words.pop();
            return Some(n);
        }
    }
    None
}

/// Reads a center-style form by its shape alone: a dot form whose last
/// part has a PIN's shape (not the account's PIN: that is [`pin_form`]'s)
/// after a trade's first part, or a repeat counter. A message that is a
/// whole command as it is (`PKBJABAR.B1234XYZ.2025`, `T10.087712345678`)
/// is not one, nor is a login (its own rules delete it). The body may
/// still fail to parse (`CEK.546302215889.1234` names no product): it is
/// then refused, but the PIN-like part is deleted all the same.
pub fn center_form(text: &str, catalog: &Catalog) -> Option<CenterForm> {
    let text = text.trim();
    if may_hold_secret(text) {
        return None;
    }
    let (parts, dotted) = center_parts(text);
    if !dotted || parts.len() < 2 || parse(text, catalog).is_ok() {
        return None;
    }
    let first = parts[0];
    let two_part = CENTER_WORDS.contains(&first.to_ascii_lowercase().as_str());
    let mut words = parts.clone();
    // `KODE.TUJUAN.PIN.N`: the counter after the PIN.
    let trailing = match words.as_slice() {
        [.., pin, n] if words.len() >= 4 && looks_like_pin(pin) => counter_of(n),
        _ => None,
    };
    if trailing.is_some() {
        words.pop();
    }
    let pin = match words.last() {
        Some(last) if looks_like_pin(last) && (two_part || parts.len() >= 3) => {
            words.pop().map(Secret::new)
        }
        _ => None,
    };
    if !(two_part || starts_a_trade(first, catalog)) {
        return None;
    }
    let counter = trailing.or_else(|| take_counter(&mut words));
    if pin.is_none() && counter.is_none() {
        return None;
    }
    Some(CenterForm {
        body: words.join(" "),
        pin,
        counter,
    })
}

/// Reads a message that holds the account's PIN (`is_pin` says which part
/// is it) the way a center takes it: in a dot form any part, in a message
/// with spaces the last one (`T10 087712345678 1234`, `/beli
/// T10.087712345678.1234`). The PIN is taken off; the rest is the body.
/// A login is not one (its own rules delete it).
pub fn pin_form(text: &str, is_pin: impl Fn(&str) -> bool) -> Option<CenterForm> {
    let text = text.trim();
    if may_hold_secret(text) {
        return None;
    }
    let (parts, dotted) = center_parts(text);
    if parts.len() < 2 {
        return None;
    }
    let at = if dotted {
        parts.iter().rposition(|p| is_pin(p))?
    } else {
        let last = parts.len().checked_sub(1)?;
        is_pin(parts[last]).then_some(last)?
    };
    let mut words = parts.clone();
    let pin = Secret::new(words.remove(at));
    let counter = if dotted {
        take_counter(&mut words)
    } else {
        None
    };
    Some(CenterForm {
        body: words.join(" "),
        pin: Some(pin),
        counter,
    })
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
    let mut login_words = COMMANDS
        .iter()
        .filter(|row| row.intent == Intent::Login)
        .flat_map(|row| row.keywords);
    login_words.any(|login| {
        let Some(after) = word.strip_prefix(login) else {
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
    })
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
    // A center bot's check or pay code: `CEKPLN 546302215889`.
    if let Some((action, code)) = center_code(first, catalog) {
        let mut words: Vec<&str> = Vec::with_capacity(rest.len() + 1);
        words.push(&code);
        words.extend_from_slice(rest);
        return parse_purchase(Some(action), &words, catalog);
    }
    let keyword = plain_keyword(first);
    if let Some(row) = keyword {
        let parsed = parse_keyword(row, rest, catalog, false);
        // Plain `login` is `/login`, never read as a product code.
        if parsed.is_ok() || row.intent == Intent::Login {
            return parsed;
        }
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
    if let Some(row) = keyword {
        // A keyword with bad arguments: its own usage, not "unknown product".
        return parse_keyword(row, rest, catalog, false);
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

/// A command named by its keyword (`row`), read from the words after it;
/// `slash` is true for the `/` form. A command that takes no words answers
/// extra ones with its own usage.
fn parse_keyword(
    row: &'static CommandSpec,
    args: &[&str],
    catalog: &Catalog,
    slash: bool,
) -> Result<Command, ParseError> {
    let no_args = |command: Command| {
        if args.is_empty() {
            Ok(command)
        } else {
            Err(ParseError::TooManyWords {
                example: format!("{}{}", if slash { "/" } else { "" }, row.name()),
            })
        }
    };
    match row.intent {
        Intent::Balance => match args {
            [word, rest @ ..] if ALERT_WORDS.contains(&word.to_ascii_lowercase().as_str()) => {
                parse_balance_alert(rest).map(Command::BalanceAlert)
            }
            _ => no_args(Command::Balance),
        },
        Intent::History => no_args(Command::History),
        Intent::Help => Ok(Command::Help),
        Intent::Cancel => no_args(Command::Cancel),
        Intent::Repeat => no_args(Command::Repeat),
        Intent::CheckAll => no_args(Command::CheckAll),
        // `harga`, `harga pulsa`; digits are no product (`H.1234` is a PIN).
        Intent::PriceList => match args {
            [] => Ok(Command::PriceList),
            [word] if !word.bytes().all(|b| b.is_ascii_digit()) => Ok(Command::PriceList),
            _ => Err(ParseError::TooManyWords {
                example: format!("{}{} pulsa", if slash { "/" } else { "" }, row.name()),
            }),
        },
        Intent::SaveCustomer => parse_save(args, catalog),
        Intent::Customers => match args {
            [] => Ok(Command::Customers(CustomerQuery::Page(1))),
            [page] => page
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .map(|p| Command::Customers(CustomerQuery::Page(p)))
                .ok_or(ParseError::CustomersUsage),
            [find, words @ ..]
                if FIND_WORDS.contains(&find.to_ascii_lowercase().as_str())
                    && !words.is_empty() =>
            {
                Ok(Command::Customers(CustomerQuery::Find(words.join(" "))))
            }
            _ => Err(ParseError::CustomersUsage),
        },
        Intent::ForgetCustomer => match args {
            [what, n] if CUSTOMER_WORDS.contains(&what.to_ascii_lowercase().as_str()) => n
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .map(Command::ForgetCustomer)
                .ok_or(ParseError::CustomersUsage),
            _ => Err(ParseError::CustomersUsage),
        },
        Intent::Status => match args {
            [ref_id] if is_ref_id(ref_id) => Ok(Command::Status {
                ref_id: (*ref_id).to_string(),
            }),
            _ => Err(ParseError::NeedRefId),
        },
        Intent::Language => match args {
            [] => Ok(Command::Language(None)),
            [code] => Lang::parse(code)
                .map(|l| Command::Language(Some(l)))
                .ok_or(ParseError::BadLanguage),
            _ => Err(ParseError::BadLanguage),
        },
        Intent::Login => match args {
            [] => Ok(Command::Login(Login::StepByStep)),
            [member_id, pin, api_key] | [member_id, pin, api_key, _] => {
                Ok(Command::Login(Login::Full {
                    member_id: (*member_id).to_string(),
                    pin: Secret::new(*pin),
                    api_key: Secret::new(*api_key),
                    base_url: args.get(3).map(|u| (*u).to_string()),
                }))
            }
            _ => Err(ParseError::LoginUsage),
        },
        Intent::Logout => no_args(Command::Logout),
        Intent::Account => no_args(Command::Account),
        Intent::Link => no_args(Command::Link),
        Intent::Unlink => no_args(Command::Unlink),
        Intent::Allow => parse_member(args).map(Command::Allow),
        Intent::Revoke => parse_member(args).map(Command::Revoke),
        Intent::Buy | Intent::Check | Intent::Pay => {
            parse_purchase(row.intent.action(), args, catalog)
        }
        Intent::Prices => parse_prices(args, catalog).map(Command::Prices),
        Intent::Shop => parse_shop(args).map(Command::Shop),
        Intent::Receipt => match args {
            [ref_id] if is_ref_id(ref_id) => Ok(Command::Receipt {
                ref_id: (*ref_id).to_string(),
            }),
            _ => Err(ParseError::NeedRefId),
        },
        Intent::Recap => parse_recap(args).map(Command::Recap),
        Intent::Export => match args {
            [] => Ok(Command::Export { month: None }),
            [month] => Month::parse(month)
                .map(|month| Command::Export { month: Some(month) })
                .ok_or(ParseError::ExportUsage),
            _ => Err(ParseError::ExportUsage),
        },
    }
}

/// `pelanggan cari …`.
const FIND_WORDS: &[&str] = &["cari", "find"];
/// `cek semua`.
const ALL_WORDS: &[&str] = &["semua", "all"];
/// `hapus pelanggan N`.
const CUSTOMER_WORDS: &[&str] = &["pelanggan", "customer"];

/// `simpan CODE DEST [EXTRA] NAME…`: the target as a check or topup reads
/// it (a BPJS months or a tax year after the number is kept; a card's
/// amount is asked again at each check), then the name.
fn parse_save(args: &[&str], catalog: &Catalog) -> Result<Command, ParseError> {
    let usage = || ParseError::SaveUsage;
    let [code, dest, rest @ ..] = args else {
        return Err(usage());
    };
    let upper = code.to_ascii_uppercase();
    let base = upper.split('@').next().unwrap_or("");
    let takes_extra = match catalog.classify(base) {
        ProductKind::Bill(family) => {
            matches!(
                family.shape,
                BillShape::DestMonths | BillShape::DestYear | BillShape::ProductYear
            ) && !upper.contains('@')
                && !dest.contains('@')
        }
        ProductKind::Prepaid => false,
    };
    let extra = rest
        .first()
        .filter(|w| takes_extra && w.bytes().all(|b| b.is_ascii_digit()));
    let name_words = &rest[usize::from(extra.is_some())..];
    // A card's amount differs at every check: the number is read with a
    // stand-in amount and kept without one.
    let card = matches!(
        catalog.classify(base),
        ProductKind::Bill(family) if family.shape == BillShape::ProductAmount
    );
    let mut words = vec![*code, *dest];
    words.extend(extra.copied());
    if card {
        words.push("1");
    }
    let mut target = match parse_purchase(None, &words, catalog)? {
        Command::Topup(target) => target,
        Command::Inquiry(bill) | Command::Pay(bill) => bill.target,
        _ => return Err(usage()),
    };
    if card {
        target.product = base.to_string();
    }
    let name = name_words.join(" ");
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CUSTOMER_NAME {
        return Err(usage());
    }
    Ok(Command::SaveCustomer {
        target,
        name: name.to_string(),
    })
}

/// The word after `saldo` that names the low-balance alert.
const ALERT_WORDS: &[&str] = &["minimal", "min", "minimum"];

fn parse_balance_alert(args: &[&str]) -> Result<BalanceAlert, ParseError> {
    match args {
        [] => Ok(BalanceAlert::Show),
        [off] if OFF_WORDS.contains(&off.to_ascii_lowercase().as_str()) => Ok(BalanceAlert::Off),
        [amount] => Rupiah::parse_typed(amount)
            .filter(|a| a.value() <= MAX_ALERT)
            .map(BalanceAlert::Set)
            .ok_or(ParseError::BalanceAlertUsage),
        _ => Err(ParseError::BalanceAlertUsage),
    }
}

/// The largest threshold `/saldo minimal` takes (Rp1 miliar).
const MAX_ALERT: i64 = 1_000_000_000;

/// The largest selling price or markup `/jual` takes.
const MAX_TYPED_PRICE: i64 = 10_000_000;

/// Words that remove a rule, a footer or a shop.
const REMOVE_WORDS: &[&str] = &["hapus", "remove", "delete"];

fn is_remove_word(word: &str) -> bool {
    REMOVE_WORDS.contains(&word.to_ascii_lowercase().as_str())
}

/// `/jual`'s words: nothing (list), `hapus KEY`, or `WHAT AMOUNT` where
/// WHAT is a code (`T10`), a prefix (`T*`) or a bill family (`pln`) and
/// AMOUNT a price (`12000`, `12rb`) or, with `+`, a markup or fee.
fn parse_prices(args: &[&str], catalog: &Catalog) -> Result<PriceCommand, ParseError> {
    let (what, amount) = match args {
        [] => return Ok(PriceCommand::List),
        [remove, key] if is_remove_word(remove) => {
            return Ok(PriceCommand::Remove(crate::shop::rule_key(key)))
        }
        [what, amount] => (*what, *amount),
        _ => return Err(ParseError::PriceUsage),
    };
    let (markup, amount) = match amount.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    // A price or markup past Rp10.000.000 is a typo (a phone number typed
    // where the price goes), not a price.
    let amount = Rupiah::parse_typed(amount)
        .filter(|a| a.value() <= MAX_TYPED_PRICE)
        .ok_or(ParseError::PriceUsage)?;
    if let Some(family) = crate::catalog::family_by_key(what).filter(|_| !what.contains('*')) {
        if !markup {
            return Err(ParseError::FixedBillPrice {
                example: format!("jual {} +2500", family.key),
            });
        }
        return Ok(PriceCommand::Set(PriceRule::FamilyFee {
            family: family.key.to_string(),
            fee: amount,
        }));
    }
    let upper = what.to_ascii_uppercase();
    if let Some(prefix) = upper.strip_suffix('*') {
        let valid = !prefix.is_empty()
            && prefix.len() <= 20
            && prefix.as_bytes()[0].is_ascii_alphabetic()
            && prefix.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid || !markup {
            return Err(ParseError::PriceUsage);
        }
        return Ok(PriceCommand::Set(PriceRule::Markup {
            pattern: upper,
            add: amount,
        }));
    }
    if upper.contains('@') || !is_product_code(&upper) || !is_product(&upper, catalog) {
        return Err(ParseError::PriceUsage);
    }
    if markup {
        return Ok(PriceCommand::Set(PriceRule::Markup {
            pattern: upper,
            add: amount,
        }));
    }
    if let ProductKind::Bill(family) = catalog.classify(&upper) {
        return Err(ParseError::FixedBillPrice {
            example: format!("jual {upper} +2500 / jual {} +2500", family.key),
        });
    }
    Ok(PriceCommand::Set(PriceRule::Fixed {
        code: upper,
        price: amount,
    }))
}

/// Words that name a shop's footer line.
const FOOTER_WORDS: &[&str] = &["catatan", "note", "footer"];

/// `/toko`'s words: nothing (show), `hapus`, `catatan TEXT` / `catatan
/// hapus`, or `NAME[, ADDRESS]`.
fn parse_shop(args: &[&str]) -> Result<ShopCommand, ParseError> {
    let limit = |text: String| {
        let text = text.trim().to_string();
        (!text.is_empty() && text.chars().count() <= crate::shop::MAX_SHOP_TEXT)
            .then_some(text)
            .ok_or(ParseError::ShopUsage)
    };
    match args {
        [] => Ok(ShopCommand::Show),
        [remove] if is_remove_word(remove) => Ok(ShopCommand::Clear),
        [footer, rest @ ..] if FOOTER_WORDS.contains(&footer.to_ascii_lowercase().as_str()) => {
            match rest {
                [] => Err(ParseError::ShopUsage),
                [remove] if is_remove_word(remove) => Ok(ShopCommand::Footer(None)),
                words => Ok(ShopCommand::Footer(Some(limit(words.join(" "))?))),
            }
        }
        words => {
            let text = words.join(" ");
            let (name, address) = match text.split_once(',') {
                Some((name, address)) if !address.trim().is_empty() => {
                    (name.to_string(), Some(limit(address.to_string())?))
                }
                Some((name, _)) => (name.to_string(), None),
                None => (text.clone(), None),
            };
            Ok(ShopCommand::Set {
                name: limit(name)?,
                address,
            })
        }
    }
}

/// Words for "automatic" and "off" in `/rekap otomatis …`.
const AUTO_WORDS: &[&str] = &["otomatis", "auto"];
const OFF_WORDS: &[&str] = &["mati", "off", "stop"];
const YESTERDAY_WORDS: &[&str] = &["kemarin", "yesterday"];
const TODAY_WORDS: &[&str] = &["hariini", "today"];

fn parse_recap(args: &[&str]) -> Result<RecapCommand, ParseError> {
    let lower: Vec<String> = args.iter().map(|w| w.to_ascii_lowercase()).collect();
    let words: Vec<&str> = lower.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => Ok(RecapCommand::Show(RecapPeriod::Today)),
        [word] if TODAY_WORDS.contains(word) => Ok(RecapCommand::Show(RecapPeriod::Today)),
        ["hari", "ini"] => Ok(RecapCommand::Show(RecapPeriod::Today)),
        [word] if YESTERDAY_WORDS.contains(word) => Ok(RecapCommand::Show(RecapPeriod::Yesterday)),
        [auto, off] if AUTO_WORDS.contains(auto) && OFF_WORDS.contains(off) => {
            Ok(RecapCommand::AutoOff)
        }
        [auto, at] if AUTO_WORDS.contains(auto) => clock_minute(at)
            .map(RecapCommand::AutoAt)
            .ok_or(ParseError::RecapUsage),
        [word] => {
            // `2026-11-30`, or as Indonesians write it: `30/11/2026`, `30-11-2026`.
            for format in ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"] {
                if let Ok(day) = NaiveDate::parse_from_str(word, format) {
                    return Ok(RecapCommand::Show(RecapPeriod::Day(day)));
                }
            }
            Month::parse(word)
                .map(|month| RecapCommand::Show(RecapPeriod::Month(month)))
                .ok_or(ParseError::RecapUsage)
        }
        _ => Err(ParseError::RecapUsage),
    }
}

/// `21:00`, `21.00`, `9:30` → minutes after midnight.
pub fn clock_minute(text: &str) -> Option<u16> {
    let (hour, minute) = text.split_once([':', '.'])?;
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 {
        return None;
    }
    let hour: u16 = hour.parse().ok()?;
    let minute: u16 = minute.parse().ok()?;
    (hour < 24 && minute < 60).then_some(hour * 60 + minute)
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
    // `cek semua`, `/cek semua`, `semua cek`: every saved bill.
    if let (Some(Action::Check), [word]) = (action, words) {
        if ALL_WORDS.contains(&word.to_ascii_lowercase().as_str()) {
            return Ok(Command::CheckAll);
        }
    }
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
    /// Show the receipt (text and PNG) of the sale with this refID.
    Receipt(String),
    /// The topup with this refID again (through the duplicate question).
    Repeat(String),
    /// Save the customer of the bill or topup with this refID.
    SaveCustomer(String),
    /// Pay the inquiry with this refID from a `cek semua` summary.
    PayListed(String),
}

impl ButtonAction {
    pub fn encode(&self) -> String {
        let (tag, ref_id) = match self {
            ButtonAction::Pay(r) => ("pay", r),
            ButtonAction::PayAgain(r) => ("payagain", r),
            ButtonAction::CancelBill(r) => ("nopay", r),
            ButtonAction::SendAgain(r) => ("again", r),
            ButtonAction::DontSend(r) => ("noagain", r),
            ButtonAction::Receipt(r) => ("struk", r),
            ButtonAction::Repeat(r) => ("ulang", r),
            ButtonAction::SaveCustomer(r) => ("simpan", r),
            ButtonAction::PayListed(r) => ("paylist", r),
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
            "struk" => ButtonAction::Receipt(ref_id),
            "ulang" => ButtonAction::Repeat(ref_id),
            "simpan" => ButtonAction::SaveCustomer(ref_id),
            "paylist" => ButtonAction::PayListed(ref_id),
            _ => return None,
        })
    }
}
