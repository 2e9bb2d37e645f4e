//! The HTTP edge of the gateway: one shared reqwest client (connection
//! reuse, connect and total timeouts) that sends a `GatewayRequest` and
//! returns the body text, timing each call for the metrics. Errors carry
//! no URL: reqwest's messages include the query string, and with it the
//! `sign`.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::request::GatewayRequest;
use crate::metrics::Metrics;

/// Why a call gave no readable body. For a topup or payment every one of
/// these means "outcome unknown", never "failed".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("gateway did not answer within the timeout")]
    Timeout,
    #[error("could not connect to the gateway")]
    Connect,
    #[error("gateway answered HTTP {0}")]
    Status(u16),
    #[error("connection to the gateway broke before the reply was complete")]
    Broken,
}

#[derive(Debug, Clone)]
pub struct GatewayClient {
    http: reqwest::Client,
    /// Every call's latency and error, by operation.
    metrics: Metrics,
}

/// Largest reply body read; gateway replies are one line.
const MAX_BODY: usize = 64 * 1024;

impl GatewayClient {
    /// `timeout` bounds one whole call; connecting gets at most 10 s of it.
    pub fn new(timeout: Duration) -> GatewayClient {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("loket/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client with rustls builds");
        GatewayClient {
            http,
            metrics: Metrics::new(),
        }
    }

    /// This client, counting its calls into `metrics`.
    pub fn counting_into(self, metrics: Metrics) -> GatewayClient {
        GatewayClient { metrics, ..self }
    }

    /// Sends the call and returns the reply body. A non-2xx status is an
    /// error even when it has a body: a proxy's 502 page is not an answer.
    pub async fn send(&self, request: &GatewayRequest) -> Result<String, CallError> {
        let started = Instant::now();
        let result = self.call(request).await;
        self.metrics.gateway_call(
            request.operation(),
            started.elapsed(),
            result.as_ref().err(),
        );
        result
    }

    async fn call(&self, request: &GatewayRequest) -> Result<String, CallError> {
        let mut response = self
            .http
            .get(request.url())
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        if !status.is_success() {
            return Err(CallError::Status(status.as_u16()));
        }
        // Read at most MAX_BODY bytes: a huge error page is cut, not buffered.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let room = MAX_BODY - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() == MAX_BODY {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

/// Waits before the retries of a read (`GatewayClient::read`).
const READ_RETRY_WAITS: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(600)];

impl GatewayClient {
    /// Sends a call that moves no money (balance, inquiry, status check),
    /// retrying twice with a short backoff when the connection is refused
    /// or dropped or the gateway answers 5xx. A timeout is not retried (it
    /// already waited the whole timeout). Never use this for a topup or a
    /// payment: those are only ever followed up under their own refID.
    pub async fn read(&self, request: &GatewayRequest) -> Result<String, CallError> {
        self.read_in_turn(request, || std::future::ready(())).await
    }

    /// [`read`](Self::read), awaiting `turn` before every attempt and
    /// holding what it gives (a caller's permit) for that attempt only:
    /// the waits between retries hold nothing.
    pub async fn read_in_turn<T, F, Fut>(
        &self,
        request: &GatewayRequest,
        turn: F,
    ) -> Result<String, CallError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = T>,
    {
        let attempt = || async {
            let _turn = turn().await;
            self.send(request).await
        };
        let mut result = attempt().await;
        for wait in READ_RETRY_WAITS {
            let retry = matches!(result, Err(CallError::Connect | CallError::Broken))
                || matches!(result, Err(CallError::Status(code)) if code >= 500);
            if !retry {
                break;
            }
            tokio::time::sleep(wait).await;
            result = attempt().await;
        }
        result
    }
}

fn classify(error: reqwest::Error) -> CallError {
    if error.is_timeout() {
        CallError::Timeout
    } else if error.is_connect() {
        CallError::Connect
    } else {
        CallError::Broken
    }
}
