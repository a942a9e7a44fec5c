//! Logging setup. `RUST_LOG` chooses what is printed; the default keeps
//! request lines and our own info messages. The log goes to standard error:
//! standard output is for what a command prints for its caller (`mail
//! ingest`'s answer to an MTA, a generated password), never mixed with it.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("apidesk=info,tower_http=info,sqlx=warn"));
    // `try_init` so tests and embedders that already set a subscriber keep theirs.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
