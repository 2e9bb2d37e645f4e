//! The operator's HTTP endpoint on `LOKET_METRICS`: `GET /metrics`, the
//! Prometheus text format (prometheus-client's encoder), and `GET
//! /healthz`, 200 or 503 with one line per check. Served by axum on the
//! runtime loket already runs, so it adds no HTTP stack of its own; and
//! [`check`], the client `loket healthcheck` (a container's HEALTHCHECK)
//! runs against it.
//!
//! Owns: the routes, the journal's gauges (read from the journal's open
//! list at each scrape) and what "healthy" means. Must not: serve anything
//! but these two, or show a secret (nothing it reads holds one).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::Metrics;
use crate::clock::Clock;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("LOKET_METRICS: cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// What the endpoint reads.
struct Served {
    registry: Registry,
    metrics: Metrics,
    store: Store,
}

/// A running endpoint; it stops when [`stop`](Endpoint::stop)ped or
/// dropped.
pub struct Endpoint {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// Binds `listen` (an error to stop loket with, naming the setting,
    /// when it is taken) and serves `/metrics` and `/healthz`.
    pub async fn start(
        listen: SocketAddr,
        metrics: Metrics,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> Result<Endpoint, EndpointError> {
        let tcp = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| EndpointError::Listen {
                addr: listen,
                source,
            })?;
        let addr = tcp.local_addr().unwrap_or(listen);
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        registry.register_collector(Box::new(JournalGauges {
            store: store.clone(),
            clock,
        }));
        let served = Arc::new(Served {
            registry,
            metrics,
            store,
        });
        let app = Router::new()
            .route("/metrics", get(scrape))
            .route("/healthz", get(healthz))
            .with_state(served);
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let served = axum::serve(tcp, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the metrics endpoint stopped");
            }
        });
        tracing::info!(%addr, "serving /metrics and /healthz");
        Ok(Endpoint {
            addr,
            stop,
            task: Some(task),
        })
    }

    /// Where it listens (the port chosen when `listen` had port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops listening; a scrape in progress finishes, within a bound.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn scrape(State(served): State<Arc<Served>>) -> impl IntoResponse {
    let mut text = String::new();
    match prometheus_client::encoding::prometheus_text::encode(&mut text, &served.registry) {
        Ok(()) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            )],
            text,
        ),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "the metrics could not be written\n".to_string(),
        ),
    }
}

/// 200 when the database works and the Bot API's last long poll answered
/// lately; 503 otherwise. The body says which check failed.
async fn healthz(State(served): State<Arc<Served>>) -> impl IntoResponse {
    let database = served.store.health();
    let bot_api = served.metrics.bot_api_health(Instant::now());
    let healthy = database.is_ok() && bot_api.is_healthy();
    let database = match database {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("failing: {e}"),
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("database: {database}\nbot api: {bot_api}\n"),
    )
}

/// The journal's gauges, read at each scrape from its list of open
/// entries (never the whole journal).
struct JournalGauges {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for JournalGauges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JournalGauges")
    }
}

impl Collector for JournalGauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        // A database that cannot be read shows on /healthz; its gauges are
        // left out rather than shown as zero.
        let Ok(open) = self.store.open_entries() else {
            return Ok(());
        };
        let oldest_age = open
            .oldest_checking
            .map(|at| (self.clock.now() - at).num_seconds().max(0))
            .unwrap_or(0);
        let gauges = [
            (
                "loket_journal_checking_entries",
                "Topups and payments without a final answer yet, being followed with status \
                 checks (the chat was told they are being checked)",
                open.checking as i64,
            ),
            (
                "loket_journal_oldest_checking_age_seconds",
                "Age of the oldest topup or payment still being checked, in seconds (0 when \
                 none is)",
                oldest_age,
            ),
            (
                "loket_journal_untold_results",
                "Final results no chat has accepted yet; told again until Telegram takes them, \
                 after a restart too",
                open.untold as i64,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(value);
            let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
            gauge.encode(metric)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("no answer from {url}: {reason}")]
    NoAnswer { url: String, reason: String },
    #[error("{url} answered {status}:\n{body}")]
    Unhealthy {
        url: String,
        status: u16,
        body: String,
    },
}

/// `loket healthcheck`: asks the endpoint on `listen` (on loopback when it
/// listens on every address) whether loket is healthy; its report when
/// it is.
pub async fn check(listen: SocketAddr, timeout: Duration) -> Result<String, CheckError> {
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let url = format!("http://{addr}/healthz");
    let no_answer = |e: reqwest::Error| CheckError::NoAnswer {
        url: url.clone(),
        reason: e.to_string(),
    };
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .no_proxy()
        .build()
        .map_err(no_answer)?;
    let response = client.get(&url).send().await.map_err(no_answer)?;
    let status = response.status();
    let body = response.text().await.map_err(no_answer)?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(CheckError::Unhealthy {
            url,
            status: status.as_u16(),
            body,
        })
    }
}
