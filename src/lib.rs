//! apidesk: a self-hosted support assistant for API errors.
//!
//! Requesters walk a decision tree for their HTTP error, read the matching
//! article, and file a complete ticket if they are still stuck. The whole
//! application is built here; `main.rs` only parses the command line.
//!
//! Parts, each using only the parts listed below it (`.ci/layers` checks
//! the rules marked *):
//! - entry: `main`, `cli`, `startup`, `telemetry`, and `seed` (a command
//!   that fills the store). Builds everything and may use every part; the
//!   only part besides web that uses web (*).
//! - web: `web/`, routers and handlers, and `AppState`, the router's state.
//!   No SQL text (*): it asks the store in domain types. (Its own
//!   tests build a state through `startup`, as the server does.)
//! - mail: `mail/`, what requesters are told by mail and its delivery in
//!   the background: reads the store, renders, hands messages to SMTP. Never
//!   web (*) and no SQL (*).
//! - errors: `error`, the one error type handlers return and its pages.
//! - config: the typed settings entry reads and hands to web, so it names
//!   only value types from the parts below, never web's own (*).
//! - mail: `mail/`, outgoing mail over SMTP. Built from config's checked
//!   settings; knows nothing of tickets, the store or web: the delivery loop
//!   gives it a rendered message and records what it answers.
//! - store: `store/`, every SQL statement, over tickets' and kb's types,
//!   behind a seam (`store::Backend`) in those types only. Only its SQLite
//!   backend, `store/sqlite/`, names the database crate (*); the rest sees the
//!   opaque `StoreError`.
//! - insights: `insights/`, the team lead's figures, computed from the
//!   tallies the store reads, over tickets' and kb's types. No SQL (*).
//! - kb: `kb/`, the knowledge base and diagnosis. Never the store (*) and
//!   no SQL (*).
//! - tickets, the domain and its rules: `tickets/`, `staff/`, `domain/`.
//!   Never the store (*) and no SQL (*): the store applies what they decide.
//! - webhooks: `webhooks/`, events out. Its rules and wire format (event
//!   kinds, payloads, signing, the address rules) sit with the domain: the
//!   store uses them to write deliveries, and they never use the store (*).
//!   Only `webhooks/delivery.rs`, the background task, reads the store, as
//!   mail's delivery does. No SQL (*).
//! - metrics: `metrics/`, the counters `/metrics` reports. A leaf: any part
//!   may count something in it, and it uses none of them.
#![forbid(unsafe_code)]

pub mod attachments;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod insights;
pub mod kb;
pub mod mail;
pub mod metrics;
pub mod seed;
pub mod staff;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tickets;
pub mod tokens;
pub mod web;
pub mod webhooks;
mod work;

pub use error::{AppError, Result};
