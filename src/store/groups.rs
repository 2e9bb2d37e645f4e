//! Group links: which member's account a group buys with, and who else
//! in it may buy.

use super::{be, decode, encode, Store, StoreResult};
use crate::model::GroupLink;

/// The `groups` tree: chat id → [`GroupLink`].
#[derive(Clone)]
pub(super) struct Groups {
    tree: sled::Tree,
}

impl Groups {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Groups> {
        Ok(Groups {
            tree: db.open_tree("groups")?,
        })
    }

    /// Moves the group's link to another chat id.
    pub(super) fn move_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        if let Some(value) = self.tree.remove(be(from))? {
            self.tree.insert(be(to), value)?;
        }
        Ok(())
    }
}

impl Store {
    pub fn group(&self, chat_id: i64) -> StoreResult<Option<GroupLink>> {
        self.groups
            .tree
            .get(be(chat_id))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Links (or re-links) a group; durable.
    pub async fn set_group(&self, chat_id: i64, link: &GroupLink) -> StoreResult<()> {
        self.write(|| Ok(self.groups.tree.insert(be(chat_id), encode(link))?))?;
        self.flush().await
    }

    /// Unlinks a group; durable. Says whether it was linked.
    pub async fn remove_group(&self, chat_id: i64) -> StoreResult<bool> {
        let removed = self.write(|| Ok(self.groups.tree.remove(be(chat_id))?.is_some()))?;
        if removed {
            self.flush().await?;
        }
        Ok(removed)
    }
}
