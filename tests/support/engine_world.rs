//! One engine on a temporary store against the sandbox gateway on
//! 127.0.0.1, with the moves a reseller makes: say something in a chat,
//! press a button, wait for a follow-up result. An owner (user
//! [`OWNER`]) logged in privately and a group linked to the account with
//! one allowed member are one call away.
//!
//! Include with `#[path = "support/engine_world.rs"] mod engine_world;`.
#![allow(dead_code)]

use std::time::Duration;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use loket::app::{demo_account, engine_with};
use loket::catalog::Catalog;
use loket::clock::FakeClock;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input, Notice, Response};
use loket::sandbox::{self, SandboxConfig, SandboxHandle};
use loket::store::{Location, Store};
use tokio::sync::mpsc;

/// The account owner (also their private chat id).
pub const OWNER: i64 = 7001;
/// A member the owner allowed to buy in the group.
pub const MEMBER: i64 = 7002;
/// A member of the group who may not buy.
pub const STRANGER: i64 = 7003;
/// The linked group.
pub const GROUP: i64 = -100_700;

pub struct World {
    pub engine: Engine,
    pub store: Store,
    pub sandbox: SandboxHandle,
    pub notices: mpsc::UnboundedReceiver<Notice>,
}

impl World {
    /// A world whose private chats use the sandbox's demo account unless
    /// `tweak` says otherwise; follow-ups re-check after 100 ms.
    pub async fn start(tweak: impl FnOnce(&mut EngineConfig)) -> World {
        World::start_with(SandboxConfig::default(), tweak).await
    }

    /// [`World::start`] on a sandbox configured as given (more accounts,
    /// latency).
    pub async fn start_with(
        sandbox: SandboxConfig,
        tweak: impl FnOnce(&mut EngineConfig),
    ) -> World {
        let sandbox = sandbox::spawn("127.0.0.1:0".parse().expect("loopback"), sandbox)
            .await
            .expect("sandbox starts");
        let store = Store::open(&Location::Temporary, None).expect("store opens");
        World::on(store, sandbox, tweak)
    }

    /// A new engine (as after a restart) on an existing store and sandbox.
    pub fn on(
        store: Store,
        sandbox: SandboxHandle,
        tweak: impl FnOnce(&mut EngineConfig),
    ) -> World {
        let mut config = EngineConfig::new(sandbox.base_url());
        config.default_account = Some(demo_account(&sandbox.base_url()));
        config.recheck_after = Duration::from_millis(100);
        config.recheck_cap = Duration::from_millis(400);
        tweak(&mut config);
        let (engine, notices) = engine_with(
            store.clone(),
            Catalog::builtin(),
            config,
            Duration::from_secs(5),
        );
        World {
            engine,
            store,
            sandbox,
            notices,
        }
    }

    pub async fn say_in(&self, ctx: ChatCtx, text: &str) -> Response {
        self.engine.handle(&ctx, Input::Text(text.into())).await
    }

    pub async fn press(&self, ctx: ChatCtx, data: &str) -> Response {
        self.engine.handle(&ctx, Input::Button(data.into())).await
    }

    /// The owner logs in privately on the sandbox, links [`GROUP`] and
    /// allows [`MEMBER`] there.
    pub async fn owner_with_group(&self) {
        let url = self.sandbox.base_url();
        let login = self
            .say_in(
                ChatCtx::private(OWNER),
                &format!("/login DEMO 0000 demo {url}"),
            )
            .await;
        assert!(!login.replies.is_empty(), "login answered");
        self.say_in(ChatCtx::group(GROUP, OWNER), "/hubungkan")
            .await;
        let mut allow = ChatCtx::group(GROUP, OWNER);
        allow.reply_to_user = Some(MEMBER);
        self.say_in(allow, "/izinkan").await;
    }

    pub async fn next_notice(&mut self) -> Notice {
        tokio::time::timeout(Duration::from_secs(10), self.notices.recv())
            .await
            .expect("a follow-up result within 10 s")
            .expect("notice channel open")
    }
}

/// The data of the button whose label starts with `label`, on the first
/// reply (or the edited message) of a response.
pub fn button(response: &Response, label: &str) -> String {
    response
        .replies
        .iter()
        .chain(response.edit_source.iter())
        .flat_map(|r| r.buttons.iter())
        .find(|b| b.label.starts_with(label))
        .unwrap_or_else(|| panic!("a {label} button in {response:?}"))
        .data
        .clone()
}

/// An RFC 3339 time (`2026-12-01T17:10:00Z`).
pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a test time")
        .with_timezone(&Utc)
}

/// A world whose engine reads a clock that stands at `now` until the test
/// moves it.
pub async fn world_at(now: &str) -> (World, FakeClock) {
    let clock = FakeClock::at(utc(now));
    let shared = clock.clone();
    let world = World::start(move |c| c.clock = Arc::new(shared)).await;
    (world, clock)
}
