//! The `apidesk` command line. `apidesk` with no subcommand serves, so that
//! `cargo run --release` starts the server exactly as `apidesk serve` does.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use anyhow::Context;
use time::OffsetDateTime;

use crate::config::Config;
use crate::mail::inbound::Ingested;
use crate::staff::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewStaffMember, Role, StaffMember};
use crate::startup::Application;
use crate::store::Store;
use crate::tickets::OutgoingMail;
use content::ContentCommand;
use tokens::TokenCommand;

mod content;
mod tokens;

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

impl Cli {
    /// How log lines are written (`--log-format`), known before logging starts.
    pub fn log_format(&self) -> crate::config::LogFormat {
        self.config.log_format
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve,
    /// Manage support staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Fill the database with realistic synthetic tickets, for demos and benchmarks.
    Seed {
        /// How many tickets to add (appended to any already there).
        #[arg(long)]
        tickets: u64,
        /// Generator seed: the same seed gives the same tickets.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also create demo staff accounts (agent1…agent7, admin @apidesk.test)
        /// with a generated password, printed once. Refused when the database
        /// has any other staff account.
        #[arg(long)]
        demo_staff: bool,
    },
    /// Mail: test the outgoing settings, or take in one received message.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// API tokens for integrations: create (shown once), list, revoke.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Content: check a folder of articles and trees, or export the
    /// built-in content as the start of your own (served with --content).
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Write a consistent copy of the live database to FILE (a new file),
    /// while apidesk goes on serving.
    Backup {
        /// Where to write the copy; refused if it exists.
        file: std::path::PathBuf,
    },
    /// Put a backup back: replaces the database of a stopped deployment
    /// (refused while apidesk or anything else has it open).
    Restore {
        /// The backup to restore.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Send one short message with the configured settings (--smtp-url,
    /// --mail-from, --public-url) and say what the server answered.
    Test {
        /// Where to send it.
        #[arg(long)]
        to: String,
    },
    /// Take in one received message (RFC 5322) from standard input, as an
    /// MTA's pipe transport hands it over. Exits 0 when it was dealt with
    /// (including mail deliberately ignored), 65 when it is not mail or too
    /// large, 75 when it could not be stored (the MTA should try again).
    Ingest,
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Add a staff member. The password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "agent", value_parser = ["agent", "admin"])]
        role: String,
    },
    /// Disable a staff member: they cannot sign in and their sessions end.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Turn off a staff member's two-step sign-in (authenticator and
    /// recovery codes), for someone locked out with no admin to do it on
    /// the accounts page. Their password alone then signs them in.
    #[command(name = "reset-2fa")]
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
}

/// Exit statuses of `mail ingest` an MTA acts on (sysexits.h).
const EX_DATAERR: u8 = 65;
const EX_TEMPFAIL: u8 = 75;
const EX_NOPERM: u8 = 77;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let done = match cli.command {
        None | Some(Command::Serve) => serve(cli.config).await,
        Some(Command::Staff { command }) => staff(command, cli.config).await,
        Some(Command::Seed {
            tickets,
            seed,
            demo_staff,
        }) => {
            let options = crate::seed::SeedOptions {
                tickets,
                seed,
                demo_staff,
                row_by_row: false,
            };
            seed_command(options, cli.config).await
        }
        Some(Command::Mail {
            command: MailCommand::Test { to },
        }) => mail_test(&to, &cli.config)
            .await
            .map(|answer| println!("{answer}")),
        Some(Command::Mail {
            command: MailCommand::Ingest,
        }) => return mail_ingest(&cli.config).await,
        Some(Command::Content { command }) => return content::run(command),
        Some(Command::Token { command }) => tokens::run(command, cli.config).await,
        Some(Command::Backup { file }) => backup(&file, &cli.config).await,
        Some(Command::Restore { file }) => restore(&file, &cli.config).await,
    };
    done.map(|()| ExitCode::SUCCESS)
}

/// `apidesk backup FILE`.
async fn backup(file: &std::path::Path, config: &Config) -> anyhow::Result<()> {
    if file.exists() {
        anyhow::bail!("{} already exists: back up into a new file", file.display());
    }
    let store = Store::connect(&config.database_url).await?;
    let copied = store
        .backup_to(file)
        .await
        .with_context(|| format!("cannot back up into {}", file.display()));
    store.close().await;
    let copied = copied?;
    println!(
        "Backed up {} to {} ({} bytes).",
        tickets_counted(copied.tickets),
        file.display(),
        copied.bytes
    );
    Ok(())
}

/// "1 ticket", "3 tickets".
fn tickets_counted(count: i64) -> String {
    match count {
        1 => "1 ticket".to_string(),
        n => format!("{n} tickets"),
    }
}

/// `apidesk restore FILE`.
async fn restore(file: &std::path::Path, config: &Config) -> anyhow::Result<()> {
    let restored = Store::restore(&config.database_url, file).await?;
    // Opening it brings a backup from an earlier version up to date.
    Store::connect(&config.database_url).await?.close().await;
    println!(
        "Restored {} from {} into {}.",
        tickets_counted(restored.tickets),
        file.display(),
        config.database_url
    );
    Ok(())
}

/// `apidesk mail test`: the line to print when the server took the
/// message; otherwise the error, which `main` prints before exiting with
/// a failure status.
pub async fn mail_test(to: &str, config: &Config) -> anyhow::Result<String> {
    let settings = config
        .mail
        .check(config.public_url.as_deref())?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "email is not configured: set --smtp-url (APIDESK_SMTP_URL), \
                 --mail-from (APIDESK_MAIL_FROM) and --public-url (APIDESK_PUBLIC_URL)"
            )
        })?;
    let mailer = crate::mail::Mailer::new(&settings)?;
    mailer.test_connection(to).await.map_err(anyhow::Error::msg)
}

/// `apidesk mail ingest`: one message from standard input, and a line
/// saying what became of it. Whatever keeps it from being stored (the
/// database, the settings, reading the input) is temporary to the MTA, which
/// keeps the message and tries again rather than bouncing it.
async fn mail_ingest(config: &Config) -> anyhow::Result<ExitCode> {
    match take_one_message(config).await {
        Ok(ingested) => {
            println!("{}", ingested.describe());
            tracing::info!(outcome = %ingested.describe(), "mail ingested");
            Ok(match ingested {
                Ingested::Unreadable(_) => ExitCode::from(EX_DATAERR),
                Ingested::Taken(_) | Ingested::AlreadyTaken => ExitCode::SUCCESS,
                // Recorded, not filed: the MTA gives up on it (it bounces
                // only to a sender that has an envelope address, which
                // automatic mail does not, so no loop).
                Ingested::Refused => ExitCode::from(EX_NOPERM),
            })
        }
        Err(err) => {
            eprintln!("error: {err:#}; the message was not taken, try again later");
            Ok(ExitCode::from(EX_TEMPFAIL))
        }
    }
}

async fn take_one_message(config: &Config) -> anyhow::Result<Ingested> {
    use std::io::Read;
    let limit = crate::mail::inbound::MAX_INBOUND_BYTES;
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit as u64 + 1)
        .read_to_end(&mut raw)
        .context("cannot read the message from standard input")?;
    let outgoing = match config.mail.check(config.public_url.as_deref())? {
        Some(_) => OutgoingMail::On,
        None => OutgoingMail::Off,
    };
    let store = Store::connect_with(&config.database_url, outgoing).await?;
    let ingest = crate::mail::inbound::Ingest {
        store: store.clone(),
        targets: config.response_targets,
        open_tickets: config.mail.mail_new_tickets,
        sender_limit: config.rate_limits.rate(crate::config::Level::Mail),
        rules: config.file_rules(),
    };
    let result = ingest.take(raw).await;
    store.close().await;
    result.map_err(|err| {
        tracing::error!(cause = %err.cause(), "cannot store received mail");
        anyhow::anyhow!("the database failed")
    })
}

async fn staff(command: StaffCommand, config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    let result = match command {
        StaffCommand::Add { email, name, role } => {
            let role = Role::parse(&role).context("role must be agent or admin")?;
            add_staff(&store, &email, &name, role, read_password()?)
                .await
                .map(|added| {
                    println!("Added {} <{}> as {}.", added.name, added.email, added.role);
                })
        }
        StaffCommand::Disable { email } => {
            if store
                .disable_staff(email.trim(), OffsetDateTime::now_utc())
                .await?
            {
                println!("Disabled {email}; their sessions have ended.");
                Ok(())
            } else {
                Err(anyhow::anyhow!("no staff member with the email {email}"))
            }
        }
        StaffCommand::ResetTwoFactor { email } => reset_two_factor(&store, email.trim()).await,
    };
    store.close().await;
    result
}

/// `apidesk staff reset-2fa`.
async fn reset_two_factor(store: &Store, email: &str) -> anyhow::Result<()> {
    let Some((staff, _)) = store.staff_credentials(email).await? else {
        anyhow::bail!("no staff member with the email {email}");
    };
    let removed = store.remove_totp(staff.id).await?;
    tracing::info!(
        target: "apidesk::audit",
        staff_id = staff.id,
        by = "cli",
        action = "second_factor_reset",
        was_on = removed,
        "staff account changed"
    );
    if removed {
        println!(
            "Two-step sign-in is off for {email}: their password alone signs them in until they set it up again."
        );
    } else {
        println!("{email} had no two-step sign-in: nothing changed.");
    }
    Ok(())
}

/// Checks and hashes (in `staff`), then stores (in `store`).
async fn add_staff(
    store: &Store,
    email: &str,
    name: &str,
    role: Role,
    password: String,
) -> anyhow::Result<StaffMember> {
    let new = NewStaffMember::check(email, name, role, password).await?;
    let added = store
        .add_staff_member(new, OffsetDateTime::now_utc())
        .await?;
    tracing::info!(staff_id = added.id, %role, "staff member added");
    Ok(added)
}

async fn seed_command(options: crate::seed::SeedOptions, config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    let result = crate::seed::run(&store, options, &config.response_targets).await;
    store.close().await;
    result
}

/// One line from standard input. When a person is typing, say what is
/// expected; the terminal echoes, so pipe it in where that matters.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Password ({MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters, hard to guess): "
        );
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!("apidesk listening on http://{}", app.local_addr());
    app.run_until(crate::startup::shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_test_takes_the_mail_settings_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "apidesk",
            "mail",
            "test",
            "--to",
            "dana@example.com",
            "--smtp-url",
            "smtp://127.0.0.1:2525",
            "--mail-from",
            "support@example.com",
        ])
        .unwrap();
        let Some(Command::Mail {
            command: MailCommand::Test { to },
        }) = cli.command
        else {
            panic!("not the mail test command: {:?}", cli.command);
        };
        assert_eq!(to, "dana@example.com");
        assert_eq!(
            cli.config.mail.smtp_url.as_deref(),
            Some("smtp://127.0.0.1:2525")
        );
        assert_eq!(
            cli.config.mail.mail_from.as_deref(),
            Some("support@example.com")
        );
    }
}
