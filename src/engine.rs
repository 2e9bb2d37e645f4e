//! The engine: loket's flows, independent of any front end.
//!
//! A front end (console, Telegram) gives it a [`ChatCtx`] and an [`Input`]
//! (a message or a button press) and shows the [`Response`]: replies with
//! optional buttons, an edit of the pressed message, a short toast, or a
//! request to delete the user's message (it held a secret). Results that
//! arrive later (a pending topup that succeeds) come as [`Notice`]s on the
//! channel given to [`Engine::set_notices`].
//!
//! Owns: who may do what, the inquiry → payment rule (one inquiry pays at
//! most once), the write-ahead journal around every money call, and
//! following unfinished calls to their end. Must not: know about Telegram,
//! print, or hold text that is not in `locales/`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::mpsc::UnboundedSender;

use crate::catalog::Catalog;
use crate::command::{self, Bill, ButtonAction, Command, Lang, Login, Member, ParseError, Target};
use crate::gateway::{
    balance_request, parse_balance, parse_reply, transaction_request, BalanceReply, BalanceSign,
    CallError, Credentials, GatewayClient, GatewayReply, Operation, TxStatus,
};
use crate::i18n::{Arg, Locales};
use crate::secret::Secret;
use crate::store::{
    EntryKind, EntryState, GroupLink, Inquiry, InquiryState, JournalEntry, PendingConfirmation,
    Store, StoreError,
};

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
}

impl Reply {
    pub fn text(text: String) -> Reply {
        Reply {
            text,
            buttons: Vec::new(),
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
        }
    }
}

/// Step-by-step login, kept in memory only (it holds secrets).
#[derive(Debug, Clone, Default)]
struct LoginDraft {
    member_id: Option<String>,
    pin: Option<Secret>,
}

/// Why a request cannot go ahead; each maps to a locale message.
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

fn refuse(id: &'static str) -> Refusal {
    Refusal::Message(id, Vec::new())
}

/// Whose account signs a request made in some chat.
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
    catalog: Catalog,
    locales: Locales,
    config: EngineConfig,
    notices: Mutex<Option<UnboundedSender<Notice>>>,
    drafts: Mutex<HashMap<i64, LoginDraft>>,
    login_tries: Mutex<HashMap<i64, Vec<Instant>>>,
    following: Mutex<HashSet<String>>,
}

/// What a status check says about a journaled call.
#[derive(Debug, PartialEq, Eq)]
enum StatusView {
    Final(EntryState),
    Pending,
    /// The gateway holds no record of this call (or, for a bill, only the
    /// inquiry): it may never have arrived.
    NotRecorded,
    Unreadable,
}

const HISTORY_LEN: usize = 10;
/// How far back the duplicate-topup check looks in a chat's journal.
const DUPLICATE_SCAN: usize = 50;
/// Gateway text quoted in a reply is cut to this many characters.
const QUOTE_LEN: usize = 300;

impl Engine {
    pub fn new(
        store: Store,
        client: GatewayClient,
        catalog: Catalog,
        config: EngineConfig,
    ) -> Engine {
        Engine {
            inner: Arc::new(Inner {
                store,
                client,
                catalog,
                locales: Locales::load(),
                config,
                notices: Mutex::new(None),
                drafts: Mutex::new(HashMap::new()),
                login_tries: Mutex::new(HashMap::new()),
                following: Mutex::new(HashSet::new()),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Where results that become known later are sent.
    pub fn set_notices(&self, sender: UnboundedSender<Notice>) {
        *self.inner.notices.lock().expect("notices lock") = Some(sender);
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

    /// Follows every journal entry left unfinished (after a restart too).
    /// Returns how many are being followed.
    pub fn resume_unfinished(&self) -> usize {
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

    /// True when this text carries a PIN or API key (`/login M P K`, or the
    /// PIN/key step of a step-by-step login): a front end deletes such a
    /// message at once, before the (possibly slow) login check runs.
    pub fn holds_secret(&self, ctx: &ChatCtx, text: &str) -> bool {
        let text = text.trim();
        if !text.starts_with('/') && ctx.kind == ChatKind::Private {
            if let Some(draft) = self.drafts().get(&ctx.chat_id) {
                return draft.member_id.is_some();
            }
        }
        matches!(
            command::parse(text, &self.inner.catalog),
            Ok(Command::Login(Login::Full { .. }))
        )
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
            Refusal::Message(id, args) => Response::reply(Reply::text(self.say(lang, id, &args))),
            Refusal::Store(e) => {
                tracing::error!(error = %e, chat = ctx.chat_id, "store error");
                Response::reply(Reply::text(self.say(lang, "err-internal", &[])))
            }
        }
    }

    fn say(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> String {
        self.inner.locales.text(lang, id, args)
    }

    async fn handle_text(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        text: &str,
    ) -> Result<Response, Refusal> {
        let text = text.trim();
        let slash = text.starts_with('/');
        if ctx.kind == ChatKind::Group && !slash && !ctx.addressed {
            return Ok(Response::silent());
        }
        if ctx.kind == ChatKind::Private && !slash && self.has_draft(ctx.chat_id) {
            return self.continue_login(ctx, lang, text).await;
        }
        let command = match command::parse(text, &self.inner.catalog) {
            Ok(command) => command,
            Err(ParseError::NotUnderstood) if ctx.kind == ChatKind::Group && slash => {
                // Probably another bot's command.
                return Ok(Response::silent());
            }
            Err(error) => {
                return Ok(Response::reply(Reply::text(
                    self.parse_error_text(lang, &error),
                )))
            }
        };
        if slash {
            // Any command abandons a half-finished login.
            self.drafts().remove(&ctx.chat_id);
        }
        self.run(ctx, lang, command).await
    }

    fn parse_error_text(&self, lang: Lang, error: &ParseError) -> String {
        let args = error
            .example()
            .map(|e| vec![("example", e.to_string())])
            .unwrap_or_default();
        self.say(lang, error.message_id(), &args)
    }

    async fn run(&self, ctx: &ChatCtx, lang: Lang, command: Command) -> Result<Response, Refusal> {
        match command {
            Command::Help => Ok(Response::reply(Reply::text(self.say(
                lang,
                if ctx.kind == ChatKind::Group {
                    "help-group"
                } else {
                    "help"
                },
                &[],
            )))),
            Command::Balance => self.balance(ctx, lang).await,
            Command::Topup(target) => self.topup(ctx, lang, target).await,
            Command::Inquiry(bill) => self.inquiry(ctx, lang, bill).await,
            Command::Pay(bill) => self.pay_typed(ctx, lang, bill).await,
            Command::Status { ref_id } => self.status(ctx, lang, &ref_id).await,
            Command::History => self.history(ctx, lang),
            Command::Language(choice) => self.language(ctx, lang, choice),
            Command::Login(login) => self.login(ctx, lang, login).await,
            Command::Logout => self.logout(ctx, lang),
            Command::Account => self.account(ctx, lang),
            Command::Link => self.link(ctx, lang),
            Command::Unlink => self.unlink(ctx, lang),
            Command::Allow(member) => self.allow(ctx, lang, member, true),
            Command::Revoke(member) => self.allow(ctx, lang, member, false),
            Command::Cancel => {
                let had = self.drafts().remove(&ctx.chat_id).is_some();
                Ok(Response::reply(Reply::text(self.say(
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
                let link = self
                    .inner
                    .store
                    .group(ctx.chat_id)?
                    .ok_or_else(|| refuse("group-not-linked"))?;
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
    /// that signed it, or none (the user logged out or switched accounts).
    fn creds_of(&self, entry: &JournalEntry) -> Option<Credentials> {
        let candidate = match self.inner.store.account(entry.account_id) {
            Ok(Some(creds)) => Some(self.resolve(creds)),
            Ok(None) => self.inner.config.default_account.clone(),
            Err(e) => {
                tracing::error!(error = %e, "cannot read account for follow-up");
                None
            }
        }?;
        let same = candidate.member_id == entry.member_id && candidate.base_url == entry.gateway;
        if !same {
            tracing::warn!(ref_id = %entry.ref_id, "the account that made this call is not logged in; follow-up waits");
        }
        same.then_some(candidate)
    }

    // ---- refIDs ----

    /// A fresh refID: `L` + time (ms, base36) + a database sequence + two
    /// random characters: ≤ 16 chars of `[A-Z0-9]`, unique per account
    /// even if the database is lost (the time part keeps moving).
    fn mint_ref(&self) -> Result<String, Refusal> {
        let millis = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
        let seq = self.inner.store.next_id()? % (36u64.pow(4));
        let mut rng = rand::thread_rng();
        let tail: String = (0..2).map(|_| base36_digit(rng.gen_range(0..36))).collect();
        Ok(format!("L{}{:0>4}{tail}", base36(millis), base36(seq)))
    }

    // ---- balance ----

    async fn balance(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let access = self.access(ctx, false)?;
        let text = match self
            .inner
            .client
            .send(&balance_request(&access.creds))
            .await
        {
            Ok(body) => match parse_balance(&body) {
                BalanceReply::Balance { amount, at } => self.say(
                    lang,
                    "balance",
                    &[
                        ("amount", amount.to_string()),
                        ("at", at.unwrap_or_default()),
                        ("member", access.creds.member_id.clone()),
                    ],
                ),
                BalanceReply::Refused { reason } => {
                    self.say(lang, "balance-refused", &[("reason", quote(&reason))])
                }
                BalanceReply::Unknown { .. } => self.say(lang, "gateway-unclear", &[]),
            },
            Err(e) => self.call_error_text(lang, &e),
        };
        Ok(Response::reply(Reply::text(text)))
    }

    fn call_error_text(&self, lang: Lang, error: &CallError) -> String {
        let id = match error {
            CallError::Timeout => "gateway-timeout",
            CallError::Connect => "gateway-unreachable",
            CallError::Status(_) | CallError::Broken => "gateway-unclear",
        };
        self.say(lang, id, &[])
    }

    // ---- topup ----

    async fn topup(&self, ctx: &ChatCtx, lang: Lang, target: Target) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        if let Some(previous) = self.recent_same_topup(ctx.chat_id, &target)? {
            let ref_id = self.mint_ref()?;
            self.inner.store.put_confirmation(&PendingConfirmation {
                ref_id: ref_id.clone(),
                chat_id: ctx.chat_id,
                user_id: ctx.user_id,
                product: target.product.clone(),
                dest: target.dest.clone(),
                created_at: Utc::now(),
            })?;
            let text = self.say(
                lang,
                "topup-duplicate",
                &[
                    ("product", target.product),
                    ("dest", target.dest),
                    ("minutes", minutes_ago(previous.created_at).to_string()),
                    ("state", self.state_word(lang, previous.state)),
                ],
            );
            let buttons = vec![
                Button {
                    label: self.say(lang, "button-send-again", &[]),
                    data: ButtonAction::SendAgain(ref_id.clone()).encode(),
                },
                Button {
                    label: self.say(lang, "button-cancel", &[]),
                    data: ButtonAction::DontSend(ref_id).encode(),
                },
            ];
            return Ok(Response::reply(Reply { text, buttons }));
        }
        let ref_id = self.mint_ref()?;
        self.send_topup(ctx, lang, access, target, ref_id).await
    }

    /// The chat's latest topup of the same product and dest inside the
    /// duplicate window, unless it failed.
    fn recent_same_topup(
        &self,
        chat_id: i64,
        target: &Target,
    ) -> Result<Option<JournalEntry>, Refusal> {
        let window = chrono::Duration::from_std(self.inner.config.duplicate_window)
            .unwrap_or(chrono::Duration::zero());
        let since = Utc::now() - window;
        Ok(self
            .inner
            .store
            .recent_entries(chat_id, DUPLICATE_SCAN)?
            .into_iter()
            .find(|e| {
                e.kind == EntryKind::Topup
                    && e.product == target.product
                    && e.dest == target.dest
                    && e.created_at >= since
                    && e.state != EntryState::Failed
            }))
    }

    async fn send_topup(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        access: Access,
        target: Target,
        ref_id: String,
    ) -> Result<Response, Refusal> {
        let entry = self.new_entry(ctx, &access, EntryKind::Topup, &target, ref_id);
        if !self.inner.store.begin_entry(&entry).await? {
            return Err(refuse("already-processed"));
        }
        let entry = self.send_money(&access.creds, entry).await;
        Ok(Response::reply(Reply::text(self.result_text(lang, &entry))))
    }

    fn new_entry(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        kind: EntryKind,
        target: &Target,
        ref_id: String,
    ) -> JournalEntry {
        let now = Utc::now();
        JournalEntry {
            ref_id,
            chat_id: ctx.chat_id,
            user_id: ctx.user_id,
            account_id: access.account_id,
            member_id: access.creds.member_id.clone(),
            gateway: access.creds.base_url.clone(),
            message_id: ctx.message_id,
            kind,
            product: target.product.clone(),
            dest: target.dest.clone(),
            state: EntryState::Sending,
            price: None,
            sn: None,
            reason: None,
            raw_reply: None,
            created_at: now,
            updated_at: now,
            sends: 0,
            checks: 0,
        }
    }

    /// Sends a journaled call (already written as `Sending`), records what
    /// came back and, unless it is final, follows it in the background.
    async fn send_money(&self, creds: &Credentials, entry: JournalEntry) -> JournalEntry {
        let entry = self.send_journaled(creds, entry).await;
        if !entry.state.is_final() {
            self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
        }
        entry
    }

    /// One send of a journaled call under its own refID. Anything but a
    /// readable SUKSES/GAGAL/PENDING leaves it `Unknown`: a timeout, a
    /// broken connection or a 5xx may still have been charged.
    async fn send_journaled(&self, creds: &Credentials, mut entry: JournalEntry) -> JournalEntry {
        let request = transaction_request(
            creds,
            entry.kind.operation(),
            &entry.product,
            &entry.dest,
            &entry.ref_id,
        );
        entry.sends += 1;
        entry.state = match self.inner.client.send(&request).await {
            Ok(body) => {
                let reply = parse_reply(&body);
                absorb_reply(&mut entry, &reply);
                entry_state(reply.status)
            }
            Err(error) => {
                tracing::warn!(ref_id = %entry.ref_id, %error, "money call has no readable answer; following it up");
                EntryState::Unknown
            }
        };
        entry.updated_at = Utc::now();
        match self.inner.store.update_entry(&entry).await {
            Ok(stored) => entry = stored,
            Err(e) => {
                tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record a money call's result")
            }
        }
        self.settle_inquiry(&entry);
        entry
    }

    /// Moves a payment's inquiry to its final state.
    fn settle_inquiry(&self, entry: &JournalEntry) {
        if entry.kind != EntryKind::Payment {
            return;
        }
        let to = match entry.state {
            EntryState::Success => InquiryState::Paid,
            EntryState::Failed => InquiryState::Failed,
            _ => return,
        };
        if let Err(e) = self
            .inner
            .store
            .transition_inquiry(&entry.ref_id, InquiryState::Paying, to)
        {
            tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot settle inquiry");
        }
    }

    /// The user-facing text for a journal entry's current state.
    fn result_text(&self, lang: Lang, entry: &JournalEntry) -> String {
        let kind = match entry.kind {
            EntryKind::Topup => "topup",
            EntryKind::Payment => "pay",
        };
        let state = match entry.state {
            EntryState::Success => "success",
            EntryState::Failed => "failed",
            EntryState::Pending => "pending",
            EntryState::Unknown | EntryState::Sending => "unknown",
        };
        let id = format!("{kind}-{state}");
        let args = [
            ("product", entry.product.clone()),
            ("dest", entry.dest.clone()),
            ("ref", entry.ref_id.clone()),
            (
                "price",
                entry
                    .price
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "sn",
                entry
                    .sn
                    .as_deref()
                    .map(format_sn)
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "reason",
                entry
                    .reason
                    .as_deref()
                    .map(quote)
                    .unwrap_or_else(|| "-".into()),
            ),
        ];
        self.say(lang, &id, &args)
    }

    fn state_word(&self, lang: Lang, state: EntryState) -> String {
        let id = match state {
            EntryState::Success => "state-success",
            EntryState::Failed => "state-failed",
            EntryState::Pending => "state-pending",
            EntryState::Unknown | EntryState::Sending => "state-unknown",
        };
        self.say(lang, id, &[])
    }

    // ---- inquiry and payment ----

    async fn inquiry(&self, ctx: &ChatCtx, lang: Lang, bill: Bill) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        let ref_id = self.mint_ref()?;
        let target = bill.target;
        let request = transaction_request(
            &access.creds,
            Operation::Inquiry,
            &target.product,
            &target.dest,
            &ref_id,
        );
        let body = match self.inner.client.send(&request).await {
            Ok(body) => body,
            Err(e) => return Ok(Response::reply(Reply::text(self.call_error_text(lang, &e)))),
        };
        let reply = parse_reply(&body);
        match reply.status {
            TxStatus::Success => {}
            TxStatus::Failed => {
                let reason = reply
                    .reason
                    .as_deref()
                    .map(quote)
                    .unwrap_or_else(|| "-".into());
                return Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "inquiry-failed",
                    &[
                        ("product", target.product),
                        ("dest", target.dest),
                        ("reason", reason),
                    ],
                ))));
            }
            TxStatus::Pending | TxStatus::Unknown => {
                return Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "gateway-unclear",
                    &[],
                ))));
            }
        }
        let Some(total) = reply.bill_total() else {
            return Ok(Response::reply(Reply::text(self.say(
                lang,
                "inquiry-no-amount",
                &[("raw", quote(&reply.raw))],
            ))));
        };
        let inquiry = Inquiry {
            ref_id: ref_id.clone(),
            chat_id: ctx.chat_id,
            requested_by: ctx.user_id,
            product: target.product.clone(),
            dest: target.dest.clone(),
            family: bill.family.key.to_string(),
            name: reply.name.clone(),
            bill: reply.bill,
            admin: reply.admin,
            total: Some(total),
            created_at: Utc::now(),
            state: InquiryState::Open,
        };
        self.inner.store.put_inquiry(&inquiry)?;
        let minutes = (self.inner.config.inquiry_ttl.as_secs() / 60).max(1);
        let text = self.say(
            lang,
            "bill",
            &[
                (
                    "family",
                    self.say(lang, &format!("family-{}", bill.family.key), &[]),
                ),
                ("product", target.product),
                ("dest", target.dest),
                (
                    "name",
                    reply
                        .name
                        .as_deref()
                        .map(quote)
                        .unwrap_or_else(|| "-".into()),
                ),
                ("bill", reply.bill.unwrap_or_default().to_string()),
                ("admin", reply.admin.unwrap_or_default().to_string()),
                ("total", total.to_string()),
                ("ref", ref_id.clone()),
                ("minutes", minutes.to_string()),
            ],
        );
        let buttons = vec![
            Button {
                label: self.say(lang, "button-pay", &[("total", total.to_string())]),
                data: ButtonAction::Pay(ref_id.clone()).encode(),
            },
            Button {
                label: self.say(lang, "button-cancel", &[]),
                data: ButtonAction::CancelBill(ref_id).encode(),
            },
        ];
        Ok(Response::reply(Reply { text, buttons }))
    }

    /// `PLNPASC 546302215889 bayar`: pays the open inquiry of that bill.
    async fn pay_typed(&self, ctx: &ChatCtx, lang: Lang, bill: Bill) -> Result<Response, Refusal> {
        let target = bill.target;
        let Some(inquiry) =
            self.inner
                .store
                .latest_inquiry(ctx.chat_id, &target.product, &target.dest)?
        else {
            let example = format!("{} {} cek", target.product, target.dest);
            return Err(Refusal::Message(
                "pay-need-inquiry",
                vec![("example", example)],
            ));
        };
        let entry = self.pay(ctx, lang, inquiry).await?;
        Ok(Response::reply(Reply::text(self.result_text(lang, &entry))))
    }

    /// Pays an inquiry once. Every path that is not the first claim of an
    /// open, unexpired inquiry is refused before anything is sent.
    async fn pay(
        &self,
        ctx: &ChatCtx,
        _lang: Lang,
        inquiry: Inquiry,
    ) -> Result<JournalEntry, Refusal> {
        if inquiry.chat_id != ctx.chat_id {
            return Err(refuse("pay-not-yours"));
        }
        let example = || {
            vec![(
                "example",
                format!("{} {} cek", inquiry.product, inquiry.dest),
            )]
        };
        match inquiry.state {
            InquiryState::Paying | InquiryState::Paid => return Err(refuse("pay-already")),
            InquiryState::Failed | InquiryState::Cancelled => {
                return Err(Refusal::Message("pay-closed", example()))
            }
            InquiryState::Open => {}
        }
        if inquiry.is_expired(Utc::now(), self.inner.config.inquiry_ttl) {
            return Err(Refusal::Message("pay-expired", example()));
        }
        let access = self.access(ctx, true)?;
        let owner = ctx.kind == ChatKind::Group && access.account_id == ctx.user_id;
        if inquiry.requested_by != ctx.user_id && !owner {
            return Err(refuse("pay-not-yours"));
        }
        // The claim: only one caller can move Open → Paying.
        let Some(inquiry) = self.inner.store.transition_inquiry(
            &inquiry.ref_id,
            InquiryState::Open,
            InquiryState::Paying,
        )?
        else {
            return Err(refuse("pay-already"));
        };
        let target = Target {
            product: inquiry.product.clone(),
            dest: inquiry.dest.clone(),
        };
        let entry = self.new_entry(
            ctx,
            &access,
            EntryKind::Payment,
            &target,
            inquiry.ref_id.clone(),
        );
        if !self.inner.store.begin_entry(&entry).await? {
            return Err(refuse("pay-already"));
        }
        Ok(self.send_money(&access.creds, entry).await)
    }

    // ---- buttons ----

    async fn handle_button(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        data: &str,
    ) -> Result<Response, Refusal> {
        let Some(action) = ButtonAction::decode(data) else {
            return Ok(Response {
                toast: Some(self.say(lang, "button-stale", &[])),
                ..Response::default()
            });
        };
        let toast = |engine: &Engine, id: &str, args: &[(&str, String)]| Response {
            toast: Some(engine.say(lang, id, args)),
            ..Response::default()
        };
        match action {
            ButtonAction::Pay(ref_id) => {
                let Some(inquiry) = self.inner.store.inquiry(&ref_id)? else {
                    return Ok(toast(self, "button-stale", &[]));
                };
                match self.pay(ctx, lang, inquiry).await {
                    Ok(entry) => {
                        let text = self.result_text(lang, &entry);
                        Ok(Response {
                            edit_source: Some(Reply::text(text)),
                            toast: Some(self.state_word(lang, entry.state)),
                            ..Response::default()
                        })
                    }
                    Err(Refusal::Message(id, args)) => Ok(toast(self, id, &args)),
                    Err(other) => Err(other),
                }
            }
            ButtonAction::CancelBill(ref_id) => {
                let Some(inquiry) = self.inner.store.inquiry(&ref_id)? else {
                    return Ok(toast(self, "button-stale", &[]));
                };
                if inquiry.chat_id != ctx.chat_id {
                    return Ok(toast(self, "pay-not-yours", &[]));
                }
                match self.inner.store.transition_inquiry(
                    &ref_id,
                    InquiryState::Open,
                    InquiryState::Cancelled,
                )? {
                    Some(_) => Ok(Response {
                        edit_source: Some(Reply::text(self.say(
                            lang,
                            "bill-cancelled",
                            &[("product", inquiry.product), ("dest", inquiry.dest)],
                        ))),
                        ..Response::default()
                    }),
                    None => Ok(toast(self, "pay-already", &[])),
                }
            }
            ButtonAction::SendAgain(ref_id) => {
                let Some(question) = self.inner.store.take_confirmation(&ref_id)? else {
                    return Ok(toast(self, "already-processed", &[]));
                };
                if question.chat_id != ctx.chat_id || question.user_id != ctx.user_id {
                    self.inner.store.put_confirmation(&question)?;
                    return Ok(toast(self, "pay-not-yours", &[]));
                }
                let age = Utc::now()
                    .signed_duration_since(question.created_at)
                    .to_std()
                    .unwrap_or_default();
                if age > self.inner.config.duplicate_window {
                    return Ok(Response {
                        edit_source: Some(Reply::text(self.say(lang, "question-expired", &[]))),
                        ..Response::default()
                    });
                }
                let access = self.access(ctx, true)?;
                let target = Target {
                    product: question.product,
                    dest: question.dest,
                };
                let response = self
                    .send_topup(ctx, lang, access, target, question.ref_id)
                    .await?;
                Ok(Response {
                    edit_source: response.replies.into_iter().next(),
                    ..Response::default()
                })
            }
            ButtonAction::DontSend(ref_id) => {
                let text = match self.inner.store.take_confirmation(&ref_id)? {
                    Some(_) => self.say(lang, "topup-not-sent", &[]),
                    None => return Ok(toast(self, "already-processed", &[])),
                };
                Ok(Response {
                    edit_source: Some(Reply::text(text)),
                    ..Response::default()
                })
            }
        }
    }

    // ---- status and history ----

    async fn status(&self, ctx: &ChatCtx, lang: Lang, ref_id: &str) -> Result<Response, Refusal> {
        self.access(ctx, false)?;
        let entry = self
            .inner
            .store
            .entry(ref_id)?
            .filter(|e| e.chat_id == ctx.chat_id);
        let Some(mut entry) = entry else {
            // A bill that was checked but not paid has no journal entry.
            let inquiry = self
                .inner
                .store
                .inquiry(ref_id)?
                .filter(|i| i.chat_id == ctx.chat_id);
            return match inquiry {
                Some(i) => Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "status-unpaid-bill",
                    &[("product", i.product), ("dest", i.dest), ("ref", i.ref_id)],
                )))),
                None => Err(Refusal::Message(
                    "status-unknown-ref",
                    vec![("ref", ref_id.to_string())],
                )),
            };
        };
        let creds = self.creds_of(&entry);
        if let (false, Some(creds)) = (entry.state.is_final(), creds) {
            let (view, reply) = self.check_status(&creds, &entry).await;
            entry.checks += 1;
            if let StatusView::Final(state) = view {
                entry.state = state;
                if let Some(reply) = &reply {
                    absorb_reply(&mut entry, reply);
                }
                entry.updated_at = Utc::now();
                entry = self.inner.store.update_entry(&entry).await?;
                self.settle_inquiry(&entry);
            } else {
                self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
            }
        }
        Ok(Response::reply(Reply::text(self.result_text(lang, &entry))))
    }

    fn history(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let entries = self.inner.store.recent_entries(ctx.chat_id, HISTORY_LEN)?;
        if entries.is_empty() {
            return Ok(Response::reply(Reply::text(self.say(
                lang,
                "history-empty",
                &[],
            ))));
        }
        let lines: Vec<String> = entries
            .iter()
            .map(|e| {
                self.say(
                    lang,
                    "history-line",
                    &[
                        ("time", e.created_at.format("%d/%m %H:%M").to_string()),
                        ("product", e.product.clone()),
                        ("dest", e.dest.clone()),
                        ("state", self.state_word(lang, e.state)),
                        (
                            "price",
                            e.price.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
                        ),
                        ("ref", e.ref_id.clone()),
                    ],
                )
            })
            .collect();
        let text = format!(
            "{}\n{}",
            self.say(lang, "history-title", &[]),
            lines.join("\n")
        );
        Ok(Response::reply(Reply::text(text)))
    }

    // ---- language and account ----

    fn language(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        choice: Option<Lang>,
    ) -> Result<Response, Refusal> {
        let Some(new) = choice else {
            return Ok(Response::reply(Reply::text(self.say(
                lang,
                "language-usage",
                &[],
            ))));
        };
        self.inner.store.set_lang(ctx.chat_id, new)?;
        Ok(Response::reply(Reply::text(self.say(
            new,
            "language-set",
            &[],
        ))))
    }

    /// The step-by-step logins in progress (memory only: they hold secrets).
    fn drafts(&self) -> std::sync::MutexGuard<'_, HashMap<i64, LoginDraft>> {
        self.inner.drafts.lock().expect("drafts lock")
    }

    fn has_draft(&self, chat_id: i64) -> bool {
        self.drafts().contains_key(&chat_id)
    }

    /// Counts a login try; false when the chat has tried too often lately.
    fn login_allowed(&self, chat_id: i64) -> bool {
        let mut tries = self.inner.login_tries.lock().expect("login tries lock");
        let window = self.inner.config.login_window;
        let recent = tries.entry(chat_id).or_default();
        recent.retain(|t| t.elapsed() < window);
        if recent.len() >= self.inner.config.login_attempts {
            return false;
        }
        recent.push(Instant::now());
        true
    }

    async fn login(&self, ctx: &ChatCtx, lang: Lang, login: Login) -> Result<Response, Refusal> {
        let holds_secret = matches!(login, Login::Full { .. });
        if ctx.kind == ChatKind::Group {
            return Ok(Response {
                replies: vec![Reply::text(self.say(lang, "login-group-refused", &[]))],
                delete_input: holds_secret,
                ..Response::default()
            });
        }
        match login {
            Login::StepByStep => {
                self.drafts().insert(ctx.chat_id, LoginDraft::default());
                Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "login-ask-member",
                    &[],
                ))))
            }
            Login::Full {
                member_id,
                pin,
                api_key,
                base_url,
            } => {
                let (pin, api_key) = (Secret::new(pin), Secret::new(api_key));
                Ok(self
                    .finish_login(ctx, lang, member_id, pin, api_key, base_url)
                    .await)
            }
        }
    }

    async fn continue_login(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        text: &str,
    ) -> Result<Response, Refusal> {
        let draft = self.drafts().get(&ctx.chat_id).cloned().unwrap_or_default();
        let value = text.trim().to_string();
        if value.is_empty() || value.split_whitespace().count() != 1 || value.len() > 128 {
            return Ok(Response::reply(Reply::text(self.say(
                lang,
                "login-one-word",
                &[],
            ))));
        }
        match (draft.member_id, draft.pin) {
            (None, _) => {
                self.drafts().insert(
                    ctx.chat_id,
                    LoginDraft {
                        member_id: Some(value),
                        pin: None,
                    },
                );
                Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "login-ask-pin",
                    &[],
                ))))
            }
            (Some(member_id), None) => {
                self.drafts().insert(
                    ctx.chat_id,
                    LoginDraft {
                        member_id: Some(member_id),
                        pin: Some(Secret::new(value)),
                    },
                );
                Ok(Response {
                    replies: vec![Reply::text(self.say(lang, "login-ask-key", &[]))],
                    delete_input: true,
                    ..Response::default()
                })
            }
            (Some(member_id), Some(pin)) => {
                self.drafts().remove(&ctx.chat_id);
                Ok(self
                    .finish_login(ctx, lang, member_id, pin, Secret::new(value), None)
                    .await)
            }
        }
    }

    /// Ends a login, whatever its outcome, by deleting the message that
    /// held the last secret.
    async fn finish_login(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        member_id: String,
        pin: Secret,
        api_key: Secret,
        base_url: Option<String>,
    ) -> Response {
        let mut response = self
            .check_and_save_login(ctx, lang, member_id, pin, api_key, base_url)
            .await
            .unwrap_or_else(|refusal| self.refusal_response(ctx, lang, refusal));
        response.delete_input = true;
        response
    }

    async fn check_and_save_login(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        member_id: String,
        pin: Secret,
        api_key: Secret,
        base_url: Option<String>,
    ) -> Result<Response, Refusal> {
        if !self.login_allowed(ctx.chat_id) {
            return Err(refuse("login-too-many"));
        }
        if !(1..=32).contains(&member_id.len())
            || !member_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(refuse("login-bad-member"));
        }
        let base_url = match base_url {
            Some(url) => normalize_base_url(&url).ok_or_else(|| refuse("login-bad-url"))?,
            None => String::new(),
        };
        let mut creds = Credentials {
            member_id,
            pin,
            api_key,
            base_url,
            balance_sign: self.inner.config.balance_sign,
        };
        // The balance sign is per gateway: when the configured form is
        // refused, the other OtomaX form is tried once and kept if it works.
        let mut reply = self.login_balance(&creds).await;
        if matches!(reply, Some(BalanceReply::Refused { .. })) {
            let other = match creds.balance_sign {
                BalanceSign::Fields => BalanceSign::CheckBalance,
                BalanceSign::CheckBalance => BalanceSign::Fields,
            };
            let alternative = Credentials {
                balance_sign: other,
                ..creds.clone()
            };
            if let Some(found @ BalanceReply::Balance { .. }) =
                self.login_balance(&alternative).await
            {
                creds = alternative;
                reply = Some(found);
            }
        }
        let id = match reply {
            Some(BalanceReply::Balance { amount, .. }) => {
                self.inner.store.save_account(ctx.chat_id, &creds)?;
                let text = self.say(
                    lang,
                    "login-ok",
                    &[
                        ("member", creds.member_id.clone()),
                        ("amount", amount.to_string()),
                    ],
                );
                return Ok(Response::reply(Reply::text(text)));
            }
            Some(BalanceReply::Refused { reason }) => {
                return Err(Refusal::Message(
                    "login-refused",
                    vec![("reason", quote(&reason))],
                ));
            }
            Some(BalanceReply::Unknown { .. }) | None => "login-saved-unverified",
        };
        self.inner.store.save_account(ctx.chat_id, &creds)?;
        Ok(Response::reply(Reply::text(self.say(
            lang,
            id,
            &[("member", creds.member_id)],
        ))))
    }

    /// The balance call a login is checked with; `None` when the gateway
    /// could not be reached or answered with an HTTP error.
    async fn login_balance(&self, creds: &Credentials) -> Option<BalanceReply> {
        let body = self
            .inner
            .client
            .send(&balance_request(&self.resolve(creds.clone())))
            .await
            .ok()?;
        Some(parse_balance(&body))
    }

    fn logout(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        if ctx.kind == ChatKind::Group {
            return Err(refuse("private-only"));
        }
        self.drafts().remove(&ctx.chat_id);
        let removed = self.inner.store.remove_account(ctx.chat_id)?;
        Ok(Response::reply(Reply::text(self.say(
            lang,
            if removed { "logout-ok" } else { "logout-none" },
            &[],
        ))))
    }

    fn account(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let (creds, id) = match ctx.kind {
            ChatKind::Private => match self.inner.store.account(ctx.chat_id)? {
                Some(creds) => (self.resolve(creds), "account"),
                None => match &self.inner.config.default_account {
                    Some(creds) => (creds.clone(), "account-demo"),
                    None => return Err(refuse("need-login")),
                },
            },
            ChatKind::Group => {
                let link = self
                    .inner
                    .store
                    .group(ctx.chat_id)?
                    .ok_or_else(|| refuse("group-not-linked"))?;
                let creds = self
                    .inner
                    .store
                    .account(link.owner)?
                    .ok_or_else(|| refuse("group-owner-logged-out"))?;
                (self.resolve(creds), "account")
            }
        };
        Ok(Response::reply(Reply::text(self.say(
            lang,
            id,
            &[
                ("member", creds.member_id.clone()),
                ("url", creds.base_url.clone()),
                ("key", creds.api_key.masked()),
            ],
        ))))
    }

    // ---- groups ----

    fn link(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        if ctx.kind != ChatKind::Group {
            return Err(refuse("group-only"));
        }
        if self.inner.store.account(ctx.user_id)?.is_none() {
            return Err(refuse("link-need-login"));
        }
        if let Some(existing) = self.inner.store.group(ctx.chat_id)? {
            if existing.owner != ctx.user_id {
                return Err(refuse("link-taken"));
            }
        }
        self.inner.store.set_group(
            ctx.chat_id,
            &GroupLink {
                owner: ctx.user_id,
                allowed: Vec::new(),
            },
        )?;
        Ok(Response::reply(Reply::text(self.say(lang, "link-ok", &[]))))
    }

    fn owned_group(&self, ctx: &ChatCtx) -> Result<GroupLink, Refusal> {
        if ctx.kind != ChatKind::Group {
            return Err(refuse("group-only"));
        }
        let link = self
            .inner
            .store
            .group(ctx.chat_id)?
            .ok_or_else(|| refuse("group-not-linked"))?;
        if link.owner != ctx.user_id {
            return Err(refuse("owner-only"));
        }
        Ok(link)
    }

    fn unlink(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        self.owned_group(ctx)?;
        self.inner.store.remove_group(ctx.chat_id)?;
        Ok(Response::reply(Reply::text(self.say(
            lang,
            "unlink-ok",
            &[],
        ))))
    }

    fn allow(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        member: Member,
        allow: bool,
    ) -> Result<Response, Refusal> {
        let mut link = self.owned_group(ctx)?;
        let user = match member {
            Member::Id(id) => id,
            Member::RepliedTo => ctx
                .reply_to_user
                .ok_or_else(|| refuse(if allow { "allow-usage" } else { "revoke-usage" }))?,
        };
        if user == link.owner {
            return Err(refuse("allow-owner"));
        }
        link.allowed.retain(|u| *u != user);
        if allow {
            link.allowed.push(user);
        }
        self.inner.store.set_group(ctx.chat_id, &link)?;
        Ok(Response::reply(Reply::text(self.say(
            lang,
            if allow { "allow-ok" } else { "revoke-ok" },
            &[("user", user.to_string())],
        ))))
    }

    // ---- follow-up of unfinished calls ----

    /// Starts following `ref_id` unless it is already followed.
    fn follow(&self, ref_id: String, first_wait: Duration) {
        if !self
            .inner
            .following
            .lock()
            .expect("following lock")
            .insert(ref_id.clone())
        {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            engine.follow_loop(&ref_id, first_wait).await;
            engine
                .inner
                .following
                .lock()
                .expect("following lock")
                .remove(&ref_id);
        });
    }

    async fn follow_loop(&self, ref_id: &str, first_wait: Duration) {
        let config = &self.inner.config;
        let mut wait = first_wait;
        loop {
            tokio::time::sleep(wait).await;
            wait = if wait.is_zero() {
                config.recheck_after
            } else {
                (wait * 2).min(config.recheck_cap)
            };
            let mut entry = match self.inner.store.entry(ref_id) {
                Ok(Some(entry)) if !entry.state.is_final() => entry,
                Ok(_) => return,
                Err(e) => {
                    tracing::error!(error = %e, ref_id, "cannot read journal entry to follow");
                    return;
                }
            };
            let age = Utc::now()
                .signed_duration_since(entry.created_at)
                .to_std()
                .unwrap_or_default();
            if age > config.follow_for {
                let lang = self.lang(entry.chat_id);
                self.notify(
                    &entry,
                    self.say(lang, "followup-gave-up", &[("ref", entry.ref_id.clone())]),
                );
                return;
            }
            let Some(creds) = self.creds_of(&entry) else {
                tracing::warn!(
                    ref_id,
                    "no account to follow this entry with; will retry after restart"
                );
                return;
            };
            let (view, reply) = self.check_status(&creds, &entry).await;
            entry.checks += 1;
            match view {
                StatusView::Final(state) => {
                    entry.state = state;
                    if let Some(reply) = &reply {
                        absorb_reply(&mut entry, reply);
                    }
                    entry.updated_at = Utc::now();
                    if let Err(e) = self.inner.store.update_entry(&entry).await {
                        tracing::error!(error = %e, ref_id, "cannot record a followed result");
                        continue;
                    }
                    self.settle_inquiry(&entry);
                    let lang = self.lang(entry.chat_id);
                    self.notify(&entry, self.result_text(lang, &entry));
                    return;
                }
                StatusView::NotRecorded if entry.sends < config.max_sends => {
                    // The gateway never saw it: send again under the SAME
                    // refID (the gateway's idempotency key).
                    tracing::info!(
                        ref_id,
                        sends = entry.sends,
                        "gateway has no record; resending with the same refID"
                    );
                    let entry = self.send_journaled(&creds, entry).await;
                    if entry.state.is_final() {
                        let lang = self.lang(entry.chat_id);
                        self.notify(&entry, self.result_text(lang, &entry));
                        return;
                    }
                }
                StatusView::NotRecorded | StatusView::Pending | StatusView::Unreadable => {
                    if entry.state == EntryState::Sending {
                        entry.state = EntryState::Unknown;
                    }
                    entry.updated_at = Utc::now();
                    if let Err(e) = self.inner.store.update_entry(&entry).await {
                        tracing::error!(error = %e, ref_id, "cannot record a status check");
                    }
                }
            }
        }
    }

    /// Asks the gateway about a journaled call (`cek=1`, same refID,
    /// product and dest) and reads the answer for that kind of call.
    async fn check_status(
        &self,
        creds: &Credentials,
        entry: &JournalEntry,
    ) -> (StatusView, Option<GatewayReply>) {
        let request = transaction_request(
            creds,
            Operation::Status,
            &entry.product,
            &entry.dest,
            &entry.ref_id,
        );
        match self.inner.client.send(&request).await {
            Ok(body) => {
                let reply = parse_reply(&body);
                (interpret_status(entry.kind, &reply), Some(reply))
            }
            Err(_) => (StatusView::Unreadable, None),
        }
    }

    fn notify(&self, entry: &JournalEntry, text: String) {
        let notice = Notice {
            chat_id: entry.chat_id,
            reply_to: entry.message_id,
            reply: Reply::text(text),
        };
        if let Some(sender) = self.inner.notices.lock().expect("notices lock").as_ref() {
            let _ = sender.send(notice);
        }
    }
}

/// Reads a status-check answer for a topup or a payment. A bill's status
/// echo without `HRG` is still the inquiry's line: the payment is not
/// recorded yet, which is never "paid".
fn interpret_status(kind: EntryKind, reply: &GatewayReply) -> StatusView {
    if reply.is_not_found() {
        return StatusView::NotRecorded;
    }
    match reply.status {
        // Only a line with the price charged proves a payment landed.
        TxStatus::Success
            if kind == EntryKind::Payment && (reply.is_inquiry_echo() || reply.price.is_none()) =>
        {
            StatusView::NotRecorded
        }
        TxStatus::Success => StatusView::Final(EntryState::Success),
        TxStatus::Failed => StatusView::Final(EntryState::Failed),
        TxStatus::Pending => StatusView::Pending,
        TxStatus::Unknown => StatusView::Unreadable,
    }
}

fn entry_state(status: TxStatus) -> EntryState {
    match status {
        TxStatus::Success => EntryState::Success,
        TxStatus::Failed => EntryState::Failed,
        TxStatus::Pending => EntryState::Pending,
        TxStatus::Unknown => EntryState::Unknown,
    }
}

/// Copies what a reply tells about a call into its journal entry.
fn absorb_reply(entry: &mut JournalEntry, reply: &GatewayReply) {
    if reply.price.is_some() {
        entry.price = reply.price;
    }
    if reply.sn.is_some() {
        entry.sn = reply.sn.clone();
    }
    entry.reason = reply.reason.clone();
    entry.raw_reply = Some(reply.raw.chars().take(2048).collect());
}

/// `https://h2h.example.co.id/` → `https://h2h.example.co.id`; only http(s).
fn normalize_base_url(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
    {
        return None;
    }
    Some(url.as_str().trim_end_matches('/').to_string())
}

/// Gateway text shown to users: one line, no control characters, short.
fn quote(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.chars().count() > QUOTE_LEN {
        let cut: String = cleaned.chars().take(QUOTE_LEN).collect();
        format!("{cut}…")
    } else {
        cleaned
    }
}

/// A PLN token's 20 digits grouped 4-4-4-4-4; other serials unchanged.
pub fn format_sn(sn: &str) -> String {
    let (token, rest) = match sn.split_once('/') {
        Some((token, rest)) => (token, Some(rest)),
        None => (sn, None),
    };
    let digits: String = token
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return quote(sn);
    }
    let grouped: Vec<&str> = (0..5).map(|i| &digits[i * 4..i * 4 + 4]).collect();
    match rest {
        Some(rest) => format!("{} ({})", grouped.join("-"), quote(rest)),
        None => grouped.join("-"),
    }
}

fn minutes_ago(at: DateTime<Utc>) -> i64 {
    Utc::now().signed_duration_since(at).num_minutes().max(0)
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

    #[test]
    fn unpaid_bill_echo_is_not_a_payment() {
        let echo =
            parse_reply("STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.");
        assert_eq!(
            interpret_status(EntryKind::Payment, &echo),
            StatusView::NotRecorded
        );
        let paid = parse_reply("STATUS PLNPASC.546302215889 SUKSES, HRG:302750 REFID:X.");
        assert_eq!(
            interpret_status(EntryKind::Payment, &paid),
            StatusView::Final(EntryState::Success)
        );
        let missing = parse_reply("STATUS T1.0812 GAGAL, transaksi tidak ditemukan.");
        assert_eq!(
            interpret_status(EntryKind::Topup, &missing),
            StatusView::NotRecorded
        );
        let html = parse_reply("<html>502</html>");
        assert_eq!(
            interpret_status(EntryKind::Topup, &html),
            StatusView::Unreadable
        );
    }

    #[test]
    fn base_urls_are_checked_and_normalized() {
        assert_eq!(
            normalize_base_url("https://h2h.example.co.id/"),
            Some("https://h2h.example.co.id".into())
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080"),
            Some("http://127.0.0.1:8080".into())
        );
        assert_eq!(normalize_base_url("ftp://x"), None);
        assert_eq!(normalize_base_url("not a url"), None);
    }
}
