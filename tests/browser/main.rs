//! End-to-end tests in Chromium, driven through chromedriver (issue 9).
//!
//! Every test here is `#[ignore]`d, so a plain `cargo test` builds them (one
//! test build) without needing a browser. Run them with
//!
//! ```sh
//! cargo test --test browser -- --ignored
//! ```
//!
//! Screenshots land in `target/screenshots/<page>-<width>x<height>.png`.
//! A new journey is a test in one of the files below:
//!
//! ```ignore
//! #[tokio::test]
//! #[ignore = "browser test: cargo test --test browser -- --ignored"]
//! async fn my_journey() {
//!     let Some(b) = Browser::start(PHONE).await else { return };
//!     b.visit("/").await;
//!     b.click_text("Find the cause").await;
//!     b.finish().await;
//! }
//! ```

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/server.rs"]
mod server;
#[path = "../common/smtp.rs"]
mod smtp;

mod attachments;
mod audit;
mod email;
mod forms;
mod harness;
mod keyboard;
mod no_javascript;
mod pages;
mod requester;
mod staff;
