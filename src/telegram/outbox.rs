//! The outbox: every call loket makes to Telegram on behalf of a chat —
//! send (text, photo, document), edit, delete, answer a button, "typing",
//! the command menu — goes through here.
//!
//! Owns: pacing to Telegram's documented limits, counted as Telegram
//! counts them, in sliding windows over what was sent (per chat at most 3
//! in any 3 s — a short burst, then about one a second; a group 20 in any
//! minute; the whole bot 30 in any second), so nothing waits while under
//! them and a burst of 30 goes out at once; a 429's `retry_after` (that
//! chat pauses, the call is retried),
//! retries of network errors and 5xx with backoff for up to a day, one
//! lane per chat (a stuck chat never holds up another; a chat's messages
//! keep their order), a group's move to a supergroup, marking a money
//! result told once Telegram accepted it, and counting each call Telegram
//! did not take (by reason) and each message given up. Button answers never wait
//! behind messages; "typing" is dropped for a busy chat.
//! Must not: decide what to say (the engine does) or read updates.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageReplyMarkupSetters, EditMessageTextSetters,
    SendDocumentSetters, SendMessageSetters, SendPhotoSetters, SetMyCommandsSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, CallbackQueryId, ChatAction, InlineKeyboardButton,
    InlineKeyboardMarkup, InputFile, MessageId, ReplyParameters,
};
use teloxide::{ApiError, RequestError};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::split_text;
use crate::engine::{Attachment, Engine, Notice, Reply};
use crate::metrics::TelegramFailure;
use crate::settings::Throttle as Rates;

/// Telegram's limit on a photo's or document's caption, in characters.
const CAPTION_LIMIT: usize = 1024;
/// Telegram's limit on a button answer's text.
const TOAST_LIMIT: usize = 190;
/// First wait before retrying a call that met a network error or a 5xx.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between two retries.
const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// How long one message is retried before it is given up (and logged).
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
/// A chat's lane with nothing to do for this long closes.
const LANE_IDLE: Duration = Duration::from_secs(120);

/// How much loket may send: at most `max` messages in any `span`, per
/// chat, per group and for the whole bot.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub chat: Window,
    pub group: Window,
    pub global: Window,
}

/// At most `max` messages in any `span`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub max: usize,
    pub span: Duration,
}

impl Limits {
    /// Telegram's documented limits (core.telegram.org/bots/faq: about one
    /// message a second in a chat, short bursts allowed; 20 a minute in a
    /// group; 30 a second in all).
    pub const TELEGRAM: Limits = Limits {
        chat: Window {
            max: 3,
            span: Duration::from_secs(3),
        },
        group: Window {
            max: 20,
            span: Duration::from_secs(60),
        },
        global: Window {
            max: 30,
            span: Duration::from_secs(1),
        },
    };

    /// For `LOKET_THROTTLE`: Telegram's, or the same ×1000 for load tests
    /// against a local Bot API.
    pub fn of(rates: Rates) -> Limits {
        let scale = match rates {
            Rates::Telegram => 1,
            Rates::Raised => 1000,
        };
        let times = |w: Window| Window {
            max: w.max * scale,
            span: w.span,
        };
        Limits {
            chat: times(Limits::TELEGRAM.chat),
            group: times(Limits::TELEGRAM.group),
            global: times(Limits::TELEGRAM.global),
        }
    }
}

/// The send times (past, and reserved in the near future) a window holds.
#[derive(Debug, Default)]
struct Sent(VecDeque<Instant>);

impl Sent {
    /// The earliest moment from `at` when one more message fits `window`.
    fn fits_from(&mut self, window: Window, at: Instant) -> Instant {
        while self.0.front().is_some_and(|t| *t + window.span <= at) {
            self.0.pop_front();
        }
        // What is left is sorted and inside the window seen from `at`,
        // reservations after `at` included: sending at `at` must not crowd
        // a window that ends at one of them.
        if self.0.len() < window.max {
            return at;
        }
        self.0[self.0.len() - window.max] + window.span
    }

    fn record(&mut self, at: Instant) {
        let place = self.0.partition_point(|t| *t <= at);
        self.0.insert(place, at);
    }
}

/// Every window, and when the next message of a chat may go.
#[derive(Default)]
struct Pace {
    chats: HashMap<i64, Sent>,
    groups: HashMap<i64, Sent>,
    global: Sent,
    /// Forget idle chats when this many are kept.
    forget_at: usize,
}

/// Below this many chats, idle ones are never looked for.
const FORGET_FROM: usize = 4096;

impl Pace {
    /// Reserves the earliest moment, from `now`, at which a message to
    /// `chat` fits every window it counts in, and records it there.
    fn reserve(&mut self, limits: &Limits, chat: i64, now: Instant) -> Instant {
        let mut at = now;
        loop {
            let mut later = self
                .chats
                .entry(chat)
                .or_default()
                .fits_from(limits.chat, at);
            if chat < 0 {
                later = later.max(
                    self.groups
                        .entry(chat)
                        .or_default()
                        .fits_from(limits.group, at),
                );
            }
            later = later.max(self.global.fits_from(limits.global, at));
            if later == at {
                break;
            }
            at = later;
        }
        self.chats.entry(chat).or_default().record(at);
        if chat < 0 {
            self.groups.entry(chat).or_default().record(at);
        }
        self.global.record(at);
        // Chats with nothing in their windows are forgotten, each time the
        // map has doubled (so a busy bot does not scan it on every send).
        if self.chats.len() > self.forget_at.max(FORGET_FROM) {
            let span = limits.chat.span.max(limits.group.span);
            self.chats
                .retain(|_, sent| sent.0.back().is_some_and(|t| *t + span > now));
            self.groups
                .retain(|_, sent| sent.0.back().is_some_and(|t| *t + span > now));
            self.forget_at = 2 * self.chats.len();
        }
        at
    }
}

/// One message-sending job in a chat's lane.
enum Job {
    Send {
        chat: ChatId,
        reply: Reply,
        reply_to: Option<MessageId>,
    },
    /// Replace a bot message (a bill becomes its receipt). When the edit
    /// cannot be made, the old buttons are taken off and the reply is sent
    /// as a new message answering it.
    Edit {
        chat: ChatId,
        message: MessageId,
        reply: Reply,
    },
}

impl Job {
    fn chat(&self) -> ChatId {
        match self {
            Job::Send { chat, .. } | Job::Edit { chat, .. } => *chat,
        }
    }

    fn reply(&self) -> &Reply {
        match self {
            Job::Send { reply, .. } | Job::Edit { reply, .. } => reply,
        }
    }
}

struct Lane {
    jobs: mpsc::UnboundedSender<Job>,
    /// Jobs queued or being delivered.
    busy: Arc<AtomicUsize>,
}

/// Sends to Telegram for every chat. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    inner: Arc<Inner>,
}

struct Inner {
    bot: Bot,
    engine: Engine,
    limits: Limits,
    pace: Mutex<Pace>,
    lanes: Mutex<HashMap<i64, Lane>>,
    /// A chat told by a 429 to wait, until when. Key [`WHOLE_BOT`]: every
    /// chat waits (a 429 for the bot's global limit).
    paused: Mutex<HashMap<i64, Instant>>,
    /// When recent 429s came, and for which chat: several chats told to
    /// wait at once means the bot's global limit.
    recent_429s: Mutex<Vec<(Instant, i64)>>,
    /// Per message slot (a run's progress, its summary), the newest
    /// version queued: an older one still in a lane is dropped.
    slots: Mutex<HashMap<String, u64>>,
}

/// Slots remembered before the map is cleared (a slot is a few per `cek
/// semua` run; clearing only lets a stale update through once).
const SLOTS_KEPT: usize = 10_000;

/// The pause key that holds every chat.
const WHOLE_BOT: i64 = i64::MIN;
/// This many chats told to wait within [`GLOBAL_429_WINDOW`] pause the bot.
const GLOBAL_429_CHATS: usize = 3;
const GLOBAL_429_WINDOW: Duration = Duration::from_secs(1);

impl Outbox {
    pub fn new(bot: Bot, engine: Engine, limits: Limits) -> Outbox {
        Outbox {
            inner: Arc::new(Inner {
                bot,
                engine,
                limits,
                pace: Mutex::new(Pace::default()),
                lanes: Mutex::new(HashMap::new()),
                paused: Mutex::new(HashMap::new()),
                recent_429s: Mutex::new(Vec::new()),
                slots: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Sends a reply in its chat's turn; returns at once.
    pub fn send(&self, chat: ChatId, reply: Reply, reply_to: Option<MessageId>) {
        self.enqueue(Job::Send {
            chat,
            reply,
            reply_to,
        });
    }

    /// A result learned later, as a reply to the message that started it.
    pub fn notice(&self, notice: Notice) {
        self.send(
            ChatId(notice.chat_id),
            notice.reply,
            notice.reply_to.map(MessageId),
        );
    }

    /// Replaces a bot message in its chat's turn; returns at once.
    pub fn edit(&self, chat: ChatId, message: MessageId, reply: Reply) {
        self.enqueue(Job::Edit {
            chat,
            message,
            reply,
        });
    }

    /// Deletes a message now (a PIN must not wait behind replies).
    pub async fn delete(&self, chat: ChatId, message: MessageId) -> Result<(), RequestError> {
        self.now_or_after_429(chat.0, || {
            self.inner.bot.delete_message(chat, message).send()
        })
        .await
        .map(|_| ())
    }

    /// Answers a button press now, never behind messages.
    pub async fn answer(&self, query_id: CallbackQueryId, toast: Option<&str>) {
        let mut answer = self.inner.bot.answer_callback_query(query_id);
        if let Some(toast) = toast {
            answer = answer.text(toast.chars().take(TOAST_LIMIT).collect::<String>());
        }
        if let Err(e) = answer.await {
            self.count_failure(&e);
            tracing::warn!(error = %e, "answerCallbackQuery failed");
        }
    }

    /// "typing…", unless the chat is busy or paused: then it is dropped,
    /// never queued.
    pub async fn typing(&self, chat: ChatId) {
        if self.is_busy(chat.0)
            || self.paused_until(chat.0).is_some()
            || self.paused_until(WHOLE_BOT).is_some()
        {
            return;
        }
        let _ = self
            .inner
            .bot
            .send_chat_action(chat, ChatAction::Typing)
            .await;
    }

    /// Sets one command menu.
    pub async fn set_commands(
        &self,
        commands: Vec<BotCommand>,
        scope: Option<BotCommandScope>,
        language: Option<&str>,
    ) -> Result<(), RequestError> {
        self.now_or_after_429(0, || {
            let mut set = self.inner.bot.set_my_commands(commands.clone());
            if let Some(scope) = &scope {
                set = set.scope(scope.clone());
            }
            if let Some(code) = language {
                set = set.language_code(code);
            }
            set.send()
        })
        .await
        .map(|_| ())
    }

    /// Waits until every lane is empty, at most `limit`; false if some
    /// message is still waiting (it is in the journal if it told money).
    pub async fn drain(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            let busy = {
                let lanes = self.lanes();
                lanes.values().any(|l| l.busy.load(Ordering::SeqCst) > 0)
            };
            if !busy {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn lanes(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Lane>> {
        self.inner
            .lanes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn is_busy(&self, chat: i64) -> bool {
        self.lanes()
            .get(&chat)
            .is_some_and(|l| l.busy.load(Ordering::SeqCst) > 0)
    }

    fn paused_until(&self, chat: i64) -> Option<Instant> {
        let mut paused = self
            .inner
            .paused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match paused.get(&chat) {
            Some(until) if *until > Instant::now() => Some(*until),
            Some(_) => {
                paused.remove(&chat);
                None
            }
            None => None,
        }
    }

    /// A 429 for `chat`: it waits `for_`; when several chats were told to
    /// wait at once it is the bot's limit, and every chat waits.
    fn pause(&self, chat: i64, for_: Duration) {
        let now = Instant::now();
        let whole_bot = {
            let mut recent = self
                .inner
                .recent_429s
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            recent.retain(|(at, _)| now.duration_since(*at) < GLOBAL_429_WINDOW);
            recent.push((now, chat));
            let mut chats: Vec<i64> = recent.iter().map(|(_, c)| *c).collect();
            chats.sort_unstable();
            chats.dedup();
            chats.len() >= GLOBAL_429_CHATS
        };
        let mut paused = self
            .inner
            .paused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        paused.insert(chat, now + for_);
        if whole_bot {
            tracing::warn!(
                seconds = for_.as_secs(),
                "Telegram's limit for the whole bot: every chat waits"
            );
            paused.insert(WHOLE_BOT, now + for_);
        }
    }

    /// Puts a job in its chat's lane, opening the lane (and its worker)
    /// when there is none.
    fn enqueue(&self, mut job: Job) {
        self.note_queued(job.reply());
        loop {
            let chat = job.chat().0;
            let sent = {
                let mut lanes = self.lanes();
                let lane = lanes.entry(chat).or_insert_with(|| self.open_lane(chat));
                lane.busy.fetch_add(1, Ordering::SeqCst);
                match lane.jobs.send(job) {
                    Ok(()) => None,
                    Err(mpsc::error::SendError(back)) => {
                        // The lane closed while idle: open a new one.
                        lane.busy.fetch_sub(1, Ordering::SeqCst);
                        lanes.remove(&chat);
                        Some(back)
                    }
                }
            };
            match sent {
                None => return,
                Some(back) => job = back,
            }
        }
    }

    fn open_lane(&self, chat: i64) -> Lane {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let busy = Arc::new(AtomicUsize::new(0));
        let outbox = self.clone();
        let counter = busy.clone();
        tokio::spawn(async move {
            loop {
                match tokio::time::timeout(LANE_IDLE, queue.recv()).await {
                    Ok(Some(job)) => {
                        outbox.deliver(job).await;
                        counter.fetch_sub(1, Ordering::SeqCst);
                    }
                    Ok(None) => return,
                    Err(_) => {
                        // Idle: close, unless a job came in meanwhile.
                        let mut lanes = outbox.lanes();
                        if counter.load(Ordering::SeqCst) == 0 {
                            lanes.remove(&chat);
                            return;
                        }
                    }
                }
            }
        });
        Lane { jobs, busy }
    }

    async fn deliver(&self, job: Job) {
        if self.is_stale(job.reply()) {
            // A newer version of this message is queued behind it, or
            // was shown already.
            return;
        }
        match job {
            Job::Send {
                chat,
                reply,
                reply_to,
            } => {
                // A slot's message once sent is edited from then on.
                let shown = reply
                    .slot
                    .as_ref()
                    .and_then(|slot| self.inner.engine.slot_message(&slot.key));
                match shown {
                    Some(message) => self.deliver_edit(chat, MessageId(message), &reply).await,
                    None => self.deliver_reply(chat, &reply, reply_to).await,
                }
            }
            Job::Edit {
                chat,
                message,
                reply,
            } => self.deliver_edit(chat, message, &reply).await,
        }
    }

    /// Sends a reply until Telegram takes it (or a day passed, or it was
    /// refused for good); marks the result it tells as told. A group that
    /// became a supergroup has its records moved and gets it there.
    async fn deliver_reply(&self, chat: ChatId, reply: &Reply, reply_to: Option<MessageId>) {
        match self.send_reply(chat, reply, reply_to).await {
            Ok(last) => self.delivered(reply, last).await,
            Err(RequestError::MigrateToChatId(to)) => {
                super::migrate(&self.inner.engine, chat.0, to.0).await;
                // The original message stayed in the old group.
                match self.send_reply(to, reply, None).await {
                    Ok(last) => self.delivered(reply, last).await,
                    Err(e) => self.gave_up(to, reply, &e),
                }
            }
            Err(e) => self.gave_up(chat, reply, &e),
        }
    }

    /// Telegram took a reply; `last` is its last message (the one with
    /// the buttons), which a slot's later versions edit.
    async fn delivered(&self, reply: &Reply, last: Option<MessageId>) {
        if let (Some(slot), Some(last)) = (&reply.slot, last) {
            self.inner.engine.slot_sent(&slot.key, last.0).await;
        }
        self.mark_told(reply).await;
    }

    /// A slot's version was queued: older ones are stale from now on.
    fn note_queued(&self, reply: &Reply) {
        if let Some(slot) = reply.slot.as_ref() {
            let mut slots = self.slots();
            if slots.len() >= SLOTS_KEPT {
                slots.clear();
            }
            let newest = slots.entry(slot.key.clone()).or_insert(slot.version);
            *newest = (*newest).max(slot.version);
        }
    }

    /// Whether a newer version of this reply's slot was queued.
    fn is_stale(&self, reply: &Reply) -> bool {
        reply.slot.as_ref().is_some_and(|slot| {
            self.slots()
                .get(&slot.key)
                .is_some_and(|newest| *newest > slot.version)
        })
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.inner
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn deliver_edit(&self, chat: ChatId, message: MessageId, reply: &Reply) {
        let chunks = split_text(&reply.text);
        let first = chunks.first().cloned().unwrap_or_default();
        let edited = self
            .paced(chat.0, || {
                self.inner
                    .bot
                    .edit_message_text(chat, message, first.clone())
                    .reply_markup(keyboard(reply))
                    .send()
            })
            .await;
        match edited {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {
                for chunk in chunks.iter().skip(1) {
                    self.deliver_reply(chat, &Reply::text(chunk.clone()), None)
                        .await;
                }
                self.mark_told(reply).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, chat = chat.0, "could not edit a message; taking its buttons off and sending the result instead");
                // A bill must not keep a live Bayar button under a result,
                // nor an old summary its buttons: they all come off.
                let _ = self
                    .paced(chat.0, || {
                        self.inner
                            .bot
                            .edit_message_reply_markup(chat, message)
                            .reply_markup(InlineKeyboardMarkup::default())
                            .send()
                    })
                    .await;
                self.deliver_reply(chat, reply, Some(message)).await;
            }
        }
    }

    async fn mark_told(&self, reply: &Reply) {
        if let Some(tells) = &reply.tells {
            self.inner.engine.told(tells).await;
        }
        if let Some(slot) = &reply.slot {
            self.inner.engine.slot_shown(slot).await;
        }
    }

    fn gave_up(&self, chat: ChatId, reply: &Reply, error: &RequestError) {
        self.inner.engine.metrics().telegram_undelivered();
        match &reply.tells {
            Some(tells) => {
                tracing::error!(error = %error, chat = chat.0, ref_id = %tells.ref_id, "Telegram did not take a result; it is told again at the next start")
            }
            None => {
                tracing::warn!(error = %error, chat = chat.0, "Telegram did not take a message")
            }
        }
    }

    /// One reply: its text (split under Telegram's limit), then its file
    /// with the last part as caption; the buttons go on the last message.
    async fn send_reply(
        &self,
        chat: ChatId,
        reply: &Reply,
        reply_to: Option<MessageId>,
    ) -> Result<Option<MessageId>, RequestError> {
        let chunks = split_text(&reply.text);
        let caption = match (&reply.attachment, chunks.last()) {
            (Some(_), Some(last)) if last.chars().count() <= CAPTION_LIMIT => Some(last.clone()),
            _ => None,
        };
        let texts = if caption.is_some() {
            &chunks[..chunks.len() - 1]
        } else {
            &chunks[..]
        };
        let last = texts.len().saturating_sub(1);
        let mut sent = None;
        for (i, chunk) in texts.iter().enumerate() {
            let buttons = i == last && reply.attachment.is_none() && has_buttons(reply);
            let replying = if i == 0 { reply_to } else { None };
            let message = self
                .paced(chat.0, || {
                    let mut request = self.inner.bot.send_message(chat, chunk.clone());
                    if let Some(id) = replying {
                        request = request.reply_parameters(
                            ReplyParameters::new(id).allow_sending_without_reply(),
                        );
                    }
                    if buttons {
                        request = request.reply_markup(keyboard(reply));
                    }
                    request.send()
                })
                .await?;
            sent = Some(message.id);
        }
        let Some(file) = &reply.attachment else {
            return Ok(sent);
        };
        let replying = texts.is_empty().then_some(reply_to).flatten();
        // sendPhoto and sendDocument take the same extras.
        macro_rules! file_request {
            ($request:expr) => {{
                let mut request = $request;
                if let Some(caption) = &caption {
                    request = request.caption(caption.clone());
                }
                if let Some(id) = replying {
                    request = request
                        .reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
                }
                if has_buttons(reply) {
                    request = request.reply_markup(keyboard(reply));
                }
                request.send()
            }};
        }
        let input = || InputFile::memory(file.bytes().to_vec()).file_name(file.name().to_string());
        let message = match file {
            Attachment::Photo { .. } => {
                self.paced(chat.0, || {
                    file_request!(self.inner.bot.send_photo(chat, input()))
                })
                .await?
            }
            Attachment::Document { .. } => {
                self.paced(chat.0, || {
                    file_request!(self.inner.bot.send_document(chat, input()))
                })
                .await?
            }
        };
        Ok(Some(message.id))
    }

    /// One message-sending call, in the chat's pace, retried after a 429
    /// (that chat pauses), a network error or a 5xx, for up to a day.
    async fn paced<T, F, Fut>(&self, chat: i64, call: F) -> Result<T, RequestError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, RequestError>>,
    {
        let started = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        loop {
            for key in [WHOLE_BOT, chat] {
                if let Some(until) = self.paused_until(key) {
                    tokio::time::sleep_until(until).await;
                }
            }
            let at = self
                .inner
                .pace
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .reserve(&self.inner.limits, chat, Instant::now());
            // Under the limits there is nothing to wait for: not even a
            // turn of the timer wheel (about a millisecond).
            if at > Instant::now() {
                tokio::time::sleep_until(at).await;
            }
            let result = call().await;
            if let Err(e) = &result {
                self.count_failure(e);
            }
            match result {
                Ok(value) => return Ok(value),
                Err(RequestError::RetryAfter(wait)) => {
                    tracing::info!(
                        chat,
                        seconds = wait.seconds(),
                        "Telegram asked to slow down; this chat waits"
                    );
                    self.pause(chat, wait.duration());
                }
                Err(e) if retryable(&e) && started.elapsed() < GIVE_UP_AFTER => {
                    tracing::warn!(error = %e, chat, wait_ms = backoff.as_millis() as u64, "Telegram call failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A call that is not a message (delete, menu): sent at once, retried
    /// only after a 429 (a few times).
    async fn now_or_after_429<T, F, Fut>(&self, chat: i64, call: F) -> Result<T, RequestError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, RequestError>>,
    {
        let mut tries = 0;
        loop {
            let result = call().await;
            if let Err(e) = &result {
                self.count_failure(e);
            }
            match result {
                Err(RequestError::RetryAfter(wait)) if tries < 3 => {
                    tries += 1;
                    tracing::info!(
                        chat,
                        seconds = wait.seconds(),
                        "Telegram asked to slow down"
                    );
                    tokio::time::sleep(wait.duration()).await;
                }
                other => return other,
            }
        }
    }
}

impl Outbox {
    fn count_failure(&self, error: &RequestError) {
        self.inner
            .engine
            .metrics()
            .telegram_failure(failure_of(error));
    }
}

/// Why Telegram did not take a call, as the metrics say it.
fn failure_of(error: &RequestError) -> TelegramFailure {
    match error {
        RequestError::RetryAfter(_) => TelegramFailure::RateLimited,
        RequestError::Network(_) | RequestError::Io(_) => TelegramFailure::Network,
        RequestError::InvalidJson { .. } => TelegramFailure::Server,
        error if retryable(error) => TelegramFailure::Server,
        _ => TelegramFailure::Refused,
    }
}

/// Whether a failed call may succeed if tried again: the network, or the
/// Bot API's own trouble (5xx), never a refusal of the request (4xx).
fn retryable(error: &RequestError) -> bool {
    match error {
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => true,
        RequestError::Api(ApiError::Unknown(description)) => {
            let refused = [
                "Bad Request",
                "Forbidden",
                "Unauthorized",
                "Not Found",
                "Conflict",
            ];
            !refused.iter().any(|r| description.starts_with(r))
        }
        _ => false,
    }
}

fn has_buttons(reply: &Reply) -> bool {
    !reply.buttons.is_empty() || !reply.copy.is_empty()
}

/// The reply's buttons on one row (or one under the other, for a
/// `column` reply), then each copy button on its own.
fn keyboard(reply: &Reply) -> InlineKeyboardMarkup {
    let buttons = reply
        .buttons
        .iter()
        .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.data.clone()));
    let mut rows: Vec<Vec<InlineKeyboardButton>> = if reply.column {
        buttons.map(|b| vec![b]).collect()
    } else {
        vec![buttons.collect()]
    };
    rows.retain(|row| !row.is_empty());
    for copy in &reply.copy {
        rows.push(vec![InlineKeyboardButton::copy_text_button(
            copy.label.clone(),
            teloxide::types::CopyTextButton {
                text: copy.text.clone(),
            },
        )]);
    }
    if rows.is_empty() {
        InlineKeyboardMarkup::default()
    } else {
        InlineKeyboardMarkup::new(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_network_and_the_bot_apis_own_trouble_are_retried() {
        let cases = [
            (
                RequestError::Api(ApiError::Unknown("Internal Server Error".into())),
                true,
            ),
            (
                RequestError::Api(ApiError::Unknown("Bad Gateway".into())),
                true,
            ),
            (
                RequestError::Api(ApiError::Unknown("Bad Request: something odd".into())),
                false,
            ),
            (RequestError::Api(ApiError::BotBlocked), false),
            (RequestError::Api(ApiError::MessageToEditNotFound), false),
        ];
        for (error, retry) in cases {
            assert_eq!(retryable(&error), retry, "{error}");
        }
    }

    /// An outbox on a throw-away engine; nothing it sends goes anywhere.
    fn test_outbox() -> Outbox {
        let (tx, _notices) = tokio::sync::mpsc::unbounded_channel();
        let engine = crate::engine::Engine::new(
            crate::store::Store::open(&crate::store::Location::Temporary, None).expect("store"),
            crate::gateway::GatewayClient::new(Duration::from_secs(1)),
            crate::catalog::Catalog::builtin(),
            crate::engine::EngineConfig::new("http://127.0.0.1:9"),
            tx,
        );
        Outbox::new(Bot::new("1:T"), engine, Limits::TELEGRAM)
    }

    #[tokio::test]
    async fn an_update_older_than_one_queued_for_its_slot_is_dropped() {
        let outbox = test_outbox();
        let version = |key: &str, version: u64| Reply {
            slot: Some(crate::engine::Slot {
                key: key.into(),
                version,
                last: false,
            }),
            ..Reply::default()
        };
        // Queued in this order: a summary drawn after a tap (v3) overtook
        // the run's older drawing (v2), which arrives after it.
        outbox.note_queued(&version("run:1:summary", 1));
        outbox.note_queued(&version("run:1:summary", 3));
        outbox.note_queued(&version("run:1:summary", 2));
        outbox.note_queued(&version("run:1:progress", 2));
        // (update, dropped?)
        let cases = [
            (version("run:1:summary", 1), true),
            (version("run:1:summary", 2), true),
            (version("run:1:summary", 3), false),
            (version("run:1:progress", 2), false),
            (version("run:2:summary", 1), false),
            (Reply::default(), false),
        ];
        for (reply, dropped) in cases {
            assert_eq!(outbox.is_stale(&reply), dropped, "{:?}", reply.slot);
        }
    }

    #[tokio::test]
    async fn several_chats_told_to_wait_at_once_pause_the_whole_bot() {
        let outbox = test_outbox();
        // (chat told to wait, does the whole bot wait now?)
        let cases = [(1_i64, false), (1, false), (2, false), (3, true)];
        for (chat, whole_bot) in cases {
            outbox.pause(chat, Duration::from_secs(30));
            assert!(outbox.paused_until(chat).is_some(), "chat {chat} waits");
            assert_eq!(
                outbox.paused_until(WHOLE_BOT).is_some(),
                whole_bot,
                "after chat {chat}"
            );
        }
        assert!(
            outbox.paused_until(4).is_none(),
            "a chat never told to wait is not paused by itself"
        );
    }

    #[test]
    fn a_message_waits_only_when_a_window_is_full() {
        let limits = Limits::TELEGRAM;
        let mut pace = Pace::default();
        let start = Instant::now();
        let ms = |n: u64| start + Duration::from_millis(n);
        // (chat, asked at, sent at)
        let cases = [
            // a private chat: a burst of 3, then the 4th waits until the
            // 1st has left its 3 s window
            (1_i64, 0, 0),
            (1, 10, 10),
            (1, 20, 20),
            (1, 30, 3000),
            // another chat is not held up by chat 1
            (2, 40, 40),
            // a message after a pause goes at once
            (2, 5000, 5000),
        ];
        for (chat, asked, sent) in cases {
            assert_eq!(
                pace.reserve(&limits, chat, ms(asked)),
                ms(sent),
                "chat {chat} at {asked} ms"
            );
        }
    }

    #[test]
    fn thirty_go_at_once_and_the_thirty_first_waits_a_second() {
        let limits = Limits::TELEGRAM;
        let mut pace = Pace::default();
        let now = Instant::now();
        for chat in 0..30_i64 {
            assert_eq!(pace.reserve(&limits, chat + 100, now), now, "chat {chat}");
        }
        assert_eq!(
            pace.reserve(&limits, 999, now),
            now + Duration::from_secs(1)
        );
    }

    #[test]
    fn a_group_gets_twenty_a_minute() {
        let limits = Limits::TELEGRAM;
        let mut pace = Pace::default();
        let start = Instant::now();
        let mut at = start;
        for n in 0..20 {
            // one a second keeps inside the chat window
            at = pace.reserve(&limits, -100, start + Duration::from_secs(n));
        }
        assert_eq!(at, start + Duration::from_secs(19));
        let next = pace.reserve(&limits, -100, start + Duration::from_secs(20));
        assert_eq!(
            next,
            start + Duration::from_secs(60),
            "the 21st waits for the 1st to leave the minute"
        );
    }
}
