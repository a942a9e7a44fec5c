//! A consistent copy of the live database, and putting one back.
//!
//! A backup is `VACUUM INTO` a new file: SQLite reads one snapshot of the
//! database (in WAL mode, writers go on meanwhile) and writes it out whole
//! and compacted, so the copy is consistent without stopping apidesk.
//! Restoring replaces the database of a stopped deployment: the copy is
//! checked first (a whole SQLite database, made by this version of apidesk
//! or an earlier one), and refused while anything has the database open.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};

use super::SqliteStore;
use super::migrate::MIGRATOR;
use crate::store::{Backups, StoreError};

/// What a backup or a restore holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub tickets: i64,
    pub bytes: u64,
}

#[async_trait]
impl Backups for SqliteStore {
    /// Writes a consistent copy of the database to `to`, a file that must
    /// not exist yet; it is created readable by its owner only, as the
    /// database is.
    async fn backup_to(&self, to: &Path) -> Result<Copied, StoreError> {
        create_owner_only(to).map_err(StoreError::new)?;
        let path = to
            .to_str()
            .ok_or_else(|| StoreError::new(format!("{} is not a UTF-8 path", to.display())))?;
        // A connection of its own: the pool's refuse to write, and VACUUM
        // INTO writes (the copy) though it reads a snapshot. SQLite writes
        // the copy with its synchronous=FULL: it is fsynced before VACUUM
        // INTO returns.
        let mut conn = (*self.pool.connect_options()).clone().connect().await?;
        let written = sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        if let Err(err) = written {
            // Nothing half-written is left to be mistaken for a backup.
            let _ = std::fs::remove_file(to);
            return Err(err.into());
        }
        // The new file's name survives a power cut once its folder is synced.
        sync_folder_of(to).map_err(StoreError::new)?;
        // Counted in the copy itself: tickets filed since are not in it.
        let mut copy = SqliteConnectOptions::new()
            .filename(to)
            .read_only(true)
            .connect()
            .await?;
        let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(&mut copy)
            .await?;
        copy.close().await?;
        let bytes = std::fs::metadata(to).map_err(StoreError::new)?.len();
        Ok(Copied { tickets, bytes })
    }
}

/// A new file (never an existing one) that only its owner can read, as the
/// database is.
pub(super) fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Syncs the folder holding `file`, so that its entry is on disk.
fn sync_folder_of(file: &Path) -> std::io::Result<()> {
    match file.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => std::fs::File::open(".")?.sync_all(),
    }
}

/// The database file a `sqlite://` URL names.
fn database_file(database_url: &str) -> anyhow::Result<PathBuf> {
    let options = SqliteConnectOptions::from_str(database_url)
        .with_context(|| format!("invalid database URL {database_url:?}"))?;
    let file = options.get_filename().to_path_buf();
    if file.as_os_str().is_empty() || file.as_os_str() == ":memory:" {
        bail!("{database_url} is not a database file");
    }
    Ok(file)
}

/// Checks that `from` is a whole apidesk database this version can run
/// (its migrations no newer than ours); returns how many tickets it holds.
async fn check_backup(from: &Path) -> anyhow::Result<i64> {
    let options = SqliteConnectOptions::new()
        .filename(from)
        .read_only(true)
        .immutable(true);
    let mut conn = options
        .connect()
        .await
        .with_context(|| format!("cannot open {}", from.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not an SQLite database", from.display()))?;
    if integrity != "ok" {
        bail!("{} is damaged: {integrity}", from.display());
    }
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not an apidesk database", from.display()))?;
    let ours = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    match newest {
        None => bail!("{} is not an apidesk database", from.display()),
        Some(version) if version > ours => bail!(
            "{} was made by a newer apidesk (schema {version}; this one knows up to {ours}): \
             restore it with that version",
            from.display()
        ),
        Some(_) => {}
    }
    let tickets = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(tickets)
}

/// Fails if anything has the database open: in WAL mode every connection
/// holds a shared lock on the file, so an exclusive one is refused at once.
async fn check_stopped(file: &Path) -> anyhow::Result<()> {
    if !file.exists() {
        return Ok(());
    }
    let options = super::durability::durable(SqliteConnectOptions::new().filename(file))
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::ZERO);
    let held = async {
        let mut conn = options.connect().await?;
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await?;
        sqlx::query("COMMIT").execute(&mut conn).await?;
        conn.close().await
    }
    .await;
    if let Err(err) = held {
        bail!(
            "{} is in use (is apidesk running on it?): stop it, then restore ({err})",
            file.display()
        );
    }
    Ok(())
}

/// Replaces the database at `database_url` with the backup `from`, for a
/// stopped deployment. The old database's WAL and shared-memory files go
/// with it; the backup is copied beside it first and moved into place in
/// one rename, so a failure part-way leaves the old database as it was.
pub async fn restore(database_url: &str, from: &Path) -> anyhow::Result<Copied> {
    let file = database_file(database_url)?;
    let tickets = check_backup(from).await?;
    check_stopped(&file).await?;
    let staged = file.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    {
        let mut out = create_owner_only(&staged)
            .with_context(|| format!("cannot create {}", staged.display()))?;
        let mut input =
            std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
        std::io::copy(&mut input, &mut out)?;
        out.sync_all()?;
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = file.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {side:?}")),
        }
    }
    std::fs::rename(&staged, &file)
        .with_context(|| format!("cannot move the backup into {}", file.display()))?;
    // The rename itself survives a power cut only once its folder is synced.
    sync_folder_of(&file)?;
    let bytes = std::fs::metadata(&file)?.len();
    Ok(Copied { tickets, bytes })
}
