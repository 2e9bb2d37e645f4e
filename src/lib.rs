//! loket: a Telegram bot for Indonesian PPOB resellers on an R-ONE H2H
//! gateway.
//!
//! The module map, from the pure core out to the edges:
//!
//! - [`money`]: `Rupiah`, the one place amounts are parsed and formatted.
//! - [`catalog`]: product codes → bill families, their `@` shapes and the
//!   shape of their destinations (data).
//! - [`command`]: a chat message → a `Command` (pure; its own error type).
//! - [`gateway`]: sign, build calls, read replies; the HTTP client at its edge.
//! - [`model`]: the records loket keeps — inquiries, journal entries,
//!   "send again?" questions, group links (pure data and small rules).
//! - [`shop`]: the reseller's shop as data — selling-price rules and how a
//!   sale is priced, the shop's identity, recap sums, a PLN token's SN.
//! - [`store`]: where they are kept, in sled, grouped by data: accounts
//!   (secrets sealed, in `seal`), the journal, inquiries and bills, group
//!   links, chats; every durable write through one group commit (`flush`);
//!   `backup` (the backup format, one moment of every tree, restore) and
//!   `rekey` (every secret sealed again under a new key).
//! - [`backups`]: the operator's backups on the machine — the nightly one
//!   in the data dir and the socket `loket backup` asks a running loket on.
//! - [`i18n`]: the Fluent bundles from `locales/` (Indonesian first).
//! - [`engine`]: front-end-agnostic flows: a chat context and a message or
//!   button press in, replies with optional buttons out.
//! - [`picture`]: receipts (struk) for 58 mm thermal printers and a month
//!   recap's bar chart as PNG, drawn from lines the caller already worded
//!   (pure: no I/O, no locale text, no money formatting).
//! - [`console`] and [`telegram`]: the two front ends; both only glue.
//! - [`sandbox`]: a local gateway speaking the seed's protocol, for the
//!   demo, tests and benchmarks.
//! - [`metrics`]: what loket counts for the operator (calls and their
//!   outcomes, gateway latency, Telegram's refusals, updates) and the
//!   `/metrics` and `/healthz` endpoint on `LOKET_METRICS` (`endpoint`).
//! - [`settings`]: environment variables and the optional config file.
//! - [`probe`]: `loket probe`, how loket reads a center's balance and
//!   status replies, for operators.
//! - [`clock`]: the time the engine reads (the system's, or a test's).
//! - [`wib`]: times as users read them (WIB, UTC+7).
//!
//! The load driver is not here: it is the workspace member `bench/`
//! (`loket-bench`, see BENCHMARKS.md), outside the library and binary.

pub mod app;
pub mod backups;
pub mod catalog;
pub mod clock;
pub mod command;
pub mod console;
pub mod engine;
pub mod gateway;
pub mod i18n;
pub mod metrics;
pub mod model;
pub mod money;
pub mod picture;
pub mod probe;
pub mod sandbox;
pub mod secret;
pub mod settings;
pub mod shop;
pub mod store;
pub mod telegram;
pub mod wib;
