#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = apidesk::cli::Cli::parse();
    apidesk::telemetry::init(cli.log_format());
    match apidesk::cli::run(cli).await {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the chain of causes on one line, without a backtrace.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
