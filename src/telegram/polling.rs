//! Long polling that says how each `getUpdates` went, for `/healthz`.
//!
//! teloxide's `Polling` hands the dispatcher a failed poll as an error but
//! says nothing of one that answered with no updates — and an idle bot's
//! polls all answer so. So this is teloxide's loop over `getUpdates` with
//! that one thing added, built from its own parts (`UpdateListener`, its
//! stop token, the request builders) and keeping its behaviour: 10-second
//! long polls, the offset confirmed on stop (`limit=1, timeout=0`) so no
//! update is handled twice after a restart, a 429's `retry_after` waited
//! out, other failures retried after 1, 2, 4 … 64 s, a webhook left by an
//! earlier run deleted first. One change: the first poll, and the first
//! after a failure, is a short one (`timeout=0`), so that a Bot API that
//! answers again is seen at once rather than at the end of a long poll.
//!
//! Owns: the `getUpdates` loop and reporting its outcomes to
//! [`Metrics`]. Must not: handle updates (the dispatcher does).

use std::collections::VecDeque;
use std::time::Duration;

use futures::stream::BoxStream;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::*;
use teloxide::stop::{mk_stop_token, StopFlag, StopToken};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use teloxide::RequestError;

use crate::metrics::Metrics;

/// How long Telegram holds a poll open when there is nothing to deliver.
const LONG_POLL_SECS: u32 = 10;
/// The longest wait before retrying a failed poll.
const BACKOFF_CAP_SECS: u64 = 64;

/// The update listener of `loket run` in long-polling mode.
pub(super) struct WatchedPolling {
    bot: Bot,
    metrics: Metrics,
    allowed_updates: Option<Vec<AllowedUpdate>>,
    token: StopToken,
    flag: Option<StopFlag>,
}

/// Deletes a webhook an earlier run set (Telegram refuses `getUpdates`
/// while one is set), then listens.
pub(super) async fn watched_polling(bot: Bot, metrics: Metrics) -> WatchedPolling {
    match bot.get_webhook_info().await {
        Ok(info) if info.url.is_some() => {
            if let Err(e) = bot.delete_webhook().await {
                tracing::error!(error = %e, "could not delete the webhook; polling anyway");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "could not read the webhook's settings"),
    }
    let (token, flag) = mk_stop_token();
    WatchedPolling {
        bot,
        metrics,
        allowed_updates: None,
        token,
        flag: Some(flag),
    }
}

impl UpdateListener for WatchedPolling {
    type Err = RequestError;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.allowed_updates = Some(hint.collect());
    }
}

impl<'a> AsUpdateStream<'a> for WatchedPolling {
    type StreamErr = RequestError;
    type Stream = BoxStream<'a, Result<Update, RequestError>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        // One stream per listener; should it be asked again, a new flag,
        // which the token handed out from then on stops.
        let flag = self.flag.take().unwrap_or_else(|| {
            let (token, flag) = mk_stop_token();
            self.token = token;
            flag
        });
        let state = Loop {
            bot: self.bot.clone(),
            metrics: self.metrics.clone(),
            allowed_updates: self.allowed_updates.clone(),
            flag,
            offset: 0,
            buffer: VecDeque::new(),
            failures: 0,
            wait: None,
            short_poll: true,
            done: false,
        };
        Box::pin(futures::stream::unfold(state, next))
    }
}

struct Loop {
    bot: Bot,
    metrics: Metrics,
    /// Sent until a poll answers; Telegram keeps them.
    allowed_updates: Option<Vec<AllowedUpdate>>,
    flag: StopFlag,
    /// The id after the last update received: confirms the ones before.
    offset: i32,
    buffer: VecDeque<Update>,
    /// Failed polls in a row (reset by one that answered).
    failures: u32,
    /// Wait this long before the next poll (after a failure).
    wait: Option<Duration>,
    /// The next poll returns at once (`timeout=0`).
    short_poll: bool,
    done: bool,
}

async fn next(mut state: Loop) -> Option<(Result<Update, RequestError>, Loop)> {
    loop {
        if let Some(update) = state.buffer.pop_front() {
            return Some((Ok(update), state));
        }
        if state.done {
            return None;
        }
        if state.flag.is_stopped() {
            // Confirms every update handed out, so a restart does not get
            // them again; answers at once.
            state.done = true;
            let confirm = state
                .bot
                .get_updates()
                .offset(state.offset)
                .limit(1)
                .timeout(0)
                .await;
            if let Err(e) = confirm {
                tracing::warn!(error = %e, "could not confirm the last updates; Telegram may send them again");
            }
            return None;
        }
        if let Some(wait) = state.wait.take() {
            let mut flag = state.flag.clone();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut flag => continue,
            }
        }
        let mut request = state
            .bot
            .get_updates()
            .offset(state.offset)
            .timeout(if state.short_poll { 0 } else { LONG_POLL_SECS });
        if let Some(allowed) = &state.allowed_updates {
            request = request.allowed_updates(allowed.clone());
        }
        let mut flag = state.flag.clone();
        let answer = tokio::select! {
            answer = request.send() => answer,
            // A stop while waiting drops the poll; the confirming call
            // above then says which updates were handled.
            () = &mut flag => continue,
        };
        match answer {
            Ok(updates) => {
                state.metrics.poll_succeeded();
                state.failures = 0;
                state.short_poll = false;
                state.allowed_updates = None;
                if let Some(last) = updates.last() {
                    state.offset = last.id.as_offset();
                }
                state.buffer.extend(updates);
            }
            Err(error) => {
                state.metrics.poll_failed();
                state.short_poll = true;
                state.wait = Some(match &error {
                    RequestError::RetryAfter(seconds) => {
                        state.failures = 0;
                        seconds.duration()
                    }
                    _ => {
                        let wait = 1u64 << state.failures.min(6);
                        state.failures = state.failures.saturating_add(1);
                        Duration::from_secs(wait.min(BACKOFF_CAP_SECS))
                    }
                });
                return Some((Err(error), state));
            }
        }
    }
}
