//! `apidesk seed --tickets N [--seed S]`: fills the database with realistic
//! synthetic tickets, for demos and benchmarks.
//!
//! Each ticket is generated from `(seed, its position in the run)` alone, by a
//! small PRNG (splitmix64), so a seed gives the same tickets whatever the
//! batch size. Only the tokens and submission ids are truly random (UUID v4):
//! tokens must stay unguessable even in a demo.
//!
//! The run covers the last two years, `created_at` increasing with the id and
//! volume growing over time (the last day has about twice the tickets of a day
//! two years ago). Status follows age: old tickets are mostly resolved or
//! closed, recent ones new, open or waiting, and about 2% of all tickets still
//! need a human. Each ticket's timeline (`ticket_events`) tells the same
//! story, about 3.6 events per ticket on average.
//!
//! Generation runs on a blocking thread, one batch ahead of the writer, so
//! the two cores split the work between building rows and SQLite.

mod call;
mod generator;
mod rng;
mod templates;
mod text;
mod timeline;
mod words;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use anyhow::Context;
use time::{Duration, OffsetDateTime};

use crate::kb::KnowledgeBase;
use crate::staff::{Password, Role, StaffMember, hash_password};
use crate::store::{AddStaffError, SeedTicket, Store};
use crate::tickets::ResponseTargets;

use generator::Generator;

/// The password of the demo staff accounts the seed creates.
pub const DEMO_PASSWORD: &str = "apidesk-demo-password";

/// Tickets per write transaction.
pub const BATCH_TICKETS: usize = 10_000;

/// `run` prints a progress line every this many tickets.
pub const PROGRESS_EVERY: u64 = 100_000;

/// The demo staff: created when fewer staff than this exist.
const DEMO_STAFF: [(&str, &str, Role); 8] = [
    ("agent1@apidesk.test", "Priya Raman", Role::Agent),
    ("agent2@apidesk.test", "Marcus Webb", Role::Agent),
    ("agent3@apidesk.test", "Lena Fischer", Role::Agent),
    ("agent4@apidesk.test", "Tomás Ortega", Role::Agent),
    ("agent5@apidesk.test", "Aisha Bello", Role::Agent),
    ("agent6@apidesk.test", "Kenji Watanabe", Role::Agent),
    ("agent7@apidesk.test", "Claire Dubois", Role::Agent),
    ("admin@apidesk.test", "Sam Okafor", Role::Admin),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    pub tickets: u64,
    pub seed: u64,
}

/// How far a seed has got, after each batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedProgress {
    pub tickets: u64,
    pub events: u64,
    pub elapsed: StdDuration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeedReport {
    pub tickets: u64,
    pub events: u64,
    /// Demo staff accounts created by this run.
    pub staff_created: usize,
    /// Ids of the first and last ticket added (none when `tickets` is 0).
    pub ids: Option<(i64, i64)>,
    pub elapsed: StdDuration,
}

impl SeedReport {
    /// Tickets per second.
    pub fn rate(&self) -> f64 {
        rate(self.tickets, self.elapsed)
    }
}

fn rate(tickets: u64, elapsed: StdDuration) -> f64 {
    tickets as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// The `seed` command: seeds and prints progress and a summary.
pub async fn run(
    store: &Store,
    options: SeedOptions,
    targets: &ResponseTargets,
) -> anyhow::Result<()> {
    let total = options.tickets;
    let report = seed(store, options, targets, OffsetDateTime::now_utc(), |p| {
        if p.tickets.is_multiple_of(PROGRESS_EVERY) && p.tickets < total {
            println!(
                "{:>9} / {total} tickets, {} events ({:.0} tickets/s)",
                p.tickets,
                p.events,
                rate(p.tickets, p.elapsed)
            );
        }
    })
    .await?;
    if report.staff_created > 0 {
        println!(
            "created {} demo staff accounts (agent1@apidesk.test … admin@apidesk.test)",
            report.staff_created
        );
    }
    println!("seeded staff password: {DEMO_PASSWORD}");
    let ids = report
        .ids
        .map(|(first, last)| format!(" (ids {first}–{last})"))
        .unwrap_or_default();
    println!(
        "seeded {} tickets{ids} and {} events in {:.1} s: {:.0} tickets/s",
        report.tickets,
        report.events,
        report.elapsed.as_secs_f64(),
        report.rate()
    );
    Ok(())
}

/// Adds `options.tickets` tickets (and the demo staff if fewer staff exist)
/// to the database, calling `progress` after each batch. `now` is the end of
/// the two years the tickets spread over.
pub async fn seed(
    store: &Store,
    options: SeedOptions,
    targets: &ResponseTargets,
    now: OffsetDateTime,
    mut progress: impl FnMut(&SeedProgress),
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let now = now
        .replace_nanosecond(0)
        .expect("zero nanoseconds is valid");
    let (staff_created, staff) = ensure_staff(store, now).await?;
    let kb = KnowledgeBase::load_embedded().context("cannot load the decision trees")?;
    let generator = Arc::new(Generator::new(options, now, *targets, &staff, &kb));

    let total = options.tickets;
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<SeedTicket>>(2);
    let producer = tokio::task::spawn_blocking(move || {
        let mut start = 0;
        while start < total {
            let end = (start + BATCH_TICKETS as u64).min(total);
            let batch = (start..end).map(|i| generator.ticket(i)).collect();
            if sender.blocking_send(batch).is_err() {
                break; // The writer stopped on an error; it reports it.
            }
            start = end;
        }
    });

    let mut loader = store.seed_loader().await?;
    let mut done = SeedProgress {
        tickets: 0,
        events: 0,
        elapsed: StdDuration::ZERO,
    };
    let mut ids = None;
    while let Some(batch) = batches.recv().await {
        let stored = loader
            .insert_batch(&batch)
            .await
            .context("cannot store a batch of seeded tickets")?;
        let last = stored.first_id + stored.tickets as i64 - 1;
        ids = Some(ids.map_or((stored.first_id, last), |(first, _)| (first, last)));
        done.tickets += stored.tickets as u64;
        done.events += stored.events as u64;
        done.elapsed = started.elapsed();
        progress(&done);
    }
    producer.await.context("the ticket generator failed")?;
    loader.finish().await?;
    Ok(SeedReport {
        tickets: done.tickets,
        events: done.events,
        staff_created,
        ids,
        elapsed: started.elapsed(),
    })
}

/// Creates the demo staff when fewer staff than that exist (keeping anyone
/// already there), and returns how many it created and everyone active.
async fn ensure_staff(
    store: &Store,
    now: OffsetDateTime,
) -> anyhow::Result<(usize, Vec<StaffMember>)> {
    let mut created = 0;
    if store.active_staff().await?.len() < DEMO_STAFF.len() {
        // One hash for every account: Argon2 is slow on purpose.
        let password = Password::new(DEMO_PASSWORD.into()).map_err(anyhow::Error::msg)?;
        let hash = hash_password(&password)?;
        let joined = now - Duration::days(760);
        for (email, name, role) in DEMO_STAFF {
            match store.add_staff(email, name, role, &hash, joined).await {
                Ok(_) => created += 1,
                Err(AddStaffError::EmailTaken) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let mut staff = store.active_staff().await?;
    staff.sort_by_key(|s| s.id);
    anyhow::ensure!(
        !staff.is_empty(),
        "no active staff to assign tickets to (the demo accounts exist but are disabled)"
    );
    Ok((created, staff))
}
