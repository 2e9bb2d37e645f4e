//! Settings from environment variables and an optional config file with the
//! same keys (`LOKET_CONFIG=/path/loket.env`, lines `KEY=value`, `#`
//! comments). The environment wins over the file. Durations are whole
//! seconds.
//!
//! Owns: reading and checking settings: every bad value stops loket at
//! start with a message naming the setting, including the files settings
//! name (catalogue, reply rules), which are read and checked here. Must
//! not: open other files, or keep secrets anywhere but in
//! `Settings::secret_key` and `Settings::new_secret_key`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::command::Lang;
use crate::gateway::ReplyRules;
use crate::gateway::{shown_url, BalanceSign};
use crate::store::parse_key;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("cannot read config file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Whether `LOKET_DATA_DIR` was set (the console demo uses a throw-away
    /// database unless it was).
    pub data_dir_explicit: bool,
    pub gateway_url: Option<String>,
    pub gateway_timeout: Duration,
    pub recheck_after: Duration,
    pub inquiry_ttl: Duration,
    pub duplicate_window: Duration,
    pub locale: Lang,
    pub secret_key: Option<[u8; 32]>,
    pub balance_sign: BalanceSign,
    pub webhook_url: Option<String>,
    pub listen: Option<SocketAddr>,
    /// The product catalogue: built in, extended by `LOKET_CATALOG`.
    pub catalog: Catalog,
    /// How hard the bot's sends are paced (`LOKET_THROTTLE`).
    pub throttle: Throttle,
    /// A center's reply dialect beyond the built-in one
    /// (`LOKET_REPLY_RULES`), read and checked at start.
    pub reply_rules: ReplyRules,
    /// Most updates handled at once (`LOKET_MAX_UPDATES`); the rest wait
    /// their turn in arrival order (see `app::UpdateGate`).
    pub max_updates: usize,
    /// Most calls one gateway account (member ID at a gateway) has in
    /// flight at once (`LOKET_GATEWAY_CALLS_PER_ACCOUNT`): centers answer
    /// floods with "sibuk". The rest wait their turn.
    pub gateway_calls_per_account: usize,
    /// How long `cek semua` waits for slow checks before its summary goes
    /// out (`LOKET_CHECK_ALL_WAIT`, seconds); later results are added.
    pub check_all_wait: Duration,
    /// Nightly backups kept in `$LOKET_DATA_DIR/backups/`
    /// (`LOKET_BACKUP_KEEP`); 0: no nightly backup.
    pub backup_keep: usize,
    /// When the nightly backup is taken, minutes after 00:00 WIB
    /// (`LOKET_BACKUP_AT`, `03:00`).
    pub backup_at: u16,
    /// The key `loket rekey` seals every secret under
    /// (`LOKET_NEW_SECRET_KEY`); read by nothing else.
    pub new_secret_key: Option<[u8; 32]>,
    /// Where `/metrics` and `/healthz` are served (`LOKET_METRICS`); off
    /// when unset.
    pub metrics: Option<SocketAddr>,
}

/// Pacing of the bot's messages. Telegram's limits are the only right
/// choice against Telegram; `raised` is for load tests against a local
/// Bot API server (the throttle still runs, with limits ×1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    Telegram,
    Raised,
}

impl std::str::FromStr for Throttle {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "telegram" => Ok(Throttle::Telegram),
            "raised" => Ok(Throttle::Raised),
            _ => Err(format!("`{s}` is not telegram or raised")),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("gateway_url", &self.gateway_url.as_deref().map(shown_url))
            .field("gateway_timeout", &self.gateway_timeout)
            .field("recheck_after", &self.recheck_after)
            .field("inquiry_ttl", &self.inquiry_ttl)
            .field("duplicate_window", &self.duplicate_window)
            .field("locale", &self.locale)
            .field("secret_key", &self.secret_key.map(|_| "***"))
            .field("balance_sign", &self.balance_sign)
            .field(
                "webhook_url",
                &self.webhook_url.as_deref().map(webhook_shown),
            )
            .field("listen", &self.listen)
            .field("throttle", &self.throttle)
            .field("max_updates", &self.max_updates)
            .field("gateway_calls_per_account", &self.gateway_calls_per_account)
            .field("check_all_wait", &self.check_all_wait)
            .field("backup_keep", &self.backup_keep)
            .field("backup_at", &self.backup_at)
            .field("new_secret_key", &self.new_secret_key.map(|_| "***"))
            .field("metrics", &self.metrics)
            .finish()
    }
}

/// Every key loket reads, for the config file check.
pub const KEYS: &[&str] = &[
    "LOKET_DATA_DIR",
    "LOKET_GATEWAY_URL",
    "LOKET_GATEWAY_TIMEOUT",
    "LOKET_RECHECK_AFTER",
    "LOKET_INQUIRY_TTL",
    "LOKET_DUPLICATE_WINDOW",
    "LOKET_LOCALE",
    "LOKET_SECRET_KEY",
    "LOKET_BALANCE_SIGN",
    "LOKET_WEBHOOK_URL",
    "LOKET_LISTEN",
    "LOKET_CATALOG",
    "LOKET_THROTTLE",
    "LOKET_REPLY_RULES",
    "LOKET_MAX_UPDATES",
    "LOKET_GATEWAY_CALLS_PER_ACCOUNT",
    "LOKET_CHECK_ALL_WAIT",
    "LOKET_BACKUP_KEEP",
    "LOKET_BACKUP_AT",
    "LOKET_NEW_SECRET_KEY",
    "LOKET_METRICS",
];

/// Most nightly backups `LOKET_BACKUP_KEEP` may keep.
const MAX_BACKUPS_KEPT: usize = 1000;

/// The largest value a count setting takes (a semaphore's permits).
const MAX_COUNT: usize = 1_000_000;

impl Settings {
    /// Reads the process environment and `LOKET_CONFIG`, if set.
    pub fn load() -> Result<Settings, SettingsError> {
        let mut values: HashMap<String, String> = HashMap::new();
        if let Ok(path) = std::env::var("LOKET_CONFIG") {
            let text = std::fs::read_to_string(&path).map_err(|source| SettingsError::File {
                path: path.clone(),
                source,
            })?;
            values.extend(parse_config_file(&text));
        }
        for key in KEYS {
            if let Ok(value) = std::env::var(key) {
                values.insert((*key).to_string(), value);
            }
        }
        Settings::from_map(&values)
    }

    /// Builds settings from `KEY → value`; unset keys take their defaults.
    pub fn from_map(values: &HashMap<String, String>) -> Result<Settings, SettingsError> {
        let get = |key: &str| {
            values
                .get(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let seconds = |key: &'static str, default: u64| -> Result<Duration, SettingsError> {
            match get(key) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .map(Duration::from_secs)
                    .ok_or(SettingsError::Invalid {
                        key,
                        reason: format!("`{v}` is not a whole number of seconds"),
                    }),
            }
        };
        // How many of something may run at once: at least one, or nothing
        // would ever run.
        let count = |key: &'static str, default: usize| -> Result<usize, SettingsError> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_COUNT).contains(n))
                    .ok_or(SettingsError::Invalid {
                        key,
                        reason: format!("`{v}` is not a whole number from 1 to {MAX_COUNT}"),
                    }),
            }
        };
        let invalid = |key: &'static str, reason: String| SettingsError::Invalid { key, reason };
        if get("LOKET_LISTEN").is_some() && get("LOKET_WEBHOOK_URL").is_none() {
            return Err(invalid(
                "LOKET_LISTEN",
                "is only for webhook mode: set LOKET_WEBHOOK_URL too, or unset LOKET_LISTEN to long-poll"
                    .to_string(),
            ));
        }
        Ok(Settings {
            data_dir: get("LOKET_DATA_DIR").map_or_else(|| PathBuf::from("./data"), PathBuf::from),
            data_dir_explicit: get("LOKET_DATA_DIR").is_some(),
            // One spelling of a gateway everywhere: the journal compares
            // it to follow a call up after a restart.
            gateway_url: match get("LOKET_GATEWAY_URL") {
                None => None,
                Some(v) => Some(crate::engine::normalize_base_url(&v).ok_or_else(|| {
                    invalid(
                        "LOKET_GATEWAY_URL",
                        "is not an http(s) URL without a query (e.g. https://h2h.example.co.id)"
                            .to_string(),
                    )
                })?),
            },
            gateway_timeout: seconds("LOKET_GATEWAY_TIMEOUT", 60)?,
            recheck_after: seconds("LOKET_RECHECK_AFTER", 15)?,
            inquiry_ttl: seconds("LOKET_INQUIRY_TTL", 1800)?,
            duplicate_window: seconds("LOKET_DUPLICATE_WINDOW", 600)?,
            locale: match get("LOKET_LOCALE") {
                None => Lang::Id,
                Some(v) => Lang::parse(&v)
                    .ok_or_else(|| invalid("LOKET_LOCALE", format!("`{v}` is not id or en")))?,
            },
            secret_key: match get("LOKET_SECRET_KEY") {
                None => None,
                Some(v) => {
                    Some(parse_key(&v).map_err(|e| invalid("LOKET_SECRET_KEY", e.to_string()))?)
                }
            },
            balance_sign: match get("LOKET_BALANCE_SIGN") {
                None => BalanceSign::Fields,
                Some(v) => v.parse().map_err(|e| invalid("LOKET_BALANCE_SIGN", e))?,
            },
            webhook_url: match get("LOKET_WEBHOOK_URL") {
                None => None,
                Some(v) => match url::Url::parse(&v) {
                    // Telegram calls only https; http is for a local Bot API
                    // server (and tests).
                    Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => {
                        Some(v)
                    }
                    _ => {
                        return Err(invalid(
                            "LOKET_WEBHOOK_URL",
                            "is not an https:// URL (e.g. https://bot.example.com/telegram)"
                                .to_string(),
                        ))
                    }
                },
            },
            listen: match get("LOKET_LISTEN") {
                None => None,
                Some(v) => Some(
                    v.parse()
                        .map_err(|_| invalid("LOKET_LISTEN", format!("`{v}` is not host:port")))?,
                ),
            },
            catalog: match get("LOKET_CATALOG") {
                None => Catalog::builtin(),
                Some(path) => Catalog::with_file(std::path::Path::new(&path))
                    .map_err(|e| invalid("LOKET_CATALOG", e.to_string()))?,
            },
            throttle: match get("LOKET_THROTTLE") {
                None => Throttle::Telegram,
                Some(v) => v.parse().map_err(|e| invalid("LOKET_THROTTLE", e))?,
            },
            reply_rules: match get("LOKET_REPLY_RULES") {
                None => ReplyRules::default(),
                Some(path) => ReplyRules::load(std::path::Path::new(&path))
                    .map_err(|e| invalid("LOKET_REPLY_RULES", format!("{path}: {e}")))?,
            },
            max_updates: count("LOKET_MAX_UPDATES", 256)?,
            gateway_calls_per_account: count("LOKET_GATEWAY_CALLS_PER_ACCOUNT", 8)?,
            check_all_wait: seconds("LOKET_CHECK_ALL_WAIT", 20)?,
            backup_keep: match get("LOKET_BACKUP_KEEP") {
                None => 7,
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n <= MAX_BACKUPS_KEPT)
                    .ok_or_else(|| {
                        invalid(
                            "LOKET_BACKUP_KEEP",
                            format!("`{v}` is not a whole number from 0 (no nightly backup) to {MAX_BACKUPS_KEPT}"),
                        )
                    })?,
            },
            backup_at: match get("LOKET_BACKUP_AT") {
                None => 3 * 60,
                Some(v) => crate::command::clock_minute(&v).ok_or_else(|| {
                    invalid(
                        "LOKET_BACKUP_AT",
                        format!("`{v}` is not a time of day in WIB like 03:00"),
                    )
                })?,
            },
            new_secret_key: match get("LOKET_NEW_SECRET_KEY") {
                None => None,
                Some(v) => Some(
                    parse_key(&v).map_err(|e| invalid("LOKET_NEW_SECRET_KEY", e.to_string()))?,
                ),
            },
            metrics: match get("LOKET_METRICS") {
                None => None,
                Some(v) => Some(v.parse().map_err(|_| {
                    invalid(
                        "LOKET_METRICS",
                        format!("`{v}` is not host:port (e.g. 127.0.0.1:9464)"),
                    )
                })?),
            },
        })
    }
}

/// A webhook URL as logs may show it: its path is often the secret that
/// tells Telegram's posts from anyone else's, so only scheme and host.
fn webhook_shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!("{}://{}/***", u.scheme(), u.host_str().unwrap_or("?")),
        Err(_) => "***".to_string(),
    }
}

/// `KEY=value` lines; `#` starts a comment line; quotes around values are
/// dropped.
pub fn parse_config_file(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn gateway_urls_have_one_spelling_and_every_bad_value_stops_loket_naming_it() {
        let spellings = [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "HTTP://127.0.0.1:8080/",
        ];
        for spelling in spellings {
            let s = Settings::from_map(&map(&[("LOKET_GATEWAY_URL", spelling)])).expect(spelling);
            assert_eq!(
                s.gateway_url.as_deref(),
                Some("http://127.0.0.1:8080"),
                "{spelling}"
            );
        }
        let s = Settings::from_map(&map(&[(
            "LOKET_GATEWAY_URL",
            "https://H2H.Example.co.id:443/",
        )]))
        .expect("valid");
        assert_eq!(s.gateway_url.as_deref(), Some("https://h2h.example.co.id"));
        for (key, bad) in [
            ("LOKET_GATEWAY_URL", "h2h.example.co.id"),
            ("LOKET_GATEWAY_URL", "ftp://h2h.example.co.id"),
            ("LOKET_WEBHOOK_URL", "not a url"),
            ("LOKET_WEBHOOK_URL", "bot.example.com/hook"),
            ("LOKET_CATALOG", "/nonexistent/loket-catalog.txt"),
            ("LOKET_REPLY_RULES", "/nonexistent/loket-rules.txt"),
            ("LOKET_GATEWAY_TIMEOUT", "0"),
            ("LOKET_SECRET_KEY", "short"),
            ("LOKET_LOCALE", "fr"),
            ("LOKET_MAX_UPDATES", "0"),
            ("LOKET_MAX_UPDATES", "many"),
            ("LOKET_MAX_UPDATES", "-1"),
            ("LOKET_MAX_UPDATES", "1000001"),
            ("LOKET_GATEWAY_CALLS_PER_ACCOUNT", "0"),
            ("LOKET_GATEWAY_CALLS_PER_ACCOUNT", "2.5"),
            ("LOKET_BACKUP_KEEP", "-1"),
            ("LOKET_BACKUP_KEEP", "1001"),
            ("LOKET_BACKUP_AT", "25:00"),
            ("LOKET_BACKUP_AT", "3am"),
            ("LOKET_NEW_SECRET_KEY", "short"),
            ("LOKET_METRICS", "9464"),
            ("LOKET_METRICS", "localhost:9464"),
        ] {
            let error = Settings::from_map(&map(&[(key, bad)])).expect_err(bad);
            assert!(error.to_string().starts_with(&format!("{key}:")), "{error}");
        }
    }

    #[test]
    fn a_webhook_path_never_shows_in_settings_debug() {
        let s = Settings::from_map(&map(&[
            (
                "LOKET_WEBHOOK_URL",
                "https://bot.example.com/hook-s3cr3tpath",
            ),
            ("LOKET_LISTEN", "127.0.0.1:8443"),
        ]))
        .expect("valid");
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cr3tpath"), "{shown}");
        assert!(shown.contains("https://bot.example.com/***"), "{shown}");
    }

    #[test]
    fn listen_without_a_webhook_url_is_an_error_not_silent_long_polling() {
        let error =
            Settings::from_map(&map(&[("LOKET_LISTEN", "127.0.0.1:8443")])).expect_err("an error");
        assert!(error.to_string().starts_with("LOKET_LISTEN:"), "{error}");
        assert!(error.to_string().contains("LOKET_WEBHOOK_URL"), "{error}");
        let both = Settings::from_map(&map(&[
            ("LOKET_LISTEN", "127.0.0.1:8443"),
            ("LOKET_WEBHOOK_URL", "https://bot.example/hook"),
        ]))
        .expect("webhook mode");
        assert!(both.listen.is_some() && both.webhook_url.is_some());
    }

    #[test]
    fn defaults_match_the_spec() {
        let s = Settings::from_map(&HashMap::new()).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("./data"));
        assert_eq!(s.gateway_timeout, Duration::from_secs(60));
        assert_eq!(s.recheck_after, Duration::from_secs(15));
        assert_eq!(s.inquiry_ttl, Duration::from_secs(1800));
        assert_eq!(s.duplicate_window, Duration::from_secs(600));
        assert_eq!(s.locale, Lang::Id);
        assert_eq!(s.balance_sign, BalanceSign::Fields);
        assert_eq!(s.throttle, Throttle::Telegram);
        assert_eq!(s.max_updates, 256);
        assert_eq!(s.gateway_calls_per_account, 8);
        assert_eq!(s.check_all_wait, Duration::from_secs(20));
        assert_eq!(s.backup_keep, 7);
        assert_eq!(s.backup_at, 3 * 60);
        assert!(s.metrics.is_none(), "metrics are off unless asked for");
        assert!(s.gateway_url.is_none() && s.webhook_url.is_none() && s.secret_key.is_none());
        assert!(s.new_secret_key.is_none());
    }

    #[test]
    fn values_are_read_and_checked() {
        let s = Settings::from_map(&map(&[
            ("LOKET_GATEWAY_TIMEOUT", "5"),
            ("LOKET_LOCALE", "en"),
            ("LOKET_BALANCE_SIGN", "checkbalance"),
            ("LOKET_SECRET_KEY", &"ab".repeat(32)),
            ("LOKET_LISTEN", "127.0.0.1:8443"),
            ("LOKET_WEBHOOK_URL", "https://bot.example/hook"),
            ("LOKET_THROTTLE", "Raised"),
            ("LOKET_MAX_UPDATES", "64"),
            ("LOKET_GATEWAY_CALLS_PER_ACCOUNT", " 2 "),
            ("LOKET_BACKUP_KEEP", "0"),
            ("LOKET_BACKUP_AT", "23.30"),
            ("LOKET_NEW_SECRET_KEY", &"cd".repeat(32)),
            ("LOKET_METRICS", "0.0.0.0:9464"),
        ]))
        .unwrap();
        assert_eq!(s.backup_keep, 0, "0 turns the nightly backup off");
        assert_eq!(s.backup_at, 23 * 60 + 30);
        assert_eq!(s.new_secret_key, Some([0xcd; 32]));
        assert!(
            !format!("{s:?}").contains("cdcd"),
            "Debug must not show the new key"
        );
        assert_eq!(s.metrics, Some("0.0.0.0:9464".parse().unwrap()));
        assert_eq!(s.max_updates, 64);
        assert_eq!(s.gateway_calls_per_account, 2);
        assert_eq!(s.gateway_timeout, Duration::from_secs(5));
        assert_eq!(s.locale, Lang::En);
        assert_eq!(s.balance_sign, BalanceSign::CheckBalance);
        assert_eq!(s.secret_key, Some([0xab; 32]));
        assert_eq!(s.throttle, Throttle::Raised);
        assert!(
            !format!("{s:?}").contains("abab"),
            "Debug must not show the key"
        );
        for (key, bad) in [
            ("LOKET_GATEWAY_TIMEOUT", "1.5"),
            ("LOKET_LOCALE", "fr"),
            ("LOKET_BALANCE_SIGN", "md5"),
            ("LOKET_SECRET_KEY", "short"),
            ("LOKET_LISTEN", "nowhere"),
            ("LOKET_THROTTLE", "off"),
            ("LOKET_GATEWAY_CALLS_PER_ACCOUNT", "0"),
        ] {
            let err = Settings::from_map(&map(&[(key, bad)]))
                .err()
                .unwrap_or_else(|| panic!("{key}={bad} accepted"));
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    #[test]
    fn config_file_lines_parse() {
        let values = parse_config_file(
            "# comment\nLOKET_LOCALE=en\n LOKET_DATA_DIR = \"/var/lib/loket\" \nnonsense\n",
        );
        assert_eq!(values.get("LOKET_LOCALE").map(String::as_str), Some("en"));
        assert_eq!(
            values.get("LOKET_DATA_DIR").map(String::as_str),
            Some("/var/lib/loket")
        );
        assert_eq!(values.len(), 2);
    }
}
