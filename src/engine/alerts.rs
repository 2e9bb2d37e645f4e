//! The low-balance alert (`/saldo minimal 200000`): every balance a
//! gateway reports for an account — a balance call, or the balance after a
//! sale (`Saldo A - B = C`, `Sisa saldo`) — is held against the account's
//! threshold; the owner is told once when it goes under, and again only
//! after a balance at or above it was seen.

use super::shop::Right;
use super::*;
use crate::command::BalanceAlert;
use crate::money::Rupiah;
use crate::store::BalanceSeen;

impl Engine {
    pub(super) async fn balance_alert(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        command: BalanceAlert,
    ) -> Result<Response, Refusal> {
        let right = match command {
            BalanceAlert::Show => Right::Report,
            _ => Right::Manage,
        };
        let account_id = self.shop_account(ctx, right)?;
        let text = match command {
            BalanceAlert::Show => match self.inner.store.balance_watch(account_id)? {
                Some(watch) => self.text(
                    lang,
                    "balance-alert-is",
                    &[("threshold", watch.threshold.to_string())],
                ),
                None => self.text(lang, "balance-alert-none", &[]),
            },
            BalanceAlert::Set(threshold) => {
                self.inner
                    .store
                    .set_balance_watch(account_id, Some(threshold))
                    .await?;
                self.text(
                    lang,
                    "balance-alert-set",
                    &[("threshold", threshold.to_string())],
                )
            }
            BalanceAlert::Off => {
                self.inner.store.set_balance_watch(account_id, None).await?;
                self.text(lang, "balance-alert-off", &[])
            }
        };
        Ok(Response::reply(Reply::text(text)))
    }

    /// A balance the gateway reported for `account_id`: the owner is told
    /// in their private chat when it went under the alert's threshold.
    pub(super) async fn note_balance(&self, account_id: i64, balance: Rupiah) {
        match self.inner.store.balance_seen(account_id, balance).await {
            Ok(BalanceSeen::WentUnder(watch)) => {
                let lang = self.lang(account_id);
                let text = self.text(
                    lang,
                    "balance-low",
                    &[
                        ("balance", balance.to_string()),
                        ("threshold", watch.threshold.to_string()),
                    ],
                );
                let notice = Notice {
                    chat_id: account_id,
                    reply_to: None,
                    reply: Reply::text(text),
                };
                if self.inner.notices.send(notice).is_err() {
                    tracing::warn!("no front end to tell a low balance to");
                }
            }
            Ok(BalanceSeen::Quiet) => {}
            Err(e) => tracing::error!(error = %e, "cannot check the low-balance alert"),
        }
    }
}
