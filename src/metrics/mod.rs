//! What `/metrics` reports: counters and histograms that the request layer,
//! sign-in, filing, deflection, rate limits, the delivery tasks and the
//! store add to as things happen. A leaf that every part may use.
//!
//! One registry per process (a static), as a Prometheus client library
//! keeps one: the things counted happen deep in the store and background
//! tasks, which should not have to carry a handle for this. Series only ever
//! grow, so tests that share a process assert that a series moved, never
//! its exact value.

mod exposition;
mod family;

use exposition::Text;
pub use exposition::{CONTENT_TYPE, Gauge};
use family::{Counters, Histograms};

static HTTP_REQUESTS: Counters = Counters::new(
    "apidesk_http_requests_total",
    "HTTP requests answered, by route pattern, method and status.",
    &["route", "method", "status"],
);
static HTTP_DURATION: Histograms = Histograms::new(
    "apidesk_http_request_duration_seconds",
    "Time to answer an HTTP request (to its headers), by route pattern.",
    &["route"],
);
static TICKETS_FILED: Counters = Counters::new(
    "apidesk_tickets_filed_total",
    "Tickets filed, by the way they came (form, api, mail).",
    &["via"],
);
static DEFLECTIONS: Counters = Counters::new(
    "apidesk_deflections_total",
    "Decision-tree walks that ended with \"Yes, fixed\", by error code.",
    &["code"],
);
static SIGNIN_FAILURES: Counters = Counters::new(
    "apidesk_signin_failures_total",
    "Staff sign-ins refused, by reason.",
    &["reason"],
);
static RATE_LIMIT_REFUSALS: Counters = Counters::new(
    "apidesk_rate_limit_refusals_total",
    "Requests refused by a rate limit, by level.",
    &["level"],
);
static DELIVERY_FAILURES: Counters = Counters::new(
    "apidesk_outbox_delivery_failures_total",
    "Delivery attempts that failed (to be retried or given up), by kind (mail, webhook).",
    &["kind"],
);
static DB_WRITE_WAIT: Histograms = Histograms::new(
    "apidesk_db_write_wait_seconds",
    "Time from handing a write to the writer to its group commit being durable.",
    &[],
);

/// The HTTP methods counted by name; any other is counted as "other", so a
/// client cannot add series by inventing methods.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// One answered request. `route` is the matched pattern, never the path.
pub fn request_answered(route: &str, method: &str, status: u16, seconds: f64) {
    let method = METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other");
    HTTP_REQUESTS.add(&[route, method, &status.to_string()], 1);
    HTTP_DURATION.observe(&[route], seconds);
}

/// How a ticket came in.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    Form,
    Api,
    Mail,
}

pub fn ticket_filed(via: Via) {
    let via = match via {
        Via::Form => "form",
        Via::Api => "api",
        Via::Mail => "mail",
    };
    TICKETS_FILED.add(&[via], 1);
}

/// A walk ended "Yes, fixed" for the error code `code` (as in its URL).
pub fn deflected(code: &str) {
    DEFLECTIONS.add(&[code], 1);
}

/// A sign-in refused: "wrong_credentials", "disabled", "rate_limited", "busy".
pub fn signin_failed(reason: &'static str) {
    SIGNIN_FAILURES.add(&[reason], 1);
}

/// A request refused at the rate-limit level named `level`.
pub fn rate_limit_refused(level: &'static str) {
    RATE_LIMIT_REFUSALS.add(&[level], 1);
}

/// A delivery attempt of `kind` ("mail" or "webhook") that failed.
pub fn delivery_failed(kind: &'static str) {
    DELIVERY_FAILURES.add(&[kind], 1);
}

/// A write was answered, durable, `seconds` after it was handed over.
pub fn write_waited(seconds: f64) {
    DB_WRITE_WAIT.observe(&[], seconds);
}

/// Every series, then `gauges` read at scrape time, in the text format.
pub fn render(gauges: &[Gauge]) -> String {
    let mut text = Text::default();
    text.counters(&HTTP_REQUESTS);
    text.histograms(&HTTP_DURATION);
    text.counters(&TICKETS_FILED);
    text.counters(&DEFLECTIONS);
    text.counters(&SIGNIN_FAILURES);
    text.counters(&RATE_LIMIT_REFUSALS);
    text.counters(&DELIVERY_FAILURES);
    text.histograms(&DB_WRITE_WAIT);
    text.gauges(gauges);
    text.finish()
}
