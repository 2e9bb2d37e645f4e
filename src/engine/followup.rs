//! The status and history commands, and what a chat is told while the
//! journal follows its calls (the journal itself is in `journal`).

use super::journal::Progress;
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

    /// Tells a call's chat what following it came to (rendered here, in
    /// the chat's language; the journal only says what happened).
    pub(super) fn announce(&self, entry: &JournalEntry, progress: Progress) {
        let lang = self.lang(entry.chat_id);
        let text = match progress {
            Progress::Final => self.result_text(lang, entry),
            Progress::GatewaySays(words) => self.say(
                lang,
                "followup-gateway-says",
                &[("ref", entry.ref_id.clone()), ("words", words)],
            ),
            Progress::GaveUp => {
                self.say(lang, "followup-gave-up", &[("ref", entry.ref_id.clone())])
            }
            Progress::Unsigned(why) => match self.unsigned_text(lang, entry, why) {
                Some(text) => text,
                None => return,
            },
        };
        self.notify(entry, text);
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
