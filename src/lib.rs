//! apidesk: a self-hosted support assistant for API errors.
//!
//! Requesters walk a decision tree for their HTTP error, read the matching
//! article, and file a complete ticket if they are still stuck. The whole
//! application is built here; `main.rs` only parses the command line.

pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod kb;
pub mod seed;
pub mod staff;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tickets;
pub mod web;

pub use error::{AppError, Result};
