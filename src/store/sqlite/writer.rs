//! Group commit: one writer owns the database's write connection, and every
//! write (filing, additions, actions, outbox rows, sessions) is handed to
//! it as a job. The writer runs whatever is waiting, each job in a
//! savepoint of its own, commits them all in one `synchronous=FULL`
//! transaction (one fsync for the lot) and only then answers each.
//!
//! Writers used to queue on SQLite's busy handler, one commit and one fsync
//! per request, sleeping and retrying for the lock; now they queue here, in
//! order, and a storm of tickets is written at the speed of the disk.
//!
//! The writer runs on a thread and runtime of its own: each statement is a
//! round trip to the connection's thread, and on the server's runtime,
//! under load, every one of those wake-ups would wait behind the requests
//! being served.
//!
//! - A job that fails (or asks for it) is rolled back to its savepoint; its
//!   batch-mates are committed all the same.
//! - A job whose caller stopped waiting (a request that timed out) before
//!   it started is dropped unrun. Once started it runs to its end: the
//!   write connection is never interrupted.
//! - The answer comes only after the commit: a job told `Ok` is durable.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{mpsc, oneshot};

use super::durability;

/// What a job's work returns: a future borrowing the write connection.
pub(super) type Work<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// The most jobs one transaction holds; past it the writer commits and
/// starts another, so a long queue is still answered in steady steps.
const JOBS_PER_COMMIT: usize = 512;

/// Jobs that may wait for the writer before `write` itself waits for room.
const QUEUE: usize = 4096;

/// A handle on the writer; clones share it.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Message>,
}

enum Message {
    Job(Box<dyn Job>),
    /// Close the connection (checkpointing the WAL) and stop.
    Close(oneshot::Sender<()>),
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Message::Job(_) => "Job",
            Message::Close(_) => "Close",
        })
    }
}

/// The answer for a job once its batch's commit is known: `Ok` if it
/// committed (or there was nothing of it to commit).
type Deliver = Box<dyn FnOnce(Result<(), Arc<sqlx::Error>>) + Send>;

/// A job's outcome inside the transaction: whether to keep what it wrote,
/// and how to answer its caller once the commit is known.
struct Ran {
    keep: bool,
    deliver: Deliver,
}

/// One caller's write, its result type erased so jobs share a queue.
trait Job: Send {
    /// Whether the caller stopped waiting.
    fn gone(&self) -> bool;
    /// Runs the work on the write connection.
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> Work<'c, Ran>;
    /// Answers the caller without running (the writer could not begin).
    fn fail(self: Box<Self>, err: sqlx::Error);
}

struct Typed<F, T, E> {
    work: F,
    keep: fn(&Result<T, E>) -> bool,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for Typed<F, T, E>
where
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> Work<'c, Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: From<sqlx::Error> + Send + 'static,
{
    fn gone(&self) -> bool {
        self.reply.is_closed()
    }

    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> Work<'c, Ran> {
        let Typed { work, keep, reply } = *self;
        Box::pin(async move {
            let result = work(conn).await;
            let kept = keep(&result);
            let deliver: Deliver = Box::new(move |committed| {
                let answer = match committed {
                    Err(err) if kept => Err(E::from(commit_failed(err))),
                    _ => result,
                };
                // A caller gone since is no longer told; its write stands.
                let _ = reply.send(answer);
            });
            Ran {
                keep: kept,
                deliver,
            }
        })
    }

    fn fail(self: Box<Self>, err: sqlx::Error) {
        let _ = self.reply.send(Err(E::from(err)));
    }
}

/// A failed commit, told to each job of its batch.
fn commit_failed(err: Arc<sqlx::Error>) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(err))
}

impl Writer {
    /// Opens the write connection with `options` and starts the writer on
    /// a thread of its own.
    pub(super) async fn start(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        // Each job's savepoint keeps the pages it changes in a statement
        // journal, so that it alone can be rolled back; past 64 KiB SQLite
        // spills that journal to a temporary file: some 120 small file
        // writes per ticket filed, 95% of the writer's write calls
        // (`perf stat -e syscalls:sys_enter_pwrite64`). Kept in memory, it
        // is bounded by the pages one batch changes.
        let options = options.pragma("temp_store", "memory");
        let mut conn = options.connect().await?;
        durability::require(&mut conn).await?;
        let (queue, jobs) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("apidesk-writer".into())
            .spawn(move || runtime.block_on(run(conn, jobs)))?;
        Ok(Self { queue })
    }

    /// Runs `work` on the write connection within the next group commit.
    /// It is kept and committed if it returns `Ok`, rolled back to its
    /// savepoint otherwise; the result comes back once that is durable.
    pub(super) async fn write<F, T, E>(&self, work: F) -> Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> Work<'c, Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        self.write_keeping(work, Result::is_ok).await
    }

    /// As [`Writer::write`], keeping what the work wrote when `keep` says
    /// so of its result (e.g. not for a repeat that changed nothing).
    pub(super) async fn write_keeping<F, T, E>(
        &self,
        work: F,
        keep: fn(&Result<T, E>) -> bool,
    ) -> Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> Work<'c, Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Typed { work, keep, reply });
        let asked = std::time::Instant::now();
        if self.queue.send(Message::Job(job)).await.is_err() {
            return Err(E::from(sqlx::Error::PoolClosed));
        }
        let answered = answer.await;
        crate::metrics::write_waited(asked.elapsed().as_secs_f64());
        answered.unwrap_or_else(|_| Err(E::from(sqlx::Error::PoolClosed)))
    }

    /// Lets the writer finish what is queued, close its connection and stop.
    pub(super) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.queue.send(Message::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }
}

/// The writer: a batch per wake-up, until every handle is gone or it is
/// told to close.
async fn run(mut conn: SqliteConnection, mut queue: mpsc::Receiver<Message>) {
    let mut next = queue.recv().await;
    loop {
        match next {
            None => break,
            Some(Message::Close(done)) => {
                let _ = conn.close().await;
                let _ = done.send(());
                return;
            }
            Some(Message::Job(first)) => {
                next = batch(&mut conn, first, &mut queue).await;
                if next.is_none() {
                    next = queue.recv().await;
                }
            }
        }
    }
    let _ = conn.close().await;
}

/// Runs `first` and every job already waiting behind it (up to
/// `JOBS_PER_COMMIT`) in one transaction, commits, answers each. Returns a
/// message taken from the queue that does not belong in this batch.
async fn batch(
    conn: &mut SqliteConnection,
    first: Box<dyn Job>,
    queue: &mut mpsc::Receiver<Message>,
) -> Option<Message> {
    let mut pending = Some(first);
    // Skip jobs whose callers left while they queued: nothing to begin for.
    let first = loop {
        match pending.take() {
            Some(job) if job.gone() => {}
            Some(job) => break job,
            None => {}
        }
        match queue.try_recv() {
            Ok(Message::Job(job)) => pending = Some(job),
            Ok(other) => return Some(other),
            Err(_) => return None,
        }
    };
    let began = std::time::Instant::now();
    if let Err(err) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        first.fail(err);
        return None;
    }
    let mut answers: Vec<Deliver> = Vec::new();
    let mut broken: Option<sqlx::Error> = None;
    let mut job = Some(first);
    let mut left_over = None;
    let mut ran = 0;
    while let Some(current) = job.take() {
        ran += 1;
        if !current.gone() {
            match in_savepoint(conn, current).await {
                Ok(deliver) => answers.push(deliver),
                Err((deliver, err)) => {
                    // The transaction itself failed (SQLite may have rolled
                    // it all back): nothing in this batch can be trusted.
                    answers.push(deliver);
                    broken = Some(err);
                    break;
                }
            }
        }
        if ran == JOBS_PER_COMMIT {
            break;
        }
        match queue.try_recv() {
            Ok(Message::Job(next)) => job = Some(next),
            Ok(other) => {
                left_over = Some(other);
                break;
            }
            Err(_) => break,
        }
    }
    let outcome = match broken {
        None => match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(()),
            Err(err) => Err(Arc::new(err)),
        },
        Some(err) => Err(Arc::new(err)),
    };
    if outcome.is_err() {
        // Whatever is left of the transaction goes; a connection with no
        // transaction open answers this with an error, which is fine.
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    tracing::debug!(
        jobs = ran,
        took_us = began.elapsed().as_micros() as u64,
        ok = outcome.is_ok(),
        "group commit"
    );
    for deliver in answers {
        deliver(outcome.clone());
    }
    left_over
}

/// Runs one job in a savepoint, released if the job keeps its work and
/// rolled back to otherwise. `Err` when the savepoint itself failed.
async fn in_savepoint(
    conn: &mut SqliteConnection,
    job: Box<dyn Job>,
) -> Result<Deliver, (Deliver, sqlx::Error)> {
    if let Err(err) = sqlx::query("SAVEPOINT job").execute(&mut *conn).await {
        let failed: Deliver = Box::new(drop);
        job.fail(clone_error(&err));
        return Err((failed, err));
    }
    // A panic in one job must not take the writer, and every later write,
    // with it; what the transaction holds is then unknown, so it all goes.
    let Ok(Ran { keep, deliver }) = AssertUnwindSafe(job.run(conn)).catch_unwind().await else {
        let lost: Deliver = Box::new(drop);
        return Err((lost, sqlx::Error::WorkerCrashed));
    };
    let end = if keep {
        sqlx::query("RELEASE job").execute(&mut *conn).await
    } else {
        match sqlx::query("ROLLBACK TO job").execute(&mut *conn).await {
            Ok(_) => sqlx::query("RELEASE job").execute(&mut *conn).await,
            Err(err) => Err(err),
        }
    };
    match end {
        Ok(_) => Ok(deliver),
        Err(err) => Err((deliver, err)),
    }
}

/// `sqlx::Error` is not `Clone`; the copy keeps its message.
fn clone_error(err: &sqlx::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A writer on a fresh database holding one table, `t (x UNIQUE)`.
    async fn writer() -> (Writer, SqliteConnectOptions, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/w.db?mode=rwc", dir.path().display());
        let options = durability::durable(SqliteConnectOptions::from_str(&url).unwrap());
        let mut conn = options.connect().await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER UNIQUE)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        (Writer::start(options.clone()).await.unwrap(), options, dir)
    }

    /// What a connection of its own sees: only what was committed.
    async fn committed(options: &SqliteConnectOptions) -> Vec<i64> {
        let mut conn = options.connect().await.unwrap();
        sqlx::query_scalar("SELECT x FROM t ORDER BY x")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    }

    async fn insert(writer: &Writer, x: i64) -> Result<(), sqlx::Error> {
        writer
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO t VALUES (?)")
                        .bind(x)
                        .execute(tx)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Counts the writer's commits through a job that reads the counter a
    /// hook bumps: one transaction per batch shows as fewer commits than
    /// writes.
    #[tokio::test]
    async fn writes_waiting_together_share_a_commit_and_a_bad_one_fails_alone() {
        let (writer, options, _dir) = writer().await;
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        writer
            .write(move |tx| {
                Box::pin(async move {
                    let mut handle = tx.lock_handle().await?;
                    handle.set_commit_hook(move || {
                        counter.fetch_add(1, Ordering::Relaxed);
                        true
                    });
                    Ok::<_, sqlx::Error>(())
                })
            })
            .await
            .unwrap();
        commits.store(0, Ordering::Relaxed);
        // 300 writers at once; every tenth repeats a value, which the
        // UNIQUE column refuses.
        let mut tasks = Vec::new();
        for i in 0..300i64 {
            let writer = writer.clone();
            let x = if i % 10 == 9 { i - 1 } else { i };
            tasks.push(tokio::spawn(async move { (x, insert(&writer, x).await) }));
        }
        let mut refused = 0;
        for task in tasks {
            let (x, result) = task.await.unwrap();
            match result {
                Ok(()) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => refused += 1,
                Err(e) => panic!("{x}: {e}"),
            }
        }
        assert_eq!(refused, 30, "each repeat is refused on its own");
        let stored = committed(&options).await;
        assert_eq!(stored.len(), 270, "every other write was committed");
        let commits = commits.load(Ordering::Relaxed);
        assert!(
            (1..300).contains(&commits),
            "{commits} commits for 300 writes"
        );
    }

    /// Rolled back to its savepoint when its result is not to be kept;
    /// what ran before and after it in the batch stays.
    #[tokio::test]
    async fn a_write_not_kept_leaves_nothing() {
        let (writer, options, _dir) = writer().await;
        insert(&writer, 1).await.unwrap();
        let written = writer
            .write_keeping(
                |tx| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO t VALUES (2)").execute(tx).await?;
                        Ok::<_, sqlx::Error>("unchanged")
                    })
                },
                |_| false,
            )
            .await
            .unwrap();
        assert_eq!(written, "unchanged");
        insert(&writer, 3).await.unwrap();
        assert_eq!(committed(&options).await, [1, 3]);
    }

    /// A request that timed out while its write queued is not written:
    /// the writer skips it. One already running when its caller leaves is
    /// not interrupted: it runs to its end and is committed.
    #[tokio::test]
    async fn a_write_whose_caller_left_before_it_started_is_dropped() {
        let (writer, options, _dir) = writer().await;
        let (started, running) = oneshot::channel::<()>();
        let (release, released) = oneshot::channel::<()>();
        let busy = writer.clone();
        let first = tokio::spawn(async move {
            busy.write(move |tx| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO t VALUES (1)").execute(tx).await?;
                    started.send(()).unwrap();
                    released.await.unwrap();
                    Ok::<_, sqlx::Error>(())
                })
            })
            .await
        });
        running.await.unwrap();
        // Queued behind the running write, then given up on.
        let queued = writer.clone();
        let gave_up = tokio::time::timeout(std::time::Duration::from_millis(50), async move {
            insert(&queued, 2).await
        })
        .await;
        assert!(gave_up.is_err(), "still queued when its caller left");
        first.abort();
        assert!(first.await.unwrap_err().is_cancelled());
        release.send(()).unwrap();
        insert(&writer, 3).await.unwrap();
        assert_eq!(committed(&options).await, [1, 3]);
    }

    /// A job that panics fails, with whatever shared its transaction; the
    /// writer goes on with the next.
    #[tokio::test]
    async fn a_panicking_write_does_not_stop_the_writer() {
        let (writer, options, _dir) = writer().await;
        let panicked = writer
            .write(|_tx| -> Work<'_, Result<(), sqlx::Error>> {
                Box::pin(async move { panic!("a bug in one write") })
            })
            .await;
        assert!(panicked.is_err());
        insert(&writer, 7).await.unwrap();
        assert_eq!(committed(&options).await, [7]);
    }

    /// Closing lets the writer finish and stop; later writes are refused
    /// with an error, not left hanging.
    #[tokio::test]
    async fn once_closed_writes_are_refused() {
        let (writer, options, _dir) = writer().await;
        insert(&writer, 1).await.unwrap();
        writer.close().await;
        assert!(insert(&writer, 2).await.is_err());
        assert_eq!(committed(&options).await, [1]);
    }
}
