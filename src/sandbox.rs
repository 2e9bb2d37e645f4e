//! Sandbox gateway — placeholder with the agreed API; the real one lands
//! from the sandbox branch.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::time::Duration;

use crate::gateway::BalanceSign;
use crate::money::Rupiah;

pub const DEMO_MEMBER: &str = "DEMO";
pub const DEMO_PIN: &str = "0000";
pub const DEMO_KEY: &str = "demo";

pub struct SandboxAccount {
    pub member_id: String,
    pub pin: String,
    pub api_key: String,
    pub balance: Rupiah,
    pub balance_sign: BalanceSign,
}

#[derive(Default)]
pub struct SandboxConfig {
    pub accounts: Vec<SandboxAccount>,
    pub latency: Duration,
    pub slow_delay: Duration,
    pub pending_checks: u32,
}

pub struct SandboxHandle {
    addr: SocketAddr,
}

impl SandboxHandle {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub async fn spawn(addr: SocketAddr, _config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    Ok(SandboxHandle { addr })
}

pub async fn serve_forever(_addr: SocketAddr, _config: SandboxConfig) -> std::io::Result<()> {
    Ok(())
}
