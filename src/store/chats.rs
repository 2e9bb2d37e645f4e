//! What is kept per chat: its language, its "send again?" questions, and
//! its move to a new id when a group becomes a supergroup (which carries
//! every other group's records along).

use super::{be, decode, encode, rewrite, Store, StoreResult};
use crate::command::Lang;
use crate::model::PendingConfirmation;

#[derive(Clone)]
pub(super) struct Chats {
    /// chat id → language code.
    langs: sled::Tree,
    /// refID → [`PendingConfirmation`] (the `confirmations` tree).
    confirmations: sled::Tree,
}

impl Chats {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Chats> {
        Ok(Chats {
            langs: db.open_tree("langs")?,
            confirmations: db.open_tree("confirmations")?,
        })
    }

    fn move_lang(&self, from: i64, to: i64) -> StoreResult<()> {
        if let Some(value) = self.langs.remove(be(from))? {
            self.langs.insert(be(to), value)?;
        }
        Ok(())
    }

    fn move_confirmations(&self, from: i64, to: i64) -> StoreResult<()> {
        for item in self.confirmations.iter() {
            let (key, _) = item?;
            rewrite::<PendingConfirmation>(&self.confirmations, &key, |q| {
                (q.chat_id == from).then(|| q.chat_id = to).is_some()
            })?;
        }
        Ok(())
    }
}

impl Store {
    // ---- languages ----

    pub fn lang(&self, chat_id: i64) -> StoreResult<Option<Lang>> {
        Ok(self
            .chats
            .langs
            .get(be(chat_id))?
            .and_then(|v| Lang::parse(&String::from_utf8_lossy(&v))))
    }

    /// Sets the chat's language; durable.
    pub async fn set_lang(&self, chat_id: i64, lang: Lang) -> StoreResult<()> {
        self.write(|| {
            self.chats
                .langs
                .insert(be(chat_id), lang.code().as_bytes())?;
            Ok(())
        })?;
        self.flush().await
    }

    // ---- "send again?" questions ----

    /// Keeps a question until it is answered; durable, so its buttons
    /// still work after a restart.
    pub async fn put_confirmation(&self, confirmation: &PendingConfirmation) -> StoreResult<()> {
        self.write(|| {
            self.chats
                .confirmations
                .insert(confirmation.ref_id.as_bytes(), encode(confirmation))?;
            Ok(())
        })?;
        self.flush().await
    }

    /// The question, left in place.
    pub fn confirmation(&self, ref_id: &str) -> StoreResult<Option<PendingConfirmation>> {
        self.chats
            .confirmations
            .get(ref_id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Removes and returns the question: only one tap can take it, and
    /// once taken (durably) it stays taken after a restart.
    pub async fn take_confirmation(
        &self,
        ref_id: &str,
    ) -> StoreResult<Option<PendingConfirmation>> {
        let taken = self.write(|| Ok(self.chats.confirmations.remove(ref_id.as_bytes())?))?;
        let Some(bytes) = taken else {
            return Ok(None);
        };
        let question = decode(&bytes)?;
        self.flush().await?;
        Ok(Some(question))
    }

    // ---- a group becomes a supergroup ----

    /// A group became a supergroup under a new chat id: everything kept
    /// for the old id moves to the new one — its link and language, its
    /// journal (entries and the chat's index), its bills and its "send
    /// again?" questions — so results, `status` and `riwayat` follow it.
    /// Durable. Idempotent: Telegram announces a migration in both chats.
    pub async fn migrate_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        if from == to {
            return Ok(());
        }
        self.write(|| {
            self.groups.move_chat(from, to)?;
            self.chats.move_lang(from, to)?;
            self.journal.move_chat(from, to)?;
            self.inquiries.move_chat(from, to)?;
            self.shops.move_chat(from, to)?;
            self.runs.move_chat(from, to)?;
            self.chats.move_confirmations(from, to)
        })?;
        self.flush().await
    }
}
