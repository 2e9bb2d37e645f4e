//! Login (one line or step by step), logout, the account view, language
//! and group links.

use super::*;

impl Engine {
    // ---- language and account ----

    pub(super) fn language(
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
    pub(super) fn drafts(&self) -> std::sync::MutexGuard<'_, HashMap<i64, LoginDraft>> {
        self.inner.drafts.lock().expect("drafts lock")
    }

    pub(super) fn has_draft(&self, chat_id: i64) -> bool {
        self.drafts().contains_key(&chat_id)
    }

    /// Counts a login try; false when the chat has tried too often lately.
    pub(super) fn login_allowed(&self, chat_id: i64) -> bool {
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

    pub(super) async fn login(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        login: Login,
    ) -> Result<Response, Refusal> {
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

    pub(super) async fn continue_login(
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
                self.resume_account(ctx.chat_id);
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
        self.resume_account(ctx.chat_id);
        Ok(Response::reply(Reply::text(self.say(
            lang,
            id,
            &[("member", creds.member_id)],
        ))))
    }

    /// The balance call a login is checked with; `None` when the gateway
    /// could not be reached or answered with an HTTP error.
    pub(super) async fn login_balance(&self, creds: &Credentials) -> Option<BalanceReply> {
        let body = self
            .inner
            .client
            .read(&balance_request(&self.resolve(creds.clone())))
            .await
            .ok()?;
        Some(self.inner.reader.balance(&body))
    }

    pub(super) fn logout(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
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

    pub(super) fn account(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
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

    pub(super) fn link(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
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

    pub(super) fn owned_group(&self, ctx: &ChatCtx) -> Result<GroupLink, Refusal> {
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

    pub(super) fn unlink(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        self.owned_group(ctx)?;
        self.inner.store.remove_group(ctx.chat_id)?;
        Ok(Response::reply(Reply::text(self.say(
            lang,
            "unlink-ok",
            &[],
        ))))
    }

    pub(super) fn allow(
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
