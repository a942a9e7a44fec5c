use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    apidesk::telemetry::init();
    match apidesk::cli::run(apidesk::cli::Cli::parse()).await {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the chain of causes on one line, without a backtrace.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
