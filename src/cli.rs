//! The `apidesk` command line. `apidesk` with no subcommand serves, so that
//! `cargo run --release` starts the server exactly as `apidesk serve` does.

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(
    name = "apidesk",
    version,
    about = "Self-hosted support assistant for API errors"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve {
        #[command(flatten)]
        config: Config,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.config).await,
        Some(Command::Serve { config }) => serve(config).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!("apidesk listening on http://{}", app.local_addr());
    app.run_until(crate::startup::shutdown_signal()).await
}
