//! Center habits (issue 15): trades typed the way center bots take them,
//! PIN last — `T10.087712345678.1234`, `SAL.1234`,
//! `PLNPASC.546302215889.1234`. The message is deleted before anything
//! else happens (the front end asks [`Engine::holds_secret`] first); the
//! PIN is compared in constant time with the account's sealed one and
//! the trade runs without it. A PIN-shaped last part that is not the
//! account's PIN (an old one, a typo) sends nothing. The counter form
//! (`T10.2.087712345678`) answers the duplicate question in advance.
//!
//! The trade itself is read by [`command::parse`] like any message: one
//! command table, no second parser.

use subtle::ConstantTimeEq;

use super::*;
use crate::command::CenterForm;

impl Engine {
    pub(super) async fn center_habit(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        form: CenterForm,
    ) -> Result<Response, Refusal> {
        let Some(pin) = form.pin else {
            // The counter alone: a message like any other otherwise.
            return self.center_trade(ctx, lang, &form.body, form.again).await;
        };
        let access = self.access(ctx, true);
        let matches = access
            .as_ref()
            .is_ok_and(|access| same_pin(access.creds.pin.expose(), pin.expose()));
        drop(pin);
        let mut notes = Vec::new();
        let mut response = if matches {
            notes.push(self.text(lang, "pin-removed", &[("typed", form.body.clone())]));
            self.center_trade(ctx, lang, &form.body, form.again)
                .await
                .unwrap_or_else(|refusal| self.refusal_response(ctx, lang, refusal))
        } else {
            notes.push(self.text(lang, "pin-not-needed", &[]));
            match access {
                // Not logged in, not allowed here: say that too.
                Err(refusal) => self.refusal_response(ctx, lang, refusal),
                Ok(_) => Response::silent(),
            }
        };
        if ctx.kind == ChatKind::Group {
            notes.push(self.text(lang, "pin-group-reminder", &[]));
        }
        let notes = Reply::text(notes.join("\n"));
        response.replies.insert(0, notes);
        response.delete_input = true;
        Ok(response)
    }

    /// The trade of a center form, read like any typed message.
    async fn center_trade(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        body: &str,
        again: bool,
    ) -> Result<Response, Refusal> {
        match command::parse(body, &self.inner.catalog)? {
            Command::Topup(target) => self.topup_asking(ctx, lang, target, !again).await,
            command => self.run(ctx, lang, command).await,
        }
    }
}

/// Whether a typed PIN is the account's, in time that does not depend on
/// where they differ.
fn same_pin(account: &str, typed: &str) -> bool {
    account.as_bytes().ct_eq(typed.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::same_pin;

    #[test]
    fn a_pin_matches_only_itself() {
        for (account, typed, same) in [
            ("1234", "1234", true),
            ("1234", "1235", false),
            ("1234", "12345", false),
            ("123456", "1234", false),
            ("", "", true),
        ] {
            assert_eq!(same_pin(account, typed), same, "{account} {typed}");
        }
    }
}
