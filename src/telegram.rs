//! Telegram front end (next issue).

use crate::settings::Settings;

pub async fn run(_settings: Settings) -> anyhow::Result<()> {
    anyhow::bail!("the Telegram front end is not built yet")
}
