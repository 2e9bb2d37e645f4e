//! The engine: loket's flows, independent of any front end.
//!
//! A front end (console, Telegram) gives it a [`ChatCtx`] and an [`Input`]
//! (a message or a button press) and shows the [`Response`]: replies with
//! optional buttons, an edit of the pressed message, a short toast, or a
//! request to delete the user's message (it held a secret). Results that
//! arrive later (a pending topup that succeeds) come as [`Notice`]s on the
//! channel given to [`Engine::new`].
//!
//! Owns: who may do what, the inquiry → payment rule (one inquiry pays at
//! most once), the write-ahead journal around every money call, and
//! following unfinished calls to their end. Must not: know about Telegram,
//! print, or hold text that is not in `locales/`.
//!
//! Where things are: this file holds the types, `handle` (text and
//! buttons in, response out), who may act in a chat and refID minting;
//! `purchase` the balance, topup, bill inquiry → payment and button flows;
//! `journal` the write-ahead journal around every money call (begin, send,
//! check, follow, settle) — no chat, no text; `followup` the status and
//! history commands and what a chat is told while its calls are followed;
//! `account` login, language and groups; `turns` how many calls one
//! gateway account has in flight (every gateway call goes through it);
//! `shop` the reseller's till (selling prices, the shop's identity,
//! receipts, recaps, the nightly recap, the month's export);
//! `customers` saved customers and their use by name; `checkall` `cek
//! semua`, every saved bill checked in one run; `outcome`
//! what flows come to, as data, and `render` (with `shop_text` for the
//! shop's texts) the one place that turns outcomes into text.

mod account;
mod alerts;
mod checkall;
mod customers;
mod habits;

pub use account::normalize_base_url;
pub use checkall::{says_nothing_due, MAX_RUN_ITEMS};
mod followup;
mod journal;
pub mod outcome;
mod purchase;
mod render;
pub mod shop;
mod shop_text;
mod turns;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::mpsc::UnboundedSender;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::command::{self, Bill, ButtonAction, Command, Lang, Login, Member, ParseError, Target};
use crate::gateway::{
    balance_request, shown_url, transaction_request, About, BalanceReply, BalanceSign, Call,
    CallError, Credentials, GatewayClient, GatewayReply, GatewayRequest, MoneyCall, Operation,
    Phase, Reader, ReplyRules, TxStatus, Verdict,
};
use crate::i18n::{Arg, Locales};
use crate::metrics::Metrics;
use crate::model::{
    Claim, EntryEvent, EntryKind, EntryState, GroupLink, Inquiry, InquiryState, JournalEntry,
    PendingConfirmation,
};
use crate::secret::Secret;
use crate::store::{Store, StoreError};

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
}

/// Who said something, where. Ids are Telegram's (the console uses fixed
/// ones). In a private chat `chat_id == user_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatCtx {
    pub chat_id: i64,
    pub user_id: i64,
    pub kind: ChatKind,
    /// The user's message, or the bot message whose button was pressed.
    pub message_id: Option<i32>,
    /// In a group: the message replies to the bot, so plain text is meant
    /// for it. Slash commands are always addressed.
    pub addressed: bool,
    /// The author of the message this one replies to (for `/izinkan`).
    pub reply_to_user: Option<i64>,
}

impl ChatCtx {
    pub fn private(user_id: i64) -> ChatCtx {
        ChatCtx {
            chat_id: user_id,
            user_id,
            kind: ChatKind::Private,
            message_id: None,
            addressed: true,
            reply_to_user: None,
        }
    }

    pub fn group(chat_id: i64, user_id: i64) -> ChatCtx {
        ChatCtx {
            chat_id,
            user_id,
            kind: ChatKind::Group,
            message_id: None,
            addressed: false,
            reply_to_user: None,
        }
    }

    pub fn with_message(mut self, message_id: i32) -> ChatCtx {
        self.message_id = Some(message_id);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    /// A button press, with the button's data.
    Button(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    /// Opaque to the front end; at most 64 bytes (Telegram's limit).
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    pub text: String,
    /// One row of buttons.
    pub buttons: Vec<Button>,
    /// A file sent with the text (the text is its caption).
    pub attachment: Option<Attachment>,
    /// Text a tap copies (an SN, a PLN token): Telegram shows each as a
    /// `copy_text` button on a row of its own.
    pub copy: Vec<CopyButton>,
    /// The journal entry whose final result this reply tells: once the
    /// chat accepted it, the front end calls [`Engine::told`]; until then
    /// the result is told again (after a restart too).
    pub tells: Option<Tells>,
    /// The buttons one under the other, not on one row (a summary's Bayar
    /// buttons, each naming its bill).
    pub column: bool,
    /// A message that is updated as things go (a run's progress, its
    /// summary): the front end edits the message it sent for the slot
    /// (see [`Engine::slot_message`]) and drops an update older than one
    /// it already has.
    pub slot: Option<Slot>,
}

/// Which updated message a reply is, and how new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub key: String,
    /// Higher is newer, within one process.
    pub version: u64,
    /// The last version: once the chat has it, the front end calls
    /// [`Engine::slot_shown`] and nothing of it is shown again.
    pub last: bool,
}

/// A button that copies `text` (at most [`COPY_TEXT_LIMIT`] characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyButton {
    pub label: String,
    pub text: String,
}

/// Telegram's limit on a copy_text button's text.
pub const COPY_TEXT_LIMIT: usize = 256;

/// Which final result a reply tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tells {
    pub ref_id: String,
    pub state: EntryState,
}

impl Reply {
    pub fn text(text: String) -> Reply {
        Reply {
            text,
            ..Reply::default()
        }
    }
}

/// A file a reply carries: a receipt image, an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// Shown in the chat as an image (Telegram `sendPhoto`).
    Photo { name: String, bytes: Vec<u8> },
    /// Sent as a file (Telegram `sendDocument`).
    Document { name: String, bytes: Vec<u8> },
}

impl Attachment {
    pub fn name(&self) -> &str {
        match self {
            Attachment::Photo { name, .. } | Attachment::Document { name, .. } => name,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Attachment::Photo { bytes, .. } | Attachment::Document { bytes, .. } => bytes,
        }
    }
}

/// What the front end should do with one input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    pub replies: Vec<Reply>,
    /// Replace the pressed message (a bill becomes a receipt).
    pub edit_source: Option<Reply>,
    /// A short answer to a button press.
    pub toast: Option<String>,
    /// The user's message held a secret: delete it now.
    pub delete_input: bool,
}

impl Response {
    pub fn silent() -> Response {
        Response::default()
    }

    fn reply(reply: Reply) -> Response {
        Response {
            replies: vec![reply],
            ..Response::default()
        }
    }

    pub fn is_silent(&self) -> bool {
        self.replies.is_empty()
            && self.edit_source.is_none()
            && self.toast.is_none()
            && !self.delete_input
    }
}

/// A result that became known after the request that started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub chat_id: i64,
    /// Reply to this message (the one that started the call), if known.
    pub reply_to: Option<i32>,
    pub reply: Reply,
}

/// Where a front end receives [`Notice`]s.
pub type Notices = tokio::sync::mpsc::UnboundedReceiver<Notice>;

/// Engine settings (see `settings` for where they come from).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub inquiry_ttl: Duration,
    pub duplicate_window: Duration,
    /// First status re-check of a pending/unknown call.
    pub recheck_after: Duration,
    /// Longest wait between re-checks (exponential backoff up to this).
    pub recheck_cap: Duration,
    /// How long an unfinished call is followed before asking for a human.
    pub follow_for: Duration,
    /// How many times one refID may be sent in all (first send included),
    /// when the gateway says it never saw it.
    pub max_sends: u32,
    pub default_lang: Lang,
    /// Base URL for accounts that name none.
    pub default_gateway_url: String,
    pub balance_sign: BalanceSign,
    /// An account used by private chats that have none (the console demo).
    pub default_account: Option<Credentials>,
    /// Logins a chat may try per `login_window`.
    pub login_attempts: usize,
    pub login_window: Duration,
    /// How long a step-by-step login waits for the next answer before the
    /// dialog ends (and the PIN it may hold is forgotten).
    pub login_dialog_ttl: Duration,
    /// The operator's extra reply rules for a center's dialect.
    pub reply_rules: ReplyRules,
    /// Most calls one gateway account (member ID at a gateway) has in
    /// flight; the rest wait their turn (see `turns`).
    pub gateway_calls_per_account: usize,
    /// How long `cek semua` waits for slow checks before its summary goes
    /// out; later results are added to the summary.
    pub check_all_summary_after: Duration,
    /// Where the engine reads the time (tests give a fake one).
    pub clock: Arc<dyn Clock>,
    /// What the engine and its gateway client count (`LOKET_METRICS`
    /// serves it; tests scrape their own).
    pub metrics: Metrics,
}

impl EngineConfig {
    pub fn new(default_gateway_url: impl Into<String>) -> EngineConfig {
        EngineConfig {
            inquiry_ttl: Duration::from_secs(1800),
            duplicate_window: Duration::from_secs(600),
            recheck_after: Duration::from_secs(15),
            recheck_cap: Duration::from_secs(600),
            follow_for: Duration::from_secs(24 * 3600),
            max_sends: 3,
            default_lang: Lang::Id,
            default_gateway_url: default_gateway_url.into(),
            balance_sign: BalanceSign::Fields,
            default_account: None,
            login_attempts: 5,
            login_window: Duration::from_secs(600),
            login_dialog_ttl: Duration::from_secs(300),
            reply_rules: ReplyRules::default(),
            gateway_calls_per_account: 8,
            check_all_summary_after: Duration::from_secs(20),
            clock: crate::clock::system(),
            metrics: Metrics::new(),
        }
    }
}

/// Step-by-step login, kept in memory only (it holds secrets).
#[derive(Debug, Clone)]
struct LoginDraft {
    member_id: Option<String>,
    pin: Option<Secret>,
    /// When the last question was asked: the dialog ends
    /// `login_dialog_ttl` later.
    asked_at: DateTime<Utc>,
}

/// Why a request cannot go ahead; each maps to a locale message. Every
/// error a user can meet (a refusal, a gateway without an answer, a
/// message that is not a command, a store failure) reaches the chat
/// through `refusal_response`: flows use `?`.
#[derive(Debug)]
enum Refusal {
    Message(&'static str, Vec<(&'static str, String)>),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

/// A gateway call with no readable answer: said the same way everywhere.
impl From<CallError> for Refusal {
    fn from(e: CallError) -> Self {
        Refusal::Message(render::call_error_id(&e), Vec::new())
    }
}

/// A message that is not a command: its closest example.
impl From<ParseError> for Refusal {
    fn from(e: ParseError) -> Self {
        Refusal::Message(e.message_id(), e.args())
    }
}

fn refuse(id: &'static str) -> Refusal {
    Refusal::Message(id, Vec::new())
}

/// Whose account signs a request made in some chat.
#[derive(Clone)]
struct Access {
    account_id: i64,
    creds: Credentials,
}

/// The engine is cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    client: GatewayClient,
    /// Every gateway call waits here for its account's turn.
    turns: turns::Turns,
    reader: Reader,
    catalog: Catalog,
    locales: Locales,
    config: EngineConfig,
    notices: UnboundedSender<Notice>,
    drafts: Mutex<HashMap<i64, LoginDraft>>,
    login_tries: Mutex<HashMap<i64, Vec<DateTime<Utc>>>>,
    following: Mutex<HashSet<String>>,
    /// The last version handed to a message slot.
    slot_versions: std::sync::atomic::AtomicU64,
    /// Held while a slot's version is taken and its state read.
    slot_render: Mutex<()>,
    /// Held while `cek semua` looks for a run of the account and starts one.
    run_start: tokio::sync::Mutex<()>,
    /// The runs a task of this process drives.
    driving: Mutex<HashSet<u64>>,
}

const HISTORY_LEN: usize = 10;
/// How far back the duplicate-topup check looks in a chat's journal.
const DUPLICATE_SCAN: usize = 50;
/// The call a journal entry made, for reading answers about it.
fn call_of(entry: &JournalEntry) -> Call<'_> {
    Call {
        product: &entry.product,
        dest: &entry.dest,
        ref_id: &entry.ref_id,
    }
}

fn money_call(kind: EntryKind) -> MoneyCall {
    match kind {
        EntryKind::Topup => MoneyCall::Topup,
        EntryKind::Payment => MoneyCall::Payment,
    }
}

/// Gateway text quoted in a reply is cut to this many characters.
const QUOTE_LEN: usize = 300;
/// A gateway's unreadable words shown beside "being checked" (one line).
const WORDS_LEN: usize = 200;

impl Engine {
    /// `notices` receives the results that become known later (given
    /// here, so none can be sent before anyone listens).
    pub fn new(
        store: Store,
        client: GatewayClient,
        catalog: Catalog,
        mut config: EngineConfig,
        notices: UnboundedSender<Notice>,
    ) -> Engine {
        // One spelling of every gateway URL, wherever it came from.
        if let Some(url) = normalize_base_url(&config.default_gateway_url) {
            config.default_gateway_url = url;
        }
        if let Some(account) = config.default_account.as_mut() {
            if let Some(url) = normalize_base_url(&account.base_url) {
                account.base_url = url;
            }
        }
        Engine {
            inner: Arc::new(Inner {
                store,
                client: client.counting_into(config.metrics.clone()),
                turns: turns::Turns::new(config.gateway_calls_per_account),
                reader: Reader::new(config.reply_rules.clone()),
                catalog,
                locales: Locales::load(),
                config,
                notices,
                drafts: Mutex::new(HashMap::new()),
                login_tries: Mutex::new(HashMap::new()),
                following: Mutex::new(HashSet::new()),
                slot_versions: std::sync::atomic::AtomicU64::new(0),
                slot_render: Mutex::new(()),
                run_start: tokio::sync::Mutex::new(()),
                driving: Mutex::new(HashSet::new()),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// What the engine counts, for the front end to count into too.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.config.metrics
    }

    /// Now, on the engine's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.config.clock.now()
    }

    /// The language a chat reads.
    pub fn lang(&self, chat_id: i64) -> Lang {
        self.inner
            .store
            .lang(chat_id)
            .ok()
            .flatten()
            .unwrap_or(self.inner.config.default_lang)
    }

    /// A locale message in `lang`.
    pub fn text(&self, lang: Lang, id: &str, args: &[Arg<'_>]) -> String {
        self.inner.locales.text(lang, id, args)
    }

    /// The chat accepted the reply that tells this result.
    pub async fn told(&self, tells: &Tells) {
        if let Err(e) = self.inner.store.mark_told(&tells.ref_id, tells.state).await {
            tracing::error!(error = %e, ref_id = %tells.ref_id, "cannot record that a result was told");
        }
    }

    /// Every final result no chat has accepted yet (the process stopped
    /// between the journal turning final and the message going out, or
    /// Telegram never took it), as notices to send again: replies to the
    /// message that started each call.
    pub fn untold(&self) -> Vec<Notice> {
        match self.inner.store.untold_results() {
            Ok(entries) => entries
                .iter()
                .map(|entry| Notice {
                    chat_id: entry.chat_id,
                    reply_to: entry.message_id,
                    reply: self.result_reply(self.lang(entry.chat_id), entry),
                })
                .collect(),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the journal for results not told yet");
                Vec::new()
            }
        }
    }

    /// The message a front end sent for a slot, if it sent one.
    pub fn slot_message(&self, key: &str) -> Option<i32> {
        self.inner.store.slot_message(key).unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot read a message slot");
            None
        })
    }

    /// A front end sent the message that shows a slot.
    pub async fn slot_sent(&self, key: &str, message_id: i32) {
        if let Err(e) = self.inner.store.set_slot_message(key, message_id).await {
            tracing::error!(error = %e, "cannot record a message slot");
        }
    }

    /// The chat has this version of a slot (sent or edited).
    pub async fn slot_shown(&self, slot: &Slot) {
        let Some(run) = slot
            .last
            .then(|| crate::model::CheckRun::run_of_summary_slot(&slot.key))
            .flatten()
        else {
            return;
        };
        if let Err(e) = self.inner.store.mark_run_told(run).await {
            tracing::error!(error = %e, run, "cannot record that a run's summary was shown");
        }
    }

    /// Follows every journal entry left unfinished (after a restart too),
    /// and goes on with every `cek semua` run a stop cut short. Returns
    /// how many entries are being followed.
    pub fn resume_unfinished(&self) -> usize {
        self.resume_runs();
        match self.inner.store.unfinished_entries() {
            Ok(entries) => {
                let count = entries.len();
                for entry in entries {
                    self.follow(entry.ref_id, Duration::ZERO);
                }
                count
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the journal to resume unfinished calls");
                0
            }
        }
    }

    /// True when this text may carry a PIN or API key: any `login` with
    /// words after it (slash or plain, well-formed or not), or plain text
    /// typed while a step-by-step login waits for an answer. A front end
    /// deletes such a message at once, before the (possibly slow) login
    /// check runs.
    pub fn holds_secret(&self, ctx: &ChatCtx, text: &str) -> bool {
        let text = text.trim();
        command::may_hold_secret(text)
            || self
                .center_form_of(ctx, text)
                .is_some_and(|form| form.pin.is_some())
            || self.typed_in_login_dialog(ctx, text)
    }

    /// True for plain text in a private chat whose step-by-step login
    /// waits for an answer. Unless it is a complete command, it is the
    /// answer; either way it is deleted: `M001 8642` reads as a topup but
    /// is more likely a member ID and PIN.
    fn typed_in_login_dialog(&self, ctx: &ChatCtx, text: &str) -> bool {
        ctx.kind == ChatKind::Private
            && !text.starts_with('/')
            && self.live_draft(ctx.chat_id).is_some()
    }

    /// Whether plain text typed in a login dialog is a command that ends
    /// it, rather than the dialog's answer: any complete command, except a
    /// bare `CODE DEST` at the member-ID question. That is also the shape
    /// of `MEMBERID PIN`, and run as a topup it would journal the PIN as
    /// the number and show it back in the receipt.
    fn ends_login_dialog(
        &self,
        ctx: &ChatCtx,
        text: &str,
        parsed: &Result<Command, ParseError>,
    ) -> bool {
        let Ok(command) = parsed else {
            return false;
        };
        let at_member_question = self
            .live_draft(ctx.chat_id)
            .is_some_and(|draft| draft.member_id.is_none());
        let bare_purchase = command::word_count(text) == 2
            && matches!(command, Command::Topup(_) | Command::Inquiry(_));
        !(at_member_question && bare_purchase)
    }

    /// Handles an edited message. Edits never run commands; an edit that
    /// now holds a login form is deleted (in a group every member sees it)
    /// and the chat is told why.
    pub fn handle_edit(&self, ctx: &ChatCtx, text: &str) -> Response {
        let text = text.trim();
        let id = if command::may_hold_secret(text) {
            match ctx.kind {
                ChatKind::Group => "login-group-refused",
                ChatKind::Private => "login-edit-deleted",
            }
        } else if self
            .center_form_of(ctx, text)
            .is_some_and(|form| form.pin.is_some())
        {
            "pin-edit-deleted"
        } else {
            return Response::silent();
        };
        Response {
            replies: vec![Reply::text(self.text(self.lang(ctx.chat_id), id, &[]))],
            delete_input: true,
            ..Response::default()
        }
    }

    /// Handles one input. Never panics on user or gateway input; internal
    /// errors become a short apology.
    pub async fn handle(&self, ctx: &ChatCtx, input: Input) -> Response {
        let lang = self.lang(ctx.chat_id);
        let result = match input {
            Input::Text(text) => self.handle_text(ctx, lang, &text).await,
            Input::Button(data) => self.handle_button(ctx, lang, &data).await,
        };
        result.unwrap_or_else(|refusal| self.refusal_response(ctx, lang, refusal))
    }

    fn refusal_response(&self, ctx: &ChatCtx, lang: Lang, refusal: Refusal) -> Response {
        match refusal {
            Refusal::Message(id, args) => Response::reply(Reply::text(self.text(lang, id, &args))),
            Refusal::Store(e) => {
                tracing::error!(error = %e, chat = ctx.chat_id, "store error");
                Response::reply(Reply::text(self.text(lang, "err-internal", &[])))
            }
        }
    }

    async fn handle_text(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        text: &str,
    ) -> Result<Response, Refusal> {
        let text = text.trim();
        let slash = text.starts_with('/');
        // `T10.087712345678.1234`: a center's form, PIN last. With a PIN it
        // is handled in a group even when not addressed: every member can
        // read it. Typed as the answer of a login dialog, it is the
        // dialog's (and deleted all the same).
        let center_form = (!self.typed_in_login_dialog(ctx, text))
            .then(|| self.center_form_of(ctx, text))
            .flatten();
        if let Some(form) = center_form {
            if form.pin.is_some() || ctx.kind == ChatKind::Private || ctx.addressed {
                return self.center_habit(ctx, lang, form).await;
            }
        }
        if ctx.kind == ChatKind::Group && !slash && !ctx.addressed {
            if command::may_hold_secret(text) {
                // Not addressed to loket, but every member can read it.
                return Ok(Response {
                    replies: vec![Reply::text(self.text(lang, "login-group-refused", &[]))],
                    delete_input: true,
                    ..Response::default()
                });
            }
            return Ok(Response::silent());
        }
        let parsed = command::parse(text, &self.inner.catalog);
        let in_dialog = self.typed_in_login_dialog(ctx, text);
        if in_dialog && !self.ends_login_dialog(ctx, text, &parsed) {
            return self.continue_login(ctx, lang, text).await;
        }
        if !matches!(parsed, Ok(Command::Cancel)) {
            // A slash command or a complete command ends a half-finished
            // login (`batal` ends it too, and says so).
            self.drafts().remove(&ctx.chat_id);
        }
        let command = match parsed {
            Ok(command) => command,
            Err(ParseError::NotUnderstood)
                if ctx.kind == ChatKind::Group && slash && !command::may_hold_secret(text) =>
            {
                // Probably another bot's command.
                return Ok(Response::silent());
            }
            Err(error @ (ParseError::BadDest { .. } | ParseError::NotUnderstood))
                if !command::may_hold_secret(text) =>
            {
                // A saved customer's name where the number goes.
                match self.by_name(ctx, text)? {
                    customers::ByName::One(typed) => {
                        match command::parse(&typed, &self.inner.catalog) {
                            Ok(command) => command,
                            Err(error) => {
                                return Ok(self.refusal_response(ctx, lang, error.into()))
                            }
                        }
                    }
                    customers::ByName::Several(found) => {
                        return Ok(Response::reply(self.which_customer(lang, &found)))
                    }
                    customers::ByName::None => {
                        return Ok(self.refusal_response(ctx, lang, error.into()))
                    }
                }
            }
            Err(error) => {
                // A malformed `/login` may still hold a PIN or key.
                let secret = command::may_hold_secret(text);
                let refusal = match (secret, ctx.kind) {
                    (true, ChatKind::Group) => refuse("login-group-refused"),
                    (true, ChatKind::Private) => refuse("err-login-usage"),
                    (false, _) => Refusal::from(error),
                };
                let mut response = self.refusal_response(ctx, lang, refusal);
                response.delete_input = secret;
                return Ok(response);
            }
        };
        let mut response = self
            .run(ctx, lang, command)
            .await
            .unwrap_or_else(|refusal| self.refusal_response(ctx, lang, refusal));
        response.delete_input |= in_dialog;
        Ok(response)
    }

    async fn run(&self, ctx: &ChatCtx, lang: Lang, command: Command) -> Result<Response, Refusal> {
        match command {
            Command::Help => {
                let audience = match ctx.kind {
                    ChatKind::Private => command::Audience::Private,
                    ChatKind::Group => command::Audience::Group,
                };
                let help = self.inner.locales.help(lang, audience);
                Ok(Response::reply(Reply::text(help)))
            }
            Command::Balance => self.balance(ctx, lang).await,
            Command::Topup(target) => self.topup(ctx, lang, target).await,
            Command::Inquiry(bill) => self.inquiry(ctx, lang, bill).await,
            Command::Pay(bill) => self.pay_typed(ctx, lang, bill).await,
            Command::Status { ref_id } => self.status(ctx, lang, &ref_id).await,
            Command::History => self.history(ctx, lang),
            Command::Language(choice) => self.language(ctx, lang, choice).await,
            Command::Login(login) => self.login(ctx, lang, login).await,
            Command::Logout => self.logout(ctx, lang).await,
            Command::Account => self.account(ctx, lang),
            Command::Link => self.link(ctx, lang).await,
            Command::Unlink => self.unlink(ctx, lang).await,
            Command::Allow(member) => self.allow(ctx, lang, member, true).await,
            Command::Revoke(member) => self.allow(ctx, lang, member, false).await,
            Command::Prices(prices) => self.prices(ctx, lang, prices).await,
            Command::Shop(shop) => self.shop(ctx, lang, shop).await,
            Command::Receipt { ref_id } => self.receipt(ctx, lang, &ref_id),
            Command::Recap(recap) => self.recap(ctx, lang, recap).await,
            Command::Export { month } => self.export(ctx, lang, month),
            Command::BalanceAlert(alert) => self.balance_alert(ctx, lang, alert).await,
            Command::Repeat => self.repeat(ctx, lang, None).await,
            Command::SaveCustomer { target, name } => {
                self.save_customer(ctx, lang, target, name).await
            }
            Command::Customers(query) => self.list_customers(ctx, lang, query),
            Command::ForgetCustomer(n) => self.forget_customer(ctx, lang, n).await,
            Command::CheckAll => self.check_all(ctx, lang).await,
            Command::PriceList => Ok(Response::reply(Reply::text(self.text(
                lang,
                "price-list-none",
                &[],
            )))),
            Command::Cancel => {
                let had = self.live_draft(ctx.chat_id).is_some();
                self.drafts().remove(&ctx.chat_id);
                Ok(Response::reply(Reply::text(self.text(
                    lang,
                    if had {
                        "login-cancelled"
                    } else {
                        "nothing-to-cancel"
                    },
                    &[],
                ))))
            }
        }
    }

    // ---- access ----

    /// The link of a group to its owner's account, or why there is none.
    fn linked_group(&self, chat_id: i64) -> Result<GroupLink, Refusal> {
        self.inner
            .store
            .group(chat_id)?
            .ok_or_else(|| refuse("group-not-linked"))
    }

    /// The account that signs requests in this chat. `transact` asks for
    /// the right to buy or pay (in groups: the owner and allowed users).
    fn access(&self, ctx: &ChatCtx, transact: bool) -> Result<Access, Refusal> {
        match ctx.kind {
            ChatKind::Private => match self.inner.store.account(ctx.chat_id)? {
                Some(creds) => Ok(Access {
                    account_id: ctx.chat_id,
                    creds: self.resolve(creds),
                }),
                None => match &self.inner.config.default_account {
                    Some(creds) => Ok(Access {
                        account_id: ctx.chat_id,
                        creds: creds.clone(),
                    }),
                    None => Err(refuse("need-login")),
                },
            },
            ChatKind::Group => {
                let link = self.linked_group(ctx.chat_id)?;
                if transact && !link.may_transact(ctx.user_id) {
                    return Err(refuse("group-not-allowed"));
                }
                let creds = self
                    .inner
                    .store
                    .account(link.owner)?
                    .ok_or_else(|| refuse("group-owner-logged-out"))?;
                Ok(Access {
                    account_id: link.owner,
                    creds: self.resolve(creds),
                })
            }
        }
    }

    /// An account saved without a gateway URL uses the default gateway
    /// (resolved at use, so a changed `LOKET_GATEWAY_URL` applies).
    fn resolve(&self, mut creds: Credentials) -> Credentials {
        if creds.base_url.is_empty() {
            creds.base_url = self.inner.config.default_gateway_url.clone();
        }
        creds
    }

    /// Credentials for following up an entry: the same gateway account
    /// (member ID and gateway, URLs compared in one spelling) that signed
    /// it, or why there is none.
    fn creds_of(&self, entry: &JournalEntry) -> Result<Credentials, Unsigned> {
        let candidate = match self.inner.store.account(entry.account_id) {
            Ok(Some(creds)) => Some(self.resolve(creds)),
            Ok(None) => self.inner.config.default_account.clone(),
            Err(e) => {
                tracing::error!(error = %e, "cannot read account for follow-up");
                return Err(Unsigned::StoreError);
            }
        };
        let Some(candidate) = candidate else {
            return Err(Unsigned::LoggedOut);
        };
        if candidate.member_id != entry.member_id {
            return Err(Unsigned::OtherMember);
        }
        if !same_gateway(&candidate.base_url, &entry.gateway) {
            return Err(Unsigned::OtherGateway);
        }
        Ok(candidate)
    }

    /// Follows every unfinished entry of one account at once (it has just
    /// logged in again).
    fn resume_account(&self, account_id: i64) {
        match self.inner.store.unfinished_entries() {
            Ok(entries) => {
                for entry in entries.into_iter().filter(|e| e.account_id == account_id) {
                    self.follow(entry.ref_id, Duration::ZERO);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read the journal to resume an account"),
        }
    }

    // ---- refIDs ----

    /// A fresh refID: `L` + time (ms, base36) + a database sequence + two
    /// random characters: ≤ 16 chars of `[A-Z0-9]`, unique per account
    /// even if the database is lost (the time part keeps moving).
    fn mint_ref(&self) -> Result<String, Refusal> {
        let millis = u64::try_from(self.now().timestamp_millis()).unwrap_or(0);
        let seq = self.inner.store.next_id()? % (36u64.pow(4));
        let mut rng = rand::thread_rng();
        let tail: String = (0..2).map(|_| base36_digit(rng.gen_range(0..36))).collect();
        Ok(format!("L{}{:0>4}{tail}", base36(millis), base36(seq)))
    }
}

/// Why an unfinished entry cannot be followed up now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unsigned {
    /// The account that made the call has logged out.
    LoggedOut,
    /// The account is now logged in as another member.
    OtherMember,
    /// The account now uses another gateway.
    OtherGateway,
    /// The account could not be read.
    StoreError,
}

/// Two spellings of one gateway (`HTTP://Host:80/` and `http://host`).
/// The journal keeps a URL as shown (a password in it masked), so both
/// sides are compared in that form.
fn same_gateway(a: &str, b: &str) -> bool {
    journal_url(a) == journal_url(b)
}

/// A gateway URL as the journal keeps it: one spelling, password masked.
fn journal_url(url: &str) -> String {
    shown_url(&normalize_base_url(url).unwrap_or_else(|| url.to_string()))
}

/// Gateway text shown to users: one line, no control characters, short.
fn quote(text: &str) -> String {
    quote_at_most(text, QUOTE_LEN)
}

/// A gateway's raw words shown while a call is checked: one line, plain
/// text, at most `WORDS_LEN` characters.
fn gateway_words(raw: &str) -> String {
    quote_at_most(raw, WORDS_LEN)
}

fn quote_at_most(text: &str, limit: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.chars().count() > limit {
        let cut: String = cleaned.chars().take(limit).collect();
        format!("{cut}…")
    } else {
        cleaned
    }
}

/// A PLN token's 20 digits grouped 4-4-4-4-4 (with dashes, the rest of
/// its SN after it); other serials unchanged.
pub fn format_sn(sn: &str) -> String {
    let Some(token) = crate::shop::PlnToken::of_sn(sn) else {
        return quote(sn);
    };
    let grouped = token.token.replace(' ', "-");
    match sn.split_once('/') {
        Some((_, rest)) => format!("{grouped} ({})", quote(rest)),
        None => grouped,
    }
}

fn minutes_between(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    now.signed_duration_since(at).num_minutes().max(0)
}

/// Whether more than `limit` has passed from `since` to `now`.
fn older_than(since: DateTime<Utc>, now: DateTime<Utc>, limit: Duration) -> bool {
    now.signed_duration_since(since)
        .to_std()
        .is_ok_and(|age| age > limit)
}

fn base36_digit(value: u64) -> char {
    char::from_digit(u32::try_from(value % 36).unwrap_or(0), 36)
        .unwrap_or('0')
        .to_ascii_uppercase()
}

fn base36(mut value: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(base36_digit(value));
        value /= 36;
        if value == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pln_token_is_grouped_four_by_four() {
        assert_eq!(
            format_sn("12345678901234567890"),
            "1234-5678-9012-3456-7890"
        );
        assert_eq!(
            format_sn("12345678901234567890/ANTO/R1/1300/15.2"),
            "1234-5678-9012-3456-7890 (ANTO/R1/1300/15.2)"
        );
        assert_eq!(format_sn("ABC"), "ABC");
        assert_eq!(format_sn("123456789012"), "123456789012");
    }

    #[test]
    fn base36_round_numbers() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "Z");
        assert_eq!(base36(36), "10");
    }
}
