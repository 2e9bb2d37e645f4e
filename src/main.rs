//! `loket`: the binary's edge. Parses the subcommand, loads settings, sets
//! up logging and hands over to the library. `anyhow` lives only here.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use loket::app::{build_engine, demo_account};
use loket::sandbox::{self, Dialect, SandboxConfig};
use loket::settings::Settings;
use loket::store::Location;

#[derive(Parser)]
#[command(
    name = "loket",
    version,
    about = "Telegram bot for PPOB resellers on an R-ONE H2H gateway"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Chat with the bot in this terminal, against the built-in sandbox gateway.
    Console {
        /// Reply templates the built-in sandbox answers in: rone, otomax, sisa or kv.
        #[arg(long, default_value_t = Dialect::Rone)]
        dialect: Dialect,
    },
    /// Run the Telegram bot (reads TELOXIDE_TOKEN).
    Run,
    /// Ask a running loket's /healthz (on LOKET_METRICS) whether it is
    /// healthy: exits 0 if it is, 1 if not or if nothing answers. For a
    /// container's HEALTHCHECK.
    Healthcheck,
    /// Write one account's transactions of a month as CSV (the same file
    /// `/ekspor` sends), from the data dir. Stop loket first: a running
    /// loket holds the database.
    Export {
        /// The month, `2026-11`.
        #[arg(long)]
        month: String,
        /// The account: the Telegram user id of its owner.
        #[arg(long)]
        owner: i64,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Write a backup of the whole database to FILE (0600; it must not
    /// exist): asked of the loket running on LOKET_DATA_DIR, or read from
    /// the stopped data dir. Secrets stay sealed; the key is not in it.
    Backup {
        /// The backup file to write.
        file: std::path::PathBuf,
    },
    /// Restore a backup into LOKET_DATA_DIR, which must be new or empty
    /// (but for a key file): LOKET_SECRET_KEY, or the old data dir's
    /// secret.key put there first, must open its accounts.
    Restore {
        /// The backup file to read.
        file: std::path::PathBuf,
    },
    /// Seal every secret of the stopped data dir again under
    /// LOKET_NEW_SECRET_KEY; the old key is LOKET_SECRET_KEY or the key
    /// file (which is then replaced). All accounts or none.
    Rekey,
    /// Serve the sandbox gateway (the seed's protocol, for demos and tests).
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Extra latency added to every reply, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Reply templates to answer in: rone (the seed's), otomax, sisa or kv.
        #[arg(long, default_value_t = Dialect::Rone)]
        dialect: Dialect,
    },
    /// One balance call (and, with --ref, one status check) to a gateway,
    /// printing the raw reply beside how loket reads it. The PIN and API
    /// key come from LOKET_PROBE_PIN / LOKET_PROBE_KEY or a prompt, never
    /// the command line. Never moves money.
    Probe {
        /// The gateway's base URL.
        #[arg(long)]
        url: String,
        /// The member ID.
        #[arg(long)]
        member: String,
        /// A refID to check (cek=1); needs --product and --dest.
        #[arg(long = "ref", requires_all = ["product", "dest"])]
        ref_id: Option<String>,
        #[arg(long)]
        product: Option<String>,
        #[arg(long)]
        dest: Option<String>,
        /// Balance sign form: fields or checkbalance.
        #[arg(long, default_value = "fields")]
        balance_sign: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load().context("invalid settings")?;
    match cli.command {
        Cmd::Console { dialect } => {
            loket::app::init_logging("warn");
            console(settings, dialect).await
        }
        Cmd::Probe {
            url,
            member,
            ref_id,
            product,
            dest,
            balance_sign,
        } => {
            loket::app::init_logging("warn");
            let base_url =
                loket::engine::normalize_base_url(&url).context("--url is not an http(s) URL")?;
            let creds = loket::gateway::Credentials {
                member_id: member,
                pin: secret_input("LOKET_PROBE_PIN", "PIN: ")?,
                api_key: secret_input("LOKET_PROBE_KEY", "API key: ")?,
                base_url,
                balance_sign: balance_sign
                    .parse()
                    .map_err(|e: String| anyhow::anyhow!(e))?,
            };
            let check = ref_id.map(|ref_id| loket::probe::ProbeCheck {
                ref_id,
                product: product.unwrap_or_default().to_ascii_uppercase(),
                dest: dest.unwrap_or_default(),
            });
            let reader = loket::gateway::Reader::new(settings.reply_rules.clone());
            let client = loket::gateway::GatewayClient::new(settings.gateway_timeout);
            print!(
                "{}",
                loket::probe::probe(&client, &reader, &creds, check.as_ref()).await
            );
            Ok(())
        }
        Cmd::Export { month, owner, out } => {
            loket::app::init_logging("warn");
            let month = loket::command::Month::parse(&month)
                .with_context(|| format!("--month {month}: expected a month like 2026-11"))?;
            let csv = loket::app::export_month(&settings, owner, month)?;
            match out {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout(), &csv)?,
            }
            Ok(())
        }
        Cmd::Backup { file } => {
            loket::app::init_logging("warn");
            let (info, source) =
                loket::backups::backup_to_file(&settings.data_dir, &file, chrono::Utc::now())?;
            let from = match source {
                loket::backups::Source::Running => "the running loket",
                loket::backups::Source::Stopped => "the stopped data dir",
            };
            eprintln!(
                "backup of {from} written to {}: {} records, {} journal entries ({} followed)",
                file.display(),
                info.records,
                info.journal_entries,
                info.followed
            );
            Ok(())
        }
        Cmd::Restore { file } => {
            loket::app::init_logging("warn");
            let restored = loket::app::restore(&settings, &file)?;
            let backup = &restored.backup;
            eprintln!(
                "restored into {}: the backup of {} (loket {}), {} records, {} journal \
                 entries ({} followed when loket starts), {} accounts opened with the key",
                settings.data_dir.display(),
                backup.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
                backup.loket,
                backup.records,
                backup.journal_entries,
                backup.followed,
                restored.accounts
            );
            let indexes = &restored.indexes;
            if !indexes.agrees() {
                eprintln!("note: the journal's indexes disagree with its entries: {indexes:?}");
            }
            Ok(())
        }
        Cmd::Rekey => {
            loket::app::init_logging("warn");
            let rekeyed = loket::app::rekey(&settings)?;
            eprintln!(
                "{} account(s) sealed under the new key ({} already were){}",
                rekeyed.resealed,
                rekeyed.already,
                if rekeyed.key_file_replaced {
                    "; the key file now holds the new key"
                } else {
                    "; now set LOKET_SECRET_KEY to the new key"
                }
            );
            Ok(())
        }
        Cmd::Healthcheck => {
            let Some(listen) = settings.metrics else {
                anyhow::bail!("LOKET_METRICS is not set: loket serves no /healthz");
            };
            match loket::metrics::endpoint::check(listen, Duration::from_secs(5)).await {
                Ok(report) => {
                    print!("{report}");
                    Ok(())
                }
                Err(e) => {
                    eprintln!("unhealthy: {e}");
                    std::process::exit(1);
                }
            }
        }
        Cmd::Run => {
            loket::app::init_logging("info");
            loket::telegram::run(settings)
                .await
                .map_err(anyhow::Error::from)
        }
        Cmd::Sandbox {
            listen,
            latency_ms,
            dialect,
        } => {
            loket::app::init_logging("info");
            let config = SandboxConfig {
                latency: Duration::from_millis(latency_ms),
                dialect,
                ..SandboxConfig::default()
            };
            eprintln!(
                "sandbox gateway on http://{listen} (demo account DEMO / PIN 0000 / key demo, \
                 {dialect} replies)"
            );
            sandbox::serve_forever(listen, config)
                .await
                .context("sandbox gateway stopped")
        }
    }
}

/// A secret for the probe: from `var`, else typed at a prompt without echo.
fn secret_input(var: &str, prompt: &str) -> anyhow::Result<loket::secret::Secret> {
    if let Ok(value) = std::env::var(var) {
        return Ok(loket::secret::Secret::new(value));
    }
    let value = rpassword::prompt_password(prompt)
        .with_context(|| format!("set {var} or type it at the prompt"))?;
    Ok(loket::secret::Secret::new(value))
}

async fn console(settings: Settings, dialect: Dialect) -> anyhow::Result<()> {
    let loopback: SocketAddr = "127.0.0.1:0".parse().expect("loopback address");
    let config = SandboxConfig {
        dialect,
        ..SandboxConfig::default()
    };
    let sandbox = sandbox::spawn(loopback, config)
        .await
        .context("cannot start the sandbox gateway")?;
    let sandbox_url = sandbox.base_url();
    let location = if settings.data_dir_explicit {
        Location::Dir(settings.data_dir.clone())
    } else {
        Location::Temporary
    };
    let default_url = settings
        .gateway_url
        .clone()
        .unwrap_or_else(|| sandbox_url.clone());
    let (engine, notices) = build_engine(
        &settings,
        &location,
        default_url,
        Some(demo_account(&sandbox_url)),
    )?;
    let _backups = match &location {
        Location::Dir(dir) => Some(loket::backups::start(
            &settings,
            engine.store(),
            dir,
            loket::clock::system(),
        )),
        Location::Temporary => None,
    };
    let welcome = engine.text(
        engine.lang(loket::console::CONSOLE_CHAT),
        "console-welcome",
        &[("url", sandbox_url)],
    );
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    loket::console::run(
        engine,
        notices,
        stdin,
        tokio::io::stdout(),
        Some(welcome),
        loket::console::stdin_is_piped(),
    )
    .await?;
    Ok(())
}
