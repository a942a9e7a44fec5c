use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    apidesk::telemetry::init();
    apidesk::cli::run(apidesk::cli::Cli::parse()).await
}
