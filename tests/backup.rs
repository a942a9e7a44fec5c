//! `apidesk backup` and `apidesk restore`: a consistent copy taken while
//! tickets are being filed, put back into a stopped deployment, and refused
//! where it would do harm (a running deployment, a file that is no backup,
//! one from a newer apidesk, a backup file already there).

#[cfg(unix)]
#[path = "common/binary.rs"]
mod binary;
mod common;
#[cfg(unix)]
#[path = "common/filing.rs"]
mod filing;
#[path = "common/queue.rs"]
mod queue_helpers;
#[path = "common/server.rs"]
mod server;

use std::path::Path;

use apidesk::store::Store;
use queue_helpers::{file, spec};
use server::Server;

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Every ticket's private token, in id order: what a restore must bring back.
async fn tokens(store: &Store) -> Vec<String> {
    let mut all = Vec::new();
    for id in 1..=store.count_tickets().await.unwrap() {
        let ticket = store.ticket_by_id(id).await.unwrap().unwrap();
        all.push(ticket.token.to_string());
    }
    all
}

#[tokio::test]
async fn a_backup_taken_while_tickets_are_filed_restores_whole_into_a_stopped_deployment() {
    let server = Server::start().await;
    let store = server.store.clone();
    for _ in 0..20 {
        file(&store, spec("401", "unauthorized", 1)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    // Tickets keep arriving while the copy is taken.
    let filing = {
        let store = store.clone();
        tokio::spawn(async move {
            for _ in 0..40 {
                file(&store, spec("429", "too many requests", 0)).await;
            }
        })
    };
    let copied = store.backup_to(&backup).await.unwrap();
    filing.await.unwrap();
    assert!(copied.tickets >= 20, "{copied:?}");
    assert!(copied.bytes > 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }
    // A second backup never overwrites the first.
    assert!(store.backup_to(&backup).await.is_err());

    // Restored into another deployment, stopped: every ticket the copy held.
    let target = dir.path().join("restored.db");
    let restored = Store::restore(&url(&target), &backup).await.unwrap();
    assert_eq!(restored.tickets, copied.tickets);
    let there = Store::connect(&url(&target)).await.unwrap();
    let all = tokens(&store).await;
    assert_eq!(tokens(&there).await, all[..copied.tickets as usize]);
    there.close().await;
    server.shut_down().await;
}

#[tokio::test]
async fn a_running_deployment_is_never_restored_over() {
    // The deployment's folder outlives its server, as on a real machine.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(common::test_config(&dir)).await;
    file(&server.store, spec("500", "server error", 1)).await;
    let backup = dir.path().join("backup.db");
    server.store.backup_to(&backup).await.unwrap();
    file(&server.store, spec("500", "after the backup", 0)).await;

    let refused = Store::restore(&server.config.database_url, &backup)
        .await
        .unwrap_err();
    assert!(format!("{refused:#}").contains("in use"), "{refused:#}");
    assert_eq!(server.store.count_tickets().await.unwrap(), 2, "untouched");

    // Stopped, it is restored: the ticket filed after the backup is gone.
    let database_url = server.config.database_url.clone();
    server.shut_down().await;
    let restored = Store::restore(&database_url, &backup).await.unwrap();
    assert_eq!(restored.tickets, 1);
    let store = Store::connect(&database_url).await.unwrap();
    assert_eq!(store.count_tickets().await.unwrap(), 1);
    store.close().await;
}

#[tokio::test]
async fn what_is_not_a_backup_this_version_can_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("apidesk.db");
    let store = Store::connect(&url(&target)).await.unwrap();
    file(&store, spec("404", "not found", 1)).await;
    store.close().await;

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all").unwrap();
    let refused = Store::restore(&url(&target), &text).await.unwrap_err();
    assert!(
        format!("{refused:#}").contains("not an SQLite database"),
        "{refused:#}"
    );

    // A database, but not apidesk's.
    let other = dir.path().join("other.db");
    let conn = Store::connect(&url(&dir.path().join("scratch.db")))
        .await
        .unwrap();
    conn.close().await;
    {
        use sqlx::Connection;
        let mut plain = sqlx::SqliteConnection::connect(&format!("{}?mode=rwc", url(&other)))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x)")
            .execute(&mut plain)
            .await
            .unwrap();
        plain.close().await.unwrap();
    }
    let refused = Store::restore(&url(&target), &other).await.unwrap_err();
    assert!(
        format!("{refused:#}").contains("not an apidesk database"),
        "{refused:#}"
    );

    // One from a newer apidesk.
    let newer = dir.path().join("newer.db");
    let source = Store::connect(&url(&dir.path().join("source.db")))
        .await
        .unwrap();
    source.backup_to(&newer).await.unwrap();
    source.close().await;
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url(&newer)).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from the future', 1, x'00', 0)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let refused = Store::restore(&url(&target), &newer).await.unwrap_err();
    assert!(
        format!("{refused:#}").contains("newer apidesk"),
        "{refused:#}"
    );

    // Each refusal left the deployment's database as it was.
    let store = Store::connect(&url(&target)).await.unwrap();
    assert_eq!(store.count_tickets().await.unwrap(), 1);
    store.close().await;
}

/// The two commands as an operator types them.
#[tokio::test]
async fn the_commands_back_up_and_restore_and_say_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let live = url(&dir.path().join("apidesk.db"));
    let store = Store::connect(&live).await.unwrap();
    for _ in 0..3 {
        file(&store, spec("403", "forbidden", 1)).await;
    }
    store.close().await;
    let apidesk = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_apidesk"))
            .args(args)
            .arg("--database-url")
            .arg(&live)
            .output()
            .expect("the apidesk binary runs")
    };
    let backup = dir.path().join("nightly.db");
    let backup = backup.to_str().unwrap();
    let out = apidesk(&["backup", backup]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Backed up 3 tickets to "));
    let again = apidesk(&["backup", backup]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    std::fs::remove_file(dir.path().join("apidesk.db")).unwrap();
    let out = apidesk(&["restore", backup]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Restored 3 tickets from "));
    let store = Store::connect(&live).await.unwrap();
    assert_eq!(store.count_tickets().await.unwrap(), 3);
    store.close().await;
}

/// As an operator does it, on the real binary: `apidesk backup` against a
/// running server's database while tickets are filed through the form and
/// the API, then `apidesk restore` into the stopped deployment, which
/// serves what the copy held.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_of_a_running_server_holds_every_ticket_acknowledged_before_it_began() {
    use filing::{Clients, Ledger, Receipt, check, read_database};
    use std::time::Duration;

    let deployment = binary::Deployment::new().await;
    let server = deployment.start().await;
    let ledger = Ledger::default();
    let clients = Clients::start(&server.base, &deployment.token, "b", 2, &ledger);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before_backup = ledger.lock().unwrap().clone();
    let backup = deployment.dir.path().join("backup.db");
    let backup_arg = backup.to_str().unwrap();
    // Writes go on while the copy is taken, and after.
    let out = tokio::task::block_in_place(|| deployment.command(&["backup", backup_arg]));
    binary::assert_success(&out, "backup");
    tokio::time::sleep(Duration::from_millis(300)).await;
    clients.stop().await;
    let all = ledger.lock().unwrap().clone();

    let (integrity, copied) = read_database(&backup).await;
    assert_eq!(integrity, "ok");
    let tally = check(&copied, &all, &before_backup);
    let acknowledged_before = before_backup.iter().filter(|a| a.acknowledged()).count();
    assert!(
        acknowledged_before > 0,
        "nothing was filed before the backup"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with(&format!("Backed up {} tickets to ", copied.len())),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let refused = deployment.command(&["restore", backup_arg]);
    assert!(!refused.status.success(), "restored over a running server");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("in use"));
    server.terminate();
    let exit = server.exit_within(Duration::from_secs(10));
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");

    let out = deployment.command(&["restore", backup_arg]);
    binary::assert_success(&out, "restore");
    let server = deployment.start().await;
    let (integrity, restored) = read_database(&deployment.database).await;
    assert_eq!(integrity, "ok");
    let ids = |tickets: &[filing::Stored]| {
        tickets
            .iter()
            .map(|t| (t.id, t.token.clone(), t.fields.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&restored),
        ids(&copied),
        "the restored database is the copy"
    );
    check(&restored, &all, &before_backup);
    // The server serves a restored ticket's status page.
    let token = before_backup
        .iter()
        .find_map(|a| match &a.outcome {
            filing::Outcome::Acknowledged(Receipt::Token(token)) => Some(token.clone()),
            _ => None,
        })
        .expect("a ticket filed through the form before the backup");
    let page = reqwest::get(format!("{}/tickets/{token}", server.base))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    println!(
        "backup under writes: {acknowledged_before} acknowledged before it began, {} in the \
         copy, {} acknowledged in all",
        copied.len(),
        tally.acknowledged
    );
    server.terminate();
    assert!(
        server
            .exit_within(Duration::from_secs(10))
            .is_some_and(|s| s.success())
    );
}
