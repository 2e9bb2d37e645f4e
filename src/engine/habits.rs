//! Center habits (issue 15): trades typed the way center bots take them,
//! PIN last — `T10.087712345678.1234`, `SAL.1234`,
//! `PLNPASC.546302215889.1234`. A message that holds the account's PIN
//! (as a part of a dot form, or the last word), or a PIN-shaped last part
//! after a trade (an old PIN), is deleted before anything else happens:
//! the front end asks [`Engine::holds_secret`] first.
//!
//! Then, only where the PIN is the typist's own — a private chat, or the
//! account's owner in its group — the PIN is compared (constant time, on
//! digests, so neither its digits nor its length show) and with the right
//! one the trade runs without it. Anyone else gets the same answer for a
//! right and a wrong PIN, and nothing is sent: a group member cannot try
//! PINs. The counter form (`T10.2.087712345678`) answers the duplicate
//! question in advance, for that many topups.
//!
//! The trade itself is read by [`command::parse`] like any message: one
//! command table, no second parser.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::*;
use crate::command::CenterForm;

impl Engine {
    /// The center form a message is, if any: first by the account's PIN
    /// (the chat's account, whoever typed), then by shape alone.
    pub(super) fn center_form_of(&self, ctx: &ChatCtx, text: &str) -> Option<CenterForm> {
        let pin = self.access(ctx, false).ok().map(|a| a.creds.pin);
        if let Some(pin) = pin.filter(|p| !p.expose().is_empty()) {
            if let Some(form) = command::pin_form(text, |part| same_pin(pin.expose(), part)) {
                return Some(form);
            }
        }
        command::center_form(text, &self.inner.catalog)
    }

    pub(super) async fn center_habit(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        form: CenterForm,
    ) -> Result<Response, Refusal> {
        let Some(pin) = form.pin else {
            // The counter alone: a message like any other otherwise.
            return self.center_trade(ctx, lang, &form.body, form.counter).await;
        };
        let access = self.access(ctx, true);
        // Compared only where the PIN is the typist's own.
        let own = match (&access, ctx.kind) {
            (Ok(_), ChatKind::Private) => true,
            (Ok(access), ChatKind::Group) => access.account_id == ctx.user_id,
            (Err(_), _) => false,
        };
        let matches = own
            && access
                .as_ref()
                .is_ok_and(|access| same_pin(access.creds.pin.expose(), pin.expose()));
        let parsed = command::parse(&form.body, &self.inner.catalog);
        let mut notes = Vec::new();
        let mut response = if matches {
            let hint = parsed.as_ref().ok().and_then(|c| self.typed_form(c));
            notes.push(match hint {
                Some(typed) => self.text(lang, "pin-removed", &[("typed", typed)]),
                None => self.text(lang, "pin-removed-plain", &[]),
            });
            self.center_trade(ctx, lang, &form.body, form.counter)
                .await
                .unwrap_or_else(|refusal| self.refusal_response(ctx, lang, refusal))
        } else {
            notes.push(self.text(lang, "pin-not-needed", &[]));
            match (&access, ctx.kind) {
                // Not logged in: say so.
                (Err(refusal), ChatKind::Private) => {
                    let refusal = match refusal {
                        Refusal::Message(id, args) => Refusal::Message(id, args.clone()),
                        Refusal::Store(_) => refuse("err-internal"),
                    };
                    self.refusal_response(ctx, lang, refusal)
                }
                // A group loket does not serve: the message goes, quietly.
                (Err(_), ChatKind::Group) if self.linked_group(ctx.chat_id).is_err() => {
                    return Ok(Response {
                        delete_input: true,
                        ..Response::default()
                    });
                }
                _ => Response::silent(),
            }
        };
        if ctx.kind == ChatKind::Group {
            notes.push(self.text(lang, "pin-group-reminder", &[]));
        }
        response.replies.insert(0, Reply::text(notes.join("\n")));
        response.delete_input = true;
        Ok(response)
    }

    /// The trade of a center form, read like any typed message.
    async fn center_trade(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        body: &str,
        counter: Option<u8>,
    ) -> Result<Response, Refusal> {
        match command::parse(body, &self.inner.catalog)? {
            Command::Topup(target) => self.topup_asking(ctx, lang, target, counter).await,
            command => self.run(ctx, lang, command).await,
        }
    }

    /// How loket takes a trade without the PIN, for the note that says so
    /// (from the command read, never from the typed text).
    fn typed_form(&self, command: &Command) -> Option<String> {
        Some(match command {
            Command::Topup(target) => format!("{} {}", target.product, target.dest),
            Command::Inquiry(bill) => self.check_example(&bill.target.product, &bill.target.dest),
            Command::Pay(bill) => {
                let check = self.check_example(&bill.target.product, &bill.target.dest);
                format!("{} bayar", check.trim_end_matches(" cek"))
            }
            Command::Balance => "saldo".into(),
            Command::Status { ref_id } => format!("status {ref_id}"),
            _ => return None,
        })
    }
}

/// Whether a typed PIN is the account's: their SHA-256 digests compared in
/// constant time, so where they differ and how long the PIN is never
/// shows in the time taken. An empty PIN matches nothing.
fn same_pin(account: &str, typed: &str) -> bool {
    if account.is_empty() || typed.is_empty() {
        return false;
    }
    let (a, t) = (Sha256::digest(account), Sha256::digest(typed));
    a.ct_eq(&t).into()
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
            ("", "", false),
            ("1234", "", false),
        ] {
            assert_eq!(same_pin(account, typed), same, "{account} {typed}");
        }
    }
}
