//! `loket-bench`: loket's load driver, measured on loopback (see
//! BENCHMARKS.md). A workspace member of its own, so that neither the
//! `loket` library nor its binary (nor the Docker image) carries it.
//!
//! - [`driver`]: the workload, its checks and the process metrics.
//! - [`bot_api`]: the small Bot API the real `loket run` polls during a
//!   `bot` run; it holds the bot to Telegram's flood limits (429 with
//!   `retry_after`), and the full fake with Telegram's other refusals is
//!   `tests/support/fake_bot_api.rs`.
//!
//! `anyhow` lives only here, at the binary's edge.

mod bot_api;
mod driver;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "loket-bench",
    version,
    about = "Load driver: measures loket on loopback (see BENCHMARKS.md)"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The real bot (`loket run` as a child) against a bench Bot API and
    /// the sandbox gateway, with N simulated chats.
    Bot(driver::BotBench),
    /// Commands straight into an in-process engine, no Telegram.
    Engine(driver::EngineBench),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    loket::app::init_logging("warn");
    match cli.command {
        Cmd::Bot(options) => driver::bot(options).await,
        Cmd::Engine(options) => driver::engine(options).await,
    }
    .context("benchmark failed")
}
