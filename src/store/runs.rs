//! `cek semua` runs, kept as they go, and the bot messages that show them
//! (the progress message, the summary), so a restart edits the same
//! messages instead of posting new ones.

use super::{be, decode, encode, rewrite, Store, StoreResult};
use crate::model::CheckRun;

/// The `check_runs` tree: run id → [`CheckRun`]; `run_refs`: the refID of
/// each inquiry a run made → the run's id; `slots`: a message slot's key
/// → the Telegram message id that shows it.
#[derive(Clone)]
pub(super) struct Runs {
    tree: sled::Tree,
    refs: sled::Tree,
    slots: sled::Tree,
}

impl Runs {
    pub(super) fn open(db: &sled::Db) -> StoreResult<Runs> {
        Ok(Runs {
            tree: db.open_tree("check_runs")?,
            refs: db.open_tree("run_refs")?,
            slots: db.open_tree("message_slots")?,
        })
    }
}

impl Runs {
    /// Moves the chat's runs to another chat id (a group that became a
    /// supergroup): their checks and summary buttons go on there.
    pub(super) fn move_chat(&self, from: i64, to: i64) -> StoreResult<()> {
        for item in self.tree.iter() {
            let (key, _) = item?;
            rewrite::<CheckRun>(&self.tree, &key, |run| {
                (run.chat_id == from).then(|| run.chat_id = to).is_some()
            })?;
        }
        Ok(())
    }
}

/// Runs kept once they are done, per store (the oldest go first).
const KEEP_DONE_RUNS: usize = 200;

impl Store {
    /// Writes a run as it is now, with the refID of every check it sent
    /// pointing at it; durable.
    pub async fn put_run(&self, run: &CheckRun) -> StoreResult<()> {
        self.write(|| {
            for item in &run.items {
                if let Some(ref_id) = item_ref(&item.state) {
                    self.runs
                        .refs
                        .insert(ref_id.as_bytes(), &be(run.id as i64))?;
                }
            }
            self.runs.tree.insert(be(run.id as i64), encode(run))?;
            Ok(())
        })?;
        self.flush().await
    }

    pub fn run(&self, id: u64) -> StoreResult<Option<CheckRun>> {
        self.runs
            .tree
            .get(be(id as i64))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The run that checked the bill with this inquiry refID, if any.
    pub fn run_of_check(&self, ref_id: &str) -> StoreResult<Option<CheckRun>> {
        let Some(id) = self.runs.refs.get(ref_id.as_bytes())? else {
            return Ok(None);
        };
        let id = i64::from_be_bytes(id.as_ref().try_into().map_err(|_| {
            super::StoreError::Corrupt(format!("run_refs[{ref_id}] is not a run id"))
        })?);
        self.run(id as u64)
    }

    /// Every run not done yet (after a restart: the ones to go on with).
    pub fn unfinished_runs(&self) -> StoreResult<Vec<CheckRun>> {
        let mut out = Vec::new();
        for value in self.runs.tree.iter().values() {
            let run: CheckRun = decode(&value?)?;
            if !run.done {
                out.push(run);
            }
        }
        Ok(out)
    }

    /// Runs done whose last summary the chat may not have yet.
    pub fn untold_runs(&self) -> StoreResult<Vec<CheckRun>> {
        let mut out = Vec::new();
        for value in self.runs.tree.iter().values() {
            let run: CheckRun = decode(&value?)?;
            if run.done && !run.told {
                out.push(run);
            }
        }
        Ok(out)
    }

    /// The chat has the run's last summary; durable.
    pub async fn mark_run_told(&self, id: u64) -> StoreResult<()> {
        let Some(mut run) = self.run(id)? else {
            return Ok(());
        };
        if run.told {
            return Ok(());
        }
        run.told = true;
        self.write(|| {
            self.runs.tree.insert(be(id as i64), encode(&run))?;
            Ok(())
        })?;
        self.flush().await
    }

    /// Forgets the oldest finished runs beyond [`KEEP_DONE_RUNS`] (their
    /// bills stay in the inquiries; only the summary's buttons go stale).
    pub async fn prune_runs(&self) -> StoreResult<()> {
        let done: Vec<CheckRun> = self
            .runs
            .tree
            .iter()
            .values()
            .map(|v| decode::<CheckRun>(&v?))
            .collect::<StoreResult<Vec<_>>>()?
            .into_iter()
            .filter(|r| r.done && r.told)
            .collect();
        if done.len() <= KEEP_DONE_RUNS {
            return Ok(());
        }
        self.write(|| {
            for run in &done[..done.len() - KEEP_DONE_RUNS] {
                for item in &run.items {
                    if let Some(ref_id) = item_ref(&item.state) {
                        self.runs.refs.remove(ref_id.as_bytes())?;
                    }
                }
                for key in self.runs.slots.scan_prefix(run.slot_prefix()).keys() {
                    self.runs.slots.remove(key?)?;
                }
                self.runs.tree.remove(be(run.id as i64))?;
            }
            Ok(())
        })?;
        self.flush().await
    }

    /// The message that shows a slot, once it was sent.
    pub fn slot_message(&self, key: &str) -> StoreResult<Option<i32>> {
        Ok(self
            .runs
            .slots
            .get(key.as_bytes())?
            .and_then(|b| <[u8; 4]>::try_from(b.as_ref()).ok())
            .map(i32::from_be_bytes))
    }

    /// Remembers the message that shows a slot; durable, so a restart
    /// edits it rather than posting a second one (whose buttons would
    /// never be updated again).
    pub async fn set_slot_message(&self, key: &str, message_id: i32) -> StoreResult<()> {
        self.write(|| {
            self.runs
                .slots
                .insert(key.as_bytes(), &message_id.to_be_bytes())?;
            Ok(())
        })?;
        self.flush().await
    }
}

fn item_ref(state: &crate::model::RunItemState) -> Option<&str> {
    use crate::model::RunItemState::*;
    match state {
        Checking { ref_id } | Bill { ref_id } => Some(ref_id),
        _ => None,
    }
}
