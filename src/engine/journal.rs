//! The journal around every money call: an entry is written before the
//! call is sent, the answer is read for that very call, an unfinished call
//! is followed (status checks with backoff, resends only under its own
//! refID) to its end; a bill's payment is as settled as its entry.
//!
//! Owns: begin (`new_entry`, then `begin` for a topup or `claim` for a
//! bill's payment), `send`, `check` (with `record_check`), `follow`, and a
//! bill's state from its payment (`inquiry_state`). Needs no chat and
//! renders no text: what the chat should hear is handed to
//! `Engine::announce` as a [`Progress`].

use super::*;
use crate::metrics::{CallKind, CallState};
use crate::store::Recorded;

/// What following a call has to tell the chat that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Progress {
    /// The call reached a final state (the entry holds it).
    Final,
    /// The gateway answered the check with words loket cannot call final
    /// (a refusal of the check, a failure that is no outcome): shown once.
    GatewaySays(String),
    /// Followed for the whole window without a final answer.
    GaveUp,
    /// Its account cannot sign a check now.
    Unsigned(Unsigned),
}

impl Engine {
    pub(super) fn new_entry(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        kind: EntryKind,
        target: &Target,
        ref_id: String,
    ) -> JournalEntry {
        let mut entry = JournalEntry::new(
            ref_id,
            kind,
            target.product.clone(),
            target.dest.clone(),
            ctx.chat_id,
            ctx.user_id,
            access.account_id,
            access.creds.member_id.clone(),
            journal_url(&access.creds.base_url),
            ctx.message_id,
            self.now(),
        );
        // Priced now: a rule changed later never rewrites this sale.
        entry.pricing = self.pricing_for(access.account_id, &target.product);
        entry
    }

    /// Writes a topup's entry before it is sent; false when its refID is
    /// already journaled (a refID never serves two intents).
    pub(super) async fn begin(&self, entry: &JournalEntry) -> Result<bool, StoreError> {
        self.inner.store.begin_entry(entry).await
    }

    /// Claims a bill for payment and writes the payment's entry, in one
    /// step: only the first claim of an open, newest, settled bill goes
    /// through (`Claim` says why another did not).
    pub(super) async fn claim(
        &self,
        entry: &JournalEntry,
        paid_since: Option<DateTime<Utc>>,
    ) -> Result<Claim, StoreError> {
        self.inner.store.claim_payment(entry, paid_since).await
    }

    /// Sends a journaled call (already written as `Sending`), records what
    /// came back and, unless it is final, follows it in the background.
    pub(super) async fn send(&self, creds: &Credentials, entry: JournalEntry) -> JournalEntry {
        let entry = self.send_journaled(creds, entry).await;
        if !entry.state.is_final() {
            self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
        }
        entry
    }

    /// One send of a journaled call under its own refID. Anything but a
    /// readable SUKSES/GAGAL/PENDING leaves it `Unknown`: a timeout, a
    /// broken connection or a 5xx may still have been charged.
    pub(super) async fn send_journaled(
        &self,
        creds: &Credentials,
        mut entry: JournalEntry,
    ) -> JournalEntry {
        let request = transaction_request(
            creds,
            entry.kind.operation(),
            &entry.product,
            &entry.dest,
            &entry.ref_id,
        );
        entry.sends += 1;
        entry.state = match self.gateway_send(creds, &request).await {
            Ok(body) => {
                let reply = self.inner.reader.read(&call_of(&entry), &body);
                let phase = Phase::Send {
                    resend: entry.sends > 1,
                };
                let verdict = self.inner.reader.verdict(
                    money_call(entry.kind),
                    phase,
                    &call_of(&entry),
                    &reply,
                );
                absorb_reply(&mut entry, &reply);
                // The balance after this sale, when the answer is about it.
                if let (Some(balance), About::ThisCall) =
                    (reply.balance, reply.about(&call_of(&entry)))
                {
                    self.note_balance(entry.account_id, balance).await;
                }
                match (verdict, final_state(verdict)) {
                    (_, Some(state)) => state,
                    (Verdict::Pending, None) => EntryState::Pending,
                    // A reply not about this call, a refusal that gives no
                    // verdict on an earlier send of this refID, an
                    // inquiry's line for a payment: it may have been
                    // charged, so it is followed up.
                    _ => EntryState::Unknown,
                }
            }
            Err(error) => {
                tracing::warn!(ref_id = %entry.ref_id, %error, "money call has no readable answer; following it up");
                EntryState::Unknown
            }
        };
        entry.updated_at = self.now();
        match self.inner.store.record_answer(&entry) {
            Ok(recorded) => entry = self.settled(recorded),
            Err(e) => {
                tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record a money call's result")
            }
        }
        entry
    }

    /// Records what a status check said. A final verdict is written, and
    /// when the journal held another final state it is corrected, the old
    /// one kept in the entry's history. Anything else only counts the check
    /// (and turns `Sending` into `Unknown`). Settles the bill of a payment.
    pub(super) async fn record_check(
        &self,
        mut entry: JournalEntry,
        verdict: Verdict,
        answer: Result<&GatewayReply, &CallError>,
    ) -> Result<JournalEntry, StoreError> {
        entry.checks += 1;
        let reply = answer.ok();
        match final_state(verdict) {
            Some(state) if state != entry.state => {
                if entry.state.is_final() {
                    entry.history.push(EntryEvent {
                        at: entry.updated_at,
                        state: entry.state,
                        cost: entry.cost,
                        sn: entry.sn.clone(),
                        reason: entry.reason.clone(),
                        raw_reply: entry.raw_reply.clone(),
                    });
                    tracing::warn!(ref_id = %entry.ref_id, from = ?entry.state, to = ?state, "the gateway corrected a final result");
                }
                entry.state = state;
            }
            Some(_) => {}
            None if entry.state == EntryState::Sending => entry.state = EntryState::Unknown,
            None => {}
        }
        if let Some(reply) = reply {
            if verdict != Verdict::NoVerdict || !entry.state.is_final() {
                absorb_reply(&mut entry, reply);
            }
        }
        entry.updated_at = self.now();
        let recorded = self.inner.store.update_entry(&entry).await?;
        Ok(self.settled(recorded))
    }

    /// Counts a money call once, when its entry turns final.
    fn settled(&self, recorded: Recorded) -> JournalEntry {
        let entry = recorded.entry;
        if recorded.settled {
            let kind = match entry.kind {
                EntryKind::Topup => CallKind::Topup,
                EntryKind::Payment => CallKind::Payment,
            };
            let state = match entry.state {
                EntryState::Success => CallState::Success,
                _ => CallState::Failed,
            };
            self.metrics().call(kind, state);
        }
        entry
    }

    /// Starts following `ref_id` unless it is already followed.
    pub(super) fn follow(&self, ref_id: String, first_wait: Duration) {
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

    pub(super) async fn follow_loop(&self, ref_id: &str, first_wait: Duration) {
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
            let expired = older_than(entry.created_at, self.now(), config.follow_for);
            let creds = match self.creds_of(&entry) {
                Ok(creds) => creds,
                Err(why) => {
                    self.tell_unsigned(entry, why).await;
                    return;
                }
            };
            // Signed again: a later logout is told again.
            entry.unsigned_told = false;
            let (verdict, answer) = self.check(&creds, &entry).await;
            // Past the window a call is never resent: that could land days
            // after the user gave up.
            if verdict == Verdict::NotRecorded && !expired && entry.sends < config.max_sends {
                // The gateway never saw it: send again under the SAME refID
                // (the gateway's idempotency key).
                tracing::info!(
                    ref_id,
                    sends = entry.sends,
                    "gateway has no record; resending with the same refID"
                );
                entry.checks += 1;
                let entry = self.send_journaled(&creds, entry).await;
                if entry.state.is_final() {
                    self.announce(&entry, Progress::Final);
                    return;
                }
                continue;
            }
            let entry = match self.record_check(entry, verdict, answer.as_ref()).await {
                Ok(entry) => entry,
                Err(e) => {
                    tracing::error!(error = %e, ref_id, "cannot record a status check");
                    continue;
                }
            };
            if entry.state.is_final() {
                self.announce(&entry, Progress::Final);
                return;
            }
            if let Ok(reply) = &answer {
                self.show_refusal(entry.clone(), reply).await;
            }
            if expired {
                // That was the last check: over to a human. Off the list
                // of unfinished calls, so a restart does not say this
                // again; `status REFID` still checks it.
                if let Err(e) = self.inner.store.stop_following(ref_id).await {
                    tracing::error!(error = %e, ref_id, "cannot stop following an entry");
                }
                self.metrics().followup_given_up();
                self.announce(&entry, Progress::GaveUp);
                return;
            }
        }
    }

    /// An unfinished call whose account cannot sign a check now: the chat
    /// is told once what to do; logging in again resumes it at once.
    async fn tell_unsigned(&self, mut entry: JournalEntry, why: Unsigned) {
        tracing::warn!(ref_id = %entry.ref_id, reason = ?why, "an unfinished call waits for its account to log in again");
        if entry.unsigned_told || why == Unsigned::StoreError {
            return;
        }
        self.announce(&entry, Progress::Unsigned(why));
        entry.unsigned_told = true;
        if let Err(e) = self.inner.store.update_entry(&entry).await {
            tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record that the chat was told");
        }
    }

    /// A status check answered with a refusal or a failure loket cannot
    /// call final: the chat is shown the gateway's words once (again only
    /// when they change), and the follow-up goes on.
    async fn show_refusal(&self, mut entry: JournalEntry, reply: &GatewayReply) {
        let readable = reply.status == TxStatus::Failed
            && !reply.is_not_found()
            && reply.about(&call_of(&entry)) != About::OtherCall;
        let words = gateway_words(&reply.raw);
        if !readable || entry.shown.as_deref() == Some(words.as_str()) {
            return;
        }
        self.announce(&entry, Progress::GatewaySays(words.clone()));
        entry.shown = Some(words);
        if let Err(e) = self.inner.store.update_entry(&entry).await {
            tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record shown words");
        }
    }

    /// Where an inquiry is in its one-payment life. Paid or failed is not
    /// stored twice: a claimed inquiry is as settled as the journal entry
    /// of its payment (same refID), so a corrected entry corrects the
    /// bill too.
    pub(super) fn inquiry_state(&self, inquiry: &Inquiry) -> Result<InquiryState, StoreError> {
        if inquiry.state != InquiryState::Paying {
            return Ok(inquiry.state);
        }
        Ok(
            match self.inner.store.entry(&inquiry.ref_id)?.map(|e| e.state) {
                Some(EntryState::Success) => InquiryState::Paid,
                Some(EntryState::Failed) => InquiryState::Failed,
                _ => InquiryState::Paying,
            },
        )
    }

    /// Asks the gateway about a journaled call (`cek=1`, same refID,
    /// product and dest) and reads the answer for that kind of call.
    pub(super) async fn check(
        &self,
        creds: &Credentials,
        entry: &JournalEntry,
    ) -> (Verdict, Result<GatewayReply, CallError>) {
        let request = transaction_request(
            creds,
            Operation::Status,
            &entry.product,
            &entry.dest,
            &entry.ref_id,
        );
        match self.gateway_read(creds, &request).await {
            Ok(body) => {
                let reply = self.inner.reader.read(&call_of(entry), &body);
                let verdict = self.inner.reader.verdict(
                    money_call(entry.kind),
                    Phase::Check,
                    &call_of(entry),
                    &reply,
                );
                (verdict, Ok(reply))
            }
            Err(error) => (Verdict::NoVerdict, Err(error)),
        }
    }
}

/// The journal state a final verdict means.
pub(super) fn final_state(verdict: Verdict) -> Option<EntryState> {
    match verdict {
        Verdict::Success => Some(EntryState::Success),
        Verdict::Failed => Some(EntryState::Failed),
        Verdict::Pending | Verdict::NotRecorded | Verdict::NoVerdict => None,
    }
}

/// Copies what a reply tells about a call into its journal entry: fields
/// only from a reply about this very call (a bare refusal gives its
/// reason); the raw text always, for the journal and the chat.
pub(super) fn absorb_reply(entry: &mut JournalEntry, reply: &GatewayReply) {
    match reply.about(&call_of(entry)) {
        About::ThisCall => {
            if reply.cost.is_some() {
                entry.cost = reply.cost;
            }
            if reply.sn.is_some() {
                entry.sn = reply.sn.clone();
            }
            entry.reason = reply.reason.clone();
        }
        About::Unanchored if reply.is_bare() => entry.reason = reply.reason.clone(),
        About::Unanchored | About::OtherCall => {}
    }
    entry.raw_reply = Some(reply.raw.chars().take(2048).collect());
}
