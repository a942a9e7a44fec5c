//! `apidesk token create|list|revoke`: API tokens from the command line, as
//! an admin would make them on the Tokens page.

use anyhow::{Context, bail};
use clap::Subcommand;
use time::OffsetDateTime;

use crate::config::Config;
use crate::store::Store;
use crate::tokens::{TokenSecret, check_new_token};

#[derive(Debug, Subcommand)]
pub(super) enum TokenCommand {
    /// Create a token and print it, once: only its hash is kept.
    Create {
        /// What will use it, e.g. "Workato error handler".
        #[arg(long)]
        name: String,
        /// tickets:create (the default), tickets:read, tickets:act; repeat
        /// for several.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// The email of the admin it acts for (what it does is recorded
        /// as that token, in their name).
        #[arg(long)]
        by: String,
    },
    /// List the tokens: id, name, scopes, the admin, last use.
    List,
    /// Revoke a token at once.
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

pub(super) async fn run(command: TokenCommand, config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    let result = act(&store, command).await;
    store.close().await;
    result
}

async fn act(store: &Store, command: TokenCommand) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    match command {
        TokenCommand::Create { name, scopes, by } => {
            let new = check_new_token(&name, &scopes).map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(|(_, m)| m.to_string()).collect();
                anyhow::anyhow!(lines.join(" "))
            })?;
            let (admin, _) = store
                .staff_credentials(by.trim())
                .await?
                .with_context(|| format!("no staff member has the address {by}"))?;
            if admin.disabled || !admin.role.is_admin() {
                bail!("{by} is not an active admin: only admins create tokens");
            }
            let secret = TokenSecret::generate();
            let token = store
                .create_token(&new, &secret.hash(), &secret.prefix(), admin.id, now)
                .await?;
            let scopes: Vec<&str> = token.scopes.iter().map(|s| s.as_str()).collect();
            eprintln!(
                "Created token {} \"{}\" ({}) for {}. It is shown once; keep it secret:",
                token.id,
                token.name,
                scopes.join(", "),
                admin.email
            );
            println!("{}", secret.reveal());
        }
        TokenCommand::List => {
            for token in store.tokens().await? {
                let scopes: Vec<&str> = token.scopes.iter().map(|s| s.as_str()).collect();
                println!(
                    "{}\t{}\t{}…\t{}\tby {}\t{}",
                    token.id,
                    token.name,
                    token.prefix,
                    scopes.join(","),
                    token.created_by_name,
                    match (token.revoked_at, token.last_used_at) {
                        (Some(_), _) => "revoked".to_string(),
                        (None, Some(at)) => format!(
                            "last used {}",
                            at.format(&time::format_description::well_known::Rfc3339)
                                .unwrap_or_default()
                        ),
                        (None, None) => "never used".to_string(),
                    }
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if store.revoke_token(id, now).await? {
                println!("Revoked token {id}: it no longer works.");
            } else {
                bail!("there is no token {id} in force");
            }
        }
    }
    Ok(())
}
