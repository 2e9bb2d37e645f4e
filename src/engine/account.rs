//! Login (one line or step by step), logout, the account view, language
//! and group links.

use super::*;

impl Engine {
    // ---- language and account ----

    pub(super) async fn language(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        choice: Option<Lang>,
    ) -> Result<Response, Refusal> {
        let Some(new) = choice else {
            return Ok(Response::reply(Reply::text(self.text(
                lang,
                "language-usage",
                &[],
            ))));
        };
        self.inner.store.set_lang(ctx.chat_id, new).await?;
        Ok(Response::reply(Reply::text(self.text(
            new,
            "language-set",
            &[],
        ))))
    }

    /// The step-by-step logins in progress (memory only: they hold secrets).
    pub(super) fn drafts(&self) -> std::sync::MutexGuard<'_, HashMap<i64, LoginDraft>> {
        self.inner.drafts.lock().expect("drafts lock")
    }

    /// The chat's step-by-step login, unless its last question is older
    /// than `login_dialog_ttl`. Expired dialogs, with the PINs they hold,
    /// are forgotten here.
    pub(super) fn live_draft(&self, chat_id: i64) -> Option<LoginDraft> {
        let ttl = self.inner.config.login_dialog_ttl;
        let mut drafts = self.drafts();
        let now = self.now();
        drafts.retain(|_, draft| !older_than(draft.asked_at, now, ttl));
        drafts.get(&chat_id).cloned()
    }

    /// Counts a login try; false when the chat has tried too often lately.
    pub(super) fn login_allowed(&self, chat_id: i64) -> bool {
        let mut tries = self.inner.login_tries.lock().expect("login tries lock");
        let window = self.inner.config.login_window;
        let recent = tries.entry(chat_id).or_default();
        let now = self.now();
        recent.retain(|t| !older_than(*t, now, window));
        if recent.len() >= self.inner.config.login_attempts {
            return false;
        }
        recent.push(now);
        true
    }

    pub(super) async fn login(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        login: Login,
    ) -> Result<Response, Refusal> {
        let holds_secret = matches!(login, Login::Full { .. });
        if ctx.kind == ChatKind::Group {
            return Ok(Response {
                replies: vec![Reply::text(self.text(lang, "login-group-refused", &[]))],
                delete_input: holds_secret,
                ..Response::default()
            });
        }
        match login {
            Login::StepByStep => {
                self.drafts().insert(
                    ctx.chat_id,
                    LoginDraft {
                        member_id: None,
                        pin: None,
                        asked_at: self.now(),
                    },
                );
                Ok(Response::reply(Reply::text(self.text(
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
            } => Ok(self
                .finish_login(ctx, lang, member_id, pin, api_key, base_url)
                .await),
        }
    }

    /// The next answer of a step-by-step login. Every answer is treated
    /// as secret and deleted. At the first question, three or four words
    /// are the whole login (`MEMBERID PIN APIKEY [URL]`).
    pub(super) async fn continue_login(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        text: &str,
    ) -> Result<Response, Refusal> {
        let Some(draft) = self.live_draft(ctx.chat_id) else {
            return Ok(Response::silent());
        };
        let deleted = |id: &'static str| Response {
            replies: vec![Reply::text(self.text(lang, id, &[]))],
            delete_input: true,
            ..Response::default()
        };
        let ask = |member_id: String, pin: Option<Secret>| {
            self.drafts().insert(
                ctx.chat_id,
                LoginDraft {
                    member_id: Some(member_id),
                    pin,
                    asked_at: self.now(),
                },
            );
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        let one_word = match words.as_slice() {
            [word] if word.len() <= 128 => Some((*word).to_string()),
            _ => None,
        };
        match (draft.member_id, draft.pin, one_word) {
            (None, _, Some(member_id)) => {
                if !valid_member_id(&member_id) {
                    return Ok(deleted("login-bad-member"));
                }
                ask(member_id, None);
                Ok(deleted("login-ask-pin"))
            }
            (None, _, None) => match words.as_slice() {
                [member_id, pin, api_key] | [member_id, pin, api_key, _] => {
                    self.drafts().remove(&ctx.chat_id);
                    let base_url = words.get(3).map(|u| (*u).to_string());
                    Ok(self
                        .finish_login(
                            ctx,
                            lang,
                            (*member_id).to_string(),
                            Secret::new(*pin),
                            Secret::new(*api_key),
                            base_url,
                        )
                        .await)
                }
                _ => Ok(deleted("login-member-usage")),
            },
            (Some(member_id), None, Some(pin)) => {
                ask(member_id, Some(Secret::new(pin)));
                Ok(deleted("login-ask-key"))
            }
            (Some(member_id), Some(pin), Some(api_key)) => {
                self.drafts().remove(&ctx.chat_id);
                Ok(self
                    .finish_login(ctx, lang, member_id, pin, Secret::new(api_key), None)
                    .await)
            }
            (Some(_), _, None) => Ok(deleted("login-one-word")),
        }
    }

    /// Ends a login, whatever its outcome, by deleting the message that
    /// held the last secret.
    pub(super) async fn finish_login(
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

    pub(super) async fn check_and_save_login(
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
        if !valid_member_id(&member_id) {
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
                self.inner.store.save_account(ctx.chat_id, &creds).await?;
                self.resume_account(ctx.chat_id);
                let text = self.text(
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
        self.inner.store.save_account(ctx.chat_id, &creds).await?;
        self.resume_account(ctx.chat_id);
        Ok(Response::reply(Reply::text(self.text(
            lang,
            id,
            &[("member", creds.member_id)],
        ))))
    }

    /// The balance call a login is checked with; `None` when the gateway
    /// could not be reached or answered with an HTTP error.
    pub(super) async fn login_balance(&self, creds: &Credentials) -> Option<BalanceReply> {
        let creds = self.resolve(creds.clone());
        let body = self
            .gateway_read(&creds, &balance_request(&creds))
            .await
            .ok()?;
        Some(self.inner.reader.balance(&body))
    }

    pub(super) async fn logout(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        if ctx.kind == ChatKind::Group {
            return Err(refuse("private-only"));
        }
        self.drafts().remove(&ctx.chat_id);
        let removed = self.inner.store.remove_account(ctx.chat_id).await?;
        Ok(Response::reply(Reply::text(self.text(
            lang,
            if removed { "logout-ok" } else { "logout-none" },
            &[],
        ))))
    }

    /// `/akun`: the member ID, the gateway URL (a password in it masked)
    /// and a masked key, to the account's owner in private only. In a
    /// group it shows nothing of the account, whoever asks.
    pub(super) fn account(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        if ctx.kind == ChatKind::Group {
            return Err(refuse("account-private-only"));
        }
        let (creds, id) = match self.inner.store.account(ctx.chat_id)? {
            Some(creds) => (self.resolve(creds), "account"),
            None => match &self.inner.config.default_account {
                Some(creds) => (creds.clone(), "account-demo"),
                None => return Err(refuse("need-login")),
            },
        };
        Ok(Response::reply(Reply::text(self.text(
            lang,
            id,
            &[
                ("member", creds.member_id.clone()),
                ("url", shown_url(&creds.base_url)),
                ("key", creds.api_key.masked()),
            ],
        ))))
    }

    // ---- groups ----

    pub(super) async fn link(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
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
        self.inner
            .store
            .set_group(
                ctx.chat_id,
                &GroupLink {
                    owner: ctx.user_id,
                    allowed: Vec::new(),
                },
            )
            .await?;
        Ok(Response::reply(Reply::text(self.text(
            lang,
            "link-ok",
            &[],
        ))))
    }

    pub(super) fn owned_group(&self, ctx: &ChatCtx) -> Result<GroupLink, Refusal> {
        if ctx.kind != ChatKind::Group {
            return Err(refuse("group-only"));
        }
        let link = self.linked_group(ctx.chat_id)?;
        if link.owner != ctx.user_id {
            return Err(refuse("owner-only"));
        }
        Ok(link)
    }

    pub(super) async fn unlink(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        self.owned_group(ctx)?;
        self.inner.store.remove_group(ctx.chat_id).await?;
        Ok(Response::reply(Reply::text(self.text(
            lang,
            "unlink-ok",
            &[],
        ))))
    }

    pub(super) async fn allow(
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
        self.inner.store.set_group(ctx.chat_id, &link).await?;
        Ok(Response::reply(Reply::text(self.text(
            lang,
            if allow { "allow-ok" } else { "revoke-ok" },
            &[("user", user.to_string())],
        ))))
    }
}

/// 1–32 of `[A-Za-z0-9_-]`.
fn valid_member_id(member_id: &str) -> bool {
    (1..=32).contains(&member_id.len())
        && member_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `https://h2h.example.co.id/` → `https://h2h.example.co.id`; only http(s).
pub fn normalize_base_url(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
    {
        return None;
    }
    Some(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
