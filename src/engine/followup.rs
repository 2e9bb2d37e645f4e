//! The status command and the follow-up of calls whose outcome is not
//! known yet: status checks with backoff, same-refID resends, results
//! posted to the chat.

use super::*;

impl Engine {
    // ---- status and history ----

    pub(super) async fn status(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        ref_id: &str,
    ) -> Result<Response, Refusal> {
        // No account needed: the chat's own journal is shown even when its
        // account logged out (and says why the gateway is not asked).
        // loket mints refIDs in upper case; `status lmwx8i…` is the same.
        let ref_id = &ref_id.to_ascii_uppercase();
        let entry = self
            .inner
            .store
            .entry(ref_id)?
            .filter(|e| e.chat_id == ctx.chat_id);
        let Some(entry) = entry else {
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
        // Always ask the gateway: a wrong verdict in the journal can only
        // be corrected by its answer.
        let creds = match self.creds_of(&entry) {
            Ok(creds) => creds,
            Err(why) => {
                let mut text = self.result_text(lang, &entry);
                if let Some(told) = self.unsigned_text(lang, &entry, why) {
                    text = format!("{text}\n\n{told}");
                }
                return Ok(Response::reply(Reply::text(text)));
            }
        };
        let before = entry.state;
        let (verdict, answer) = self.check_status(&creds, &entry).await;
        let entry = self.record_check(entry, verdict, answer.as_ref()).await?;
        if !entry.state.is_final() {
            self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
        }
        let mut parts = Vec::new();
        if before.is_final() && entry.state != before {
            parts.push(self.correction_text(lang, &entry, before));
        }
        parts.push(self.result_text(lang, &entry));
        parts.push(match &answer {
            Ok(reply) => self.say(
                lang,
                "status-gateway-says",
                &[("words", gateway_words(&reply.raw))],
            ),
            Err(error) => self.call_error_text(lang, error),
        });
        Ok(Response::reply(Reply::text(parts.join("\n\n"))))
    }

    /// "The gateway now says SUKSES: Rp10.880 was charged", for an entry
    /// whose final state a later answer changed.
    fn correction_text(&self, lang: Lang, entry: &JournalEntry, before: EntryState) -> String {
        let mut text = self.say(
            lang,
            "status-corrected",
            &[
                ("ref", entry.ref_id.clone()),
                ("state", self.state_word(lang, entry.state)),
                ("before", self.state_word(lang, before)),
            ],
        );
        if let (EntryState::Success, Some(price)) = (entry.state, entry.price) {
            text.push('\n');
            text.push_str(&self.say(
                lang,
                "status-corrected-charged",
                &[("price", price.to_string())],
            ));
        }
        text
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
                        price: entry.price,
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
        entry.updated_at = Utc::now();
        let entry = self.inner.store.update_entry(&entry).await?;
        self.settle_inquiry(&entry).await;
        Ok(entry)
    }

    pub(super) fn history(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
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
                        ("time", crate::wib::day_and_time(e.created_at)),
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

    // ---- follow-up of unfinished calls ----

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
            let expired = Utc::now()
                .signed_duration_since(entry.created_at)
                .to_std()
                .is_ok_and(|age| age > config.follow_for);
            let creds = match self.creds_of(&entry) {
                Ok(creds) => creds,
                Err(why) => {
                    self.tell_unsigned(entry, why).await;
                    return;
                }
            };
            // Signed again: a later logout is told again.
            entry.unsigned_told = false;
            let (verdict, answer) = self.check_status(&creds, &entry).await;
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
                    let lang = self.lang(entry.chat_id);
                    self.notify(&entry, self.result_text(lang, &entry));
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
            let lang = self.lang(entry.chat_id);
            if entry.state.is_final() {
                self.notify(&entry, self.result_text(lang, &entry));
                return;
            }
            if let Ok(reply) = &answer {
                self.show_refusal(lang, entry.clone(), reply).await;
            }
            if expired {
                // That was the last check: over to a human. Off the list
                // of unfinished calls, so a restart does not say this
                // again; `status REFID` still checks it.
                if let Err(e) = self.inner.store.stop_following(ref_id).await {
                    tracing::error!(error = %e, ref_id, "cannot stop following an entry");
                }
                self.notify(
                    &entry,
                    self.say(lang, "followup-gave-up", &[("ref", entry.ref_id.clone())]),
                );
                return;
            }
        }
    }

    /// An unfinished call whose account cannot sign a check now: the chat
    /// is told once what to do; logging in again resumes it at once.
    async fn tell_unsigned(&self, mut entry: JournalEntry, why: Unsigned) {
        tracing::warn!(ref_id = %entry.ref_id, reason = ?why, "an unfinished call waits for its account to log in again");
        if entry.unsigned_told {
            return;
        }
        let lang = self.lang(entry.chat_id);
        let Some(text) = self.unsigned_text(lang, &entry, why) else {
            return;
        };
        self.notify(&entry, text);
        entry.unsigned_told = true;
        if let Err(e) = self.inner.store.update_entry(&entry).await {
            tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record that the chat was told");
        }
    }

    /// What to do so an unfinished call can be checked again.
    pub(super) fn unsigned_text(
        &self,
        lang: Lang,
        entry: &JournalEntry,
        why: Unsigned,
    ) -> Option<String> {
        let id = match why {
            Unsigned::LoggedOut => "unsigned-logged-out",
            Unsigned::OtherMember => "unsigned-other-member",
            Unsigned::OtherGateway => "unsigned-other-gateway",
            Unsigned::StoreError => return None,
        };
        Some(self.say(
            lang,
            id,
            &[
                ("ref", entry.ref_id.clone()),
                ("member", entry.member_id.clone()),
                ("gateway", entry.gateway.clone()),
            ],
        ))
    }

    /// A status check answered with a refusal or a failure loket cannot
    /// call final: the chat is shown the gateway's words once (again only
    /// when they change), and the follow-up goes on.
    async fn show_refusal(&self, lang: Lang, mut entry: JournalEntry, reply: &GatewayReply) {
        let readable = reply.status == TxStatus::Failed
            && !reply.is_not_found()
            && reply.about(&call_of(&entry)) != About::OtherCall;
        let words = gateway_words(&reply.raw);
        if !readable || entry.shown.as_deref() == Some(words.as_str()) {
            return;
        }
        self.notify(
            &entry,
            self.say(
                lang,
                "followup-gateway-says",
                &[("ref", entry.ref_id.clone()), ("words", words.clone())],
            ),
        );
        entry.shown = Some(words);
        if let Err(e) = self.inner.store.update_entry(&entry).await {
            tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record shown words");
        }
    }

    /// Asks the gateway about a journaled call (`cek=1`, same refID,
    /// product and dest) and reads the answer for that kind of call.
    pub(super) async fn check_status(
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
        match self.inner.client.read(&request).await {
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

    pub(super) fn notify(&self, entry: &JournalEntry, text: String) {
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
            if reply.price.is_some() {
                entry.price = reply.price;
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
