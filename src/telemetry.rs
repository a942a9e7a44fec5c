//! Logging setup. `RUST_LOG` chooses what is printed; the default keeps
//! request lines and our own info messages. The log goes to standard error:
//! standard output is for what a command prints for its caller (`mail
//! ingest`'s answer to an MTA, a generated password), never mixed with it.
//!
//! `--log-format json` writes one JSON object per line: `timestamp`,
//! `level`, `target`, `fields` (with `message`), and `span`/`spans`, the
//! request span's `request_id`, `method` and `route`.

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

use crate::config::LogFormat;

/// The log filter when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "apidesk=info,tower_http=info,sqlx=warn";

pub fn init(format: LogFormat) {
    // Colour codes only for a person at a terminal, not in a file or journal.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // `try_init` so tests and embedders that already set a subscriber keep theirs.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer(format, std::io::stderr, colours))
        .try_init();
}

/// The formatting layer for `format`, writing to `writer` (in colour if
/// `colours`); public so tests can capture exactly what the server prints.
pub fn layer<S, W>(format: LogFormat, writer: W, colours: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(colours)
            .with_writer(writer)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_ansi(false)
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(writer)
            .boxed(),
    }
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `answer` (a request being answered) with `id` as its request id,
/// for error pages and problem documents to show.
pub async fn with_request_id<F: std::future::Future>(id: String, answer: F) -> F::Output {
    REQUEST_ID.scope(id, answer).await
}

/// The id of the request being answered, if called while answering one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
