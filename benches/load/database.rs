//! The benchmark's databases: demo staff to sign in as, an API token, and
//! ticket counts read beside the running server.

use std::path::Path;

use apidesk::store::Store;
use time::OffsetDateTime;

use crate::client::ADMIN_EMAIL;
use crate::server::{cli, database_url};

pub struct Access {
    /// The demo staff's password, new each run.
    pub password: String,
    /// An API token with `tickets:create`.
    pub token: String,
}

/// Demo staff with a fresh password (refused if the file holds real staff:
/// point --database-dir elsewhere), and a new API token in the admin's name.
pub async fn prepare(file: &Path) -> anyhow::Result<Access> {
    let store = Store::connect(&database_url(file)).await?;
    let staff = apidesk::seed::demo_staff(&store, OffsetDateTime::now_utc()).await;
    store.close().await;
    let (_, password) = staff?;
    let name = format!("load bench {}", OffsetDateTime::now_utc().unix_timestamp());
    let token = cli(
        file,
        &["token", "create", "--name", &name, "--by", ADMIN_EMAIL],
    )?;
    Ok(Access {
        password: password.expose().to_string(),
        token: token.trim().to_string(),
    })
}

pub async fn count_tickets(file: &Path) -> anyhow::Result<u64> {
    let store = Store::connect(&database_url(file)).await?;
    let n = store.count_tickets().await;
    store.close().await;
    Ok(n? as u64)
}

/// The file and SQLite's companions beside it.
pub fn remove(file: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", file.display());
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
