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

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use anyhow::Context;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::{ErrorCode, HttpMethod};
use crate::kb::KnowledgeBase;
use crate::staff::{Password, Role, StaffMember, hash_password};
use crate::store::{AddStaffError, SeedActor, SeedEvent, SeedTicket, Store};
use crate::tickets::{
    Environment, NewTicket, Priority, ResponseTargets, TicketStatus, Tool, reference_for,
    similar_key,
};

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

/// Two years, in seconds.
const SPAN_SECS: f64 = 730.0 * 86_400.0;
/// The newest ticket is this old, so its timeline fits before "now".
const MIN_AGE_SECS: f64 = 300.0;
/// Distinct requesters tickets are drawn from (a few file many tickets).
const REQUESTERS: u64 = 5_000;

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

// ---------------------------------------------------------------------------
// The generator

#[derive(Debug)]
struct Agent {
    id: i64,
    first_name: String,
}

#[derive(Debug)]
struct Generator {
    seed: u64,
    total: u64,
    now: OffsetDateTime,
    targets: ResponseTargets,
    staff: Vec<Agent>,
    /// Cumulative weights, parallel to `staff`: some agents take more tickets.
    staff_weights: Vec<u64>,
    admin: Option<usize>,
    /// Step ids of each code's tree, in `ErrorCode::ALL` order.
    trees: Vec<Vec<String>>,
}

/// The failing call a ticket is about.
struct Call {
    method: HttpMethod,
    endpoint: String,
    path: String,
    view: u64,
    record: u64,
}

/// What a ticket's texts may mention, so they agree with one another.
struct Ctx<'a> {
    first: &'a str,
    email: &'a str,
    agent: &'a str,
    code: ErrorCode,
    method: HttpMethod,
    path: &'a str,
    tool: &'a str,
    view: u64,
    record: u64,
    job: u64,
    recipe: u64,
    date: Date,
    table: &'static str,
    field: &'static str,
    role: &'static str,
    limit: u32,
    request_id: String,
    max_ref: u64,
}

/// One timeline entry, `offset` seconds after the ticket was created.
struct Step {
    offset: i64,
    actor: SeedActor,
    kind: &'static str,
    public: bool,
    body: String,
    data: String,
}

impl Generator {
    fn new(
        options: SeedOptions,
        now: OffsetDateTime,
        targets: ResponseTargets,
        staff: &[StaffMember],
        kb: &KnowledgeBase,
    ) -> Self {
        let mut cumulative = 0;
        let mut agents = 0;
        let mut staff_weights = Vec::with_capacity(staff.len());
        let mut admin = None;
        for (i, member) in staff.iter().enumerate() {
            let weight = if member.role.is_admin() {
                admin.get_or_insert(i);
                1
            } else {
                agents += 1;
                6 - (agents - 1) % 5
            };
            cumulative += weight;
            staff_weights.push(cumulative);
        }
        Self {
            seed: options.seed,
            total: options.tickets.max(1),
            now,
            targets,
            staff: staff
                .iter()
                .map(|s| Agent {
                    id: s.id,
                    first_name: s
                        .name
                        .split_whitespace()
                        .next()
                        .unwrap_or("Support")
                        .to_string(),
                })
                .collect(),
            staff_weights,
            admin,
            trees: ErrorCode::ALL
                .iter()
                .map(|&code| kb.tree(code).steps.iter().map(|s| s.id.clone()).collect())
                .collect(),
        }
    }

    fn pick_staff(&self, rng: &mut Rng) -> usize {
        let total = *self
            .staff_weights
            .last()
            .expect("at least one staff member");
        let r = rng.below(total);
        self.staff_weights.partition_point(|&w| w <= r)
    }

    fn ticket(&self, index: u64) -> SeedTicket {
        let mut rng = Rng::for_item(self.seed, 0x7469_636b, index);
        // Position in the run → age. Volume grows linearly to twice the
        // starting rate; inverting its cumulative gives s = √(1+3x) − 1.
        let x = (index as f64 + rng.unit()) / self.total as f64;
        let s = ((1.0 + 3.0 * x).sqrt() - 1.0).clamp(0.0, 1.0);
        let age_secs = (MIN_AGE_SECS + (1.0 - s) * SPAN_SECS) as i64;
        let created_at = self.now - Duration::seconds(age_secs);
        let status = status_for_age(&mut rng, age_secs as f64 / 86_400.0);

        let code = rng.weighted(&[
            (ErrorCode::Unauthorized, 30),
            (ErrorCode::TooManyRequests, 22),
            (ErrorCode::InternalServerError, 14),
            (ErrorCode::NotFound, 13),
            (ErrorCode::Forbidden, 12),
            (ErrorCode::Other, 9),
        ]);
        let environment = rng.weighted(&[
            (Environment::Production, 70),
            (Environment::Sandbox, 20),
            (Environment::Unsure, 10),
        ]);
        let tool = match rng.weighted(&[(0, 50), (1, 14), (2, 10), (3, 13), (4, 9), (5, 4)]) {
            0 => Tool::Workato,
            1 => Tool::Zapier,
            2 => Tool::Make,
            3 => Tool::Script,
            4 => Tool::Postman,
            _ => Tool::Other(rng.pick(&OTHER_TOOLS).to_string()),
        };
        let call = call(&mut rng, code);
        let (name, email) = self.requester(&mut rng);
        let first = name.split_whitespace().next().unwrap_or("there");
        let tool_label = tool.label();
        let mut ctx = Ctx {
            first,
            email: &email,
            agent: "",
            code,
            method: call.method,
            path: &call.path,
            tool: &tool_label,
            view: call.view,
            record: call.record,
            job: 10_000_000 + rng.below(90_000_000),
            recipe: 1_000_000 + rng.below(9_000_000),
            date: (created_at - Duration::days(rng.range(0, 20))).date(),
            table: rng.pick(&TABLES),
            field: rng.pick(&FIELDS),
            role: rng.pick(&ROLES),
            limit: rng.pick(&[60, 120, 300, 600]),
            request_id: format!("{:016x}", rng.next_u64()),
            max_ref: index.max(1),
        };

        let message = message(&mut rng, &ctx, &tool);
        let recent_changes = if rng.chance(0.45) {
            String::new()
        } else {
            fill(rng.pick(&RECENT_CHANGES), &ctx, &mut rng)
        };
        let steps = &self.trees[code_index(code)];
        let path = if rng.chance(0.55) && !steps.is_empty() {
            let len = if rng.chance(0.5) {
                steps.len()
            } else {
                1 + rng.below(steps.len() as u64) as usize
            };
            steps[..len].to_vec()
        } else {
            Vec::new()
        };
        let occurred_at = created_at
            - if rng.chance(0.1) {
                Duration::seconds(rng.range(86_400, 5 * 86_400))
            } else {
                Duration::seconds(rng.range(30, 3 * 3_600))
            };
        let r = rng.unit();
        let priority = if r < 0.02 {
            Priority::Urgent
        } else if r < 0.07 {
            Priority::High
        } else if r < 0.10 {
            Priority::Low
        } else {
            Priority::initial(code, environment)
        };
        let target = self.targets.for_priority(priority);
        let similar = similar_key(code, call.method, &call.endpoint, &tool);

        let (steps, assignee_id) =
            self.timeline(&mut rng, &mut ctx, status, target.whole_seconds(), age_secs);
        let first_response_at = steps
            .iter()
            .find(|s| s.kind == "reply")
            .map(|s| created_at + Duration::seconds(s.offset));
        let updated_at = created_at + Duration::seconds(steps.last().map_or(0, |s| s.offset));
        let events = steps
            .into_iter()
            .map(|s| SeedEvent {
                at: created_at + Duration::seconds(s.offset),
                actor: s.actor,
                kind: s.kind,
                public: s.public,
                body: s.body,
                data: s.data,
            })
            .collect();
        SeedTicket {
            token: Uuid::new_v4(),
            details: NewTicket {
                submission_id: Uuid::new_v4(),
                error_code: code,
                message,
                endpoint: call.endpoint,
                method: call.method,
                occurred_at,
                tool,
                recent_changes,
                environment,
                name,
                email,
                path,
            },
            status,
            priority,
            assignee_id,
            first_response_at,
            due_at: created_at + target,
            similar_key: similar,
            created_at,
            updated_at,
            events,
        }
    }

    /// A requester from a fixed pool, some filing far more tickets than
    /// others; the same requester always has the same name and address.
    fn requester(&self, rng: &mut Rng) -> (String, String) {
        let u = rng.unit();
        let who = ((u * u) * REQUESTERS as f64) as u64;
        let mut r = Rng::for_item(self.seed, 0x7265_7175, who);
        let (first, first_ascii) = r.pick(&FIRST_NAMES);
        let (last, last_ascii) = r.pick(&LAST_NAMES);
        let (company, domain) = r.pick(&COMPANIES);
        let local = match r.below(10) {
            0..=4 => format!("{first_ascii}.{last_ascii}"),
            5 | 6 => format!("{}{last_ascii}", &first_ascii[..1]),
            7 => first_ascii.to_string(),
            8 => format!(
                "{first_ascii}.{last_ascii}+{}",
                company
                    .split(' ')
                    .next()
                    .unwrap_or("ops")
                    .to_ascii_lowercase()
            ),
            _ => format!("{last_ascii}.{first_ascii}"),
        };
        let name = if r.chance(0.08) {
            String::new()
        } else {
            format!("{first} {last}")
        };
        (name, format!("{local}@{domain}"))
    }

    /// The ticket's life so far, as events `offset` seconds after creation,
    /// ending with the ticket in `status`; and who it is assigned to.
    fn timeline<'a>(
        &'a self,
        rng: &mut Rng,
        ctx: &mut Ctx<'a>,
        status: TicketStatus,
        target_secs: i64,
        age_secs: i64,
    ) -> (Vec<Step>, Option<i64>) {
        use TicketStatus::*;
        let mut steps = Vec::with_capacity(8);
        let mut t = 0;
        steps.push(Step {
            offset: 0,
            actor: SeedActor::Requester,
            kind: "created",
            public: true,
            body: String::new(),
            data: "{}".into(),
        });
        let assigned_share = match status {
            New => 0.05,
            Open => 0.88,
            Waiting | Resolved => 0.95,
            Closed => 0.92,
        };
        let assignee = rng.chance(assigned_share).then(|| self.pick_staff(rng));
        let worker = assignee.unwrap_or_else(|| self.pick_staff(rng));
        let worker_id = self.staff[worker].id;
        ctx.agent = &self.staff[worker].first_name;
        let staff = SeedActor::Staff(worker_id);
        // When staff first reply: mostly well within the priority's target,
        // about one in seven late. What comes before the reply (assignment,
        // opening, a note) happens well before it.
        let respond_at = if rng.chance(0.86) {
            let u = rng.unit();
            target_secs as f64 * (0.02 + 0.83 * u * u)
        } else {
            target_secs as f64 * (1.0 + 1.5 * rng.unit())
        }
        .max(120.0) as i64;
        let before_reply = |rng: &mut Rng| rng.range(20, (respond_at / 4).max(40));

        let assigned_event = match status {
            New => 1.0,
            Open => 0.5,
            Waiting => 0.4,
            Resolved => 0.3,
            Closed => 0.2,
        };
        if let Some(a) = assignee
            && rng.chance(assigned_event)
        {
            t += before_reply(rng);
            let by = match self.admin {
                Some(admin) if rng.chance(0.5) => admin,
                _ => a,
            };
            steps.push(Step {
                offset: t,
                actor: SeedActor::Staff(self.staff[by].id),
                kind: "assigned",
                public: false,
                body: String::new(),
                data: format!(r#"{{"from":null,"to":{}}}"#, self.staff[a].id),
            });
        }

        let mut state = New;
        let mut change = |steps: &mut Vec<Step>, t: i64, to: TicketStatus, actor: SeedActor| {
            steps.push(Step {
                offset: t,
                actor,
                kind: "status",
                public: true,
                body: String::new(),
                data: format!(r#"{{"from":"{}","to":"{}"}}"#, state.as_str(), to.as_str()),
            });
            state = to;
        };
        let note = |steps: &mut Vec<Step>, t: i64, rng: &mut Rng, ctx: &Ctx<'_>| {
            steps.push(Step {
                offset: t,
                actor: staff,
                kind: "note",
                public: false,
                body: fill(rng.pick(&NOTES), ctx, rng),
                data: "{}".into(),
            });
        };
        let reply = |steps: &mut Vec<Step>, t: i64, body: String| {
            steps.push(Step {
                offset: t,
                actor: staff,
                kind: "reply",
                public: true,
                body,
                data: "{}".into(),
            });
        };
        let first_reply = |rng: &mut Rng, ctx: &Ctx<'_>| {
            let pool: &[&str] = if rng.chance(0.65) {
                answers_for(ctx.code)
            } else {
                &GENERIC_REPLIES
            };
            fill(rng.pick(pool), ctx, rng)
        };
        let requester_reply = |steps: &mut Vec<Step>, t: &mut i64, rng: &mut Rng, ctx: &Ctx<'_>| {
            *t += rng.range(1_800, 3 * 86_400);
            steps.push(Step {
                offset: *t,
                actor: SeedActor::Requester,
                kind: "requester_reply",
                public: true,
                body: fill(rng.pick(&REQUESTER_REPLIES), ctx, rng),
                data: "{}".into(),
            });
        };

        match status {
            New => {
                if rng.chance(0.04) {
                    t += rng.range(300, 86_400);
                    note(&mut steps, t, rng, ctx);
                }
            }
            Open => {
                t += before_reply(rng);
                change(&mut steps, t, Open, staff);
                if rng.chance(0.35) {
                    t += before_reply(rng);
                    note(&mut steps, t, rng, ctx);
                }
                if rng.chance(0.55) {
                    t = (t + 30).max(respond_at);
                    reply(&mut steps, t, first_reply(rng, ctx));
                    if rng.chance(0.15) {
                        requester_reply(&mut steps, &mut t, rng, ctx);
                    }
                }
            }
            Waiting => {
                if rng.chance(0.3) {
                    t += before_reply(rng);
                    change(&mut steps, t, Open, staff);
                }
                if rng.chance(0.2) {
                    t += before_reply(rng);
                    note(&mut steps, t, rng, ctx);
                }
                t = (t + 30).max(respond_at);
                reply(&mut steps, t, fill(rng.pick(&QUESTIONS), ctx, rng));
                t += rng.range(5, 60);
                change(&mut steps, t, Waiting, staff);
            }
            Resolved | Closed => {
                // Closed tickets: closed directly (answered, duplicate, spam),
                // auto-closed a week after being resolved, or closed from open.
                let route = if status == Resolved {
                    rng.weighted(&[(Route::Direct, 70), (Route::ViaOpen, 30)])
                } else {
                    rng.weighted(&[
                        (Route::Direct, 60),
                        (Route::ViaResolved, 25),
                        (Route::ViaOpen, 15),
                    ])
                };
                if route == Route::ViaOpen {
                    t += before_reply(rng);
                    change(&mut steps, t, Open, staff);
                }
                if rng.chance(if status == Resolved { 0.2 } else { 0.12 }) {
                    t += before_reply(rng);
                    note(&mut steps, t, rng, ctx);
                }
                if rng.chance(if status == Resolved { 0.92 } else { 0.85 }) {
                    t = (t + 30).max(respond_at);
                    reply(&mut steps, t, first_reply(rng, ctx));
                    if rng.chance(if status == Resolved { 0.12 } else { 0.06 }) {
                        requester_reply(&mut steps, &mut t, rng, ctx);
                        t += rng.range(600, 86_400);
                        reply(&mut steps, t, fill(rng.pick(&FOLLOW_UPS), ctx, rng));
                    }
                }
                t += if rng.chance(0.5) {
                    rng.range(5, 60)
                } else {
                    rng.range(3_600, 5 * 86_400)
                };
                if route == Route::ViaResolved {
                    change(&mut steps, t, Resolved, staff);
                    t += 7 * 86_400 + rng.range(0, 3_600);
                    change(&mut steps, t, Closed, SeedActor::System);
                } else {
                    change(&mut steps, t, status, staff);
                }
            }
        }

        fit_before_now(&mut steps, age_secs);
        (steps, assignee.map(|a| self.staff[a].id))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Direct,
    ViaOpen,
    ViaResolved,
}

/// A recent ticket's timeline is squeezed, keeping its order, so that every
/// event happened after the ticket was created and before now.
fn fit_before_now(steps: &mut [Step], age_secs: i64) {
    let last = steps.last().map_or(0, |s| s.offset);
    let room = age_secs - 1 - steps.len() as i64;
    if last <= room || last == 0 {
        return;
    }
    let scale = room.max(0) as f64 / last as f64;
    let mut previous = 0;
    for step in steps.iter_mut().skip(1) {
        step.offset = ((step.offset as f64 * scale) as i64).max(previous + 1);
        previous = step.offset;
    }
}

/// Old tickets are mostly resolved or closed; recent ones are still being
/// worked. Shares are per mille, by age in days.
fn status_for_age(rng: &mut Rng, age_days: f64) -> TicketStatus {
    use TicketStatus::*;
    let shares: &[(TicketStatus, u64)] = if age_days < 2.0 {
        &[(New, 450), (Open, 350), (Waiting, 150), (Resolved, 50)]
    } else if age_days < 7.0 {
        &[(New, 100), (Open, 350), (Waiting, 250), (Resolved, 300)]
    } else if age_days < 30.0 {
        &[
            (New, 20),
            (Open, 100),
            (Waiting, 100),
            (Resolved, 480),
            (Closed, 300),
        ]
    } else if age_days < 180.0 {
        &[
            (New, 5),
            (Open, 15),
            (Waiting, 20),
            (Resolved, 160),
            (Closed, 800),
        ]
    } else {
        &[
            (New, 2),
            (Open, 5),
            (Waiting, 5),
            (Resolved, 38),
            (Closed, 950),
        ]
    };
    rng.weighted(shares)
}

fn code_index(code: ErrorCode) -> usize {
    ErrorCode::ALL
        .iter()
        .position(|&c| c == code)
        .expect("every code is in ALL")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Records,
    Record,
    Views,
    View,
    Find,
    Apps,
    Users,
    File,
    Token,
}

/// A TrackVia OpenAPI call: the shape of the endpoint, a method that fits
/// it, and ids from a few busy views plus a long tail.
fn call(rng: &mut Rng, code: ErrorCode) -> Call {
    use HttpMethod::*;
    let view = if rng.chance(0.6) {
        1 + rng.below(60)
    } else {
        1 + rng.below(4_000)
    };
    let record = 1 + rng.below(2_500_000);
    let shape = if code == ErrorCode::TooManyRequests && rng.chance(0.3) {
        Shape::Records // polling for changes
    } else {
        rng.weighted(&[
            (Shape::Records, 25),
            (Shape::Record, 30),
            (Shape::Views, 4),
            (Shape::View, 4),
            (Shape::Find, 4),
            (Shape::Apps, 6),
            (Shape::Users, 6),
            (Shape::File, 8),
            (Shape::Token, 3),
        ])
    };
    let method = match shape {
        Shape::Records => rng.weighted(&[(Get, 60), (Post, 35), (Delete, 5)]),
        Shape::Record => rng.weighted(&[(Get, 40), (Put, 35), (Patch, 10), (Delete, 15)]),
        Shape::Users => rng.weighted(&[(Get, 70), (Post, 30)]),
        Shape::File => rng.weighted(&[(Get, 40), (Post, 45), (Delete, 15)]),
        Shape::Token => Post,
        Shape::Views | Shape::View | Shape::Find | Shape::Apps => Get,
    };
    let mut path = match shape {
        Shape::Records => format!("/openapi/views/{view}/records"),
        Shape::Record => format!("/openapi/views/{view}/records/{record}"),
        Shape::Views => "/openapi/views".to_string(),
        Shape::View => format!("/openapi/views/{view}"),
        Shape::Find => format!("/openapi/views/{view}/find"),
        Shape::Apps => "/openapi/apps".to_string(),
        Shape::Users => "/openapi/users".to_string(),
        Shape::File => format!(
            "/openapi/views/{view}/records/{record}/files/{}",
            rng.pick(&FILE_FIELDS)
        ),
        Shape::Token => "/oauth/token".to_string(),
    };
    if code == ErrorCode::NotFound && rng.chance(0.2) {
        // The typos that really cause 404s.
        path = match rng.below(3) {
            0 => path.replacen("/views", "/view", 1),
            1 => path.replacen("/openapi", "/api", 1),
            _ => path.replacen("/records", "/record", 1),
        };
    }
    let query = match (shape, method) {
        (Shape::Records, Get) if rng.chance(0.4) => format!(
            "?start={}&max={}",
            100 * rng.below(50),
            rng.pick(&[50, 100, 500, 1000])
        ),
        (Shape::Find, _) => format!("?q={}", rng.pick(&SEARCH_WORDS)),
        (Shape::Users, Get) if rng.chance(0.5) => "?start=0&max=100".to_string(),
        _ => String::new(),
    };
    let endpoint = if rng.chance(0.82) {
        format!("https://go.trackvia.com{path}{query}")
    } else {
        format!("{path}{query}")
    };
    Call {
        method,
        endpoint,
        path,
        view,
        record,
    }
}

/// The error message as pasted: the code's typical texts, dressed the way
/// each tool reports them, often with a request or job id.
fn message(rng: &mut Rng, ctx: &Ctx<'_>, tool: &Tool) -> String {
    let core = fill(rng.pick(messages_for(ctx.code)), ctx, rng);
    let mut text = match tool {
        Tool::Workato if rng.chance(0.45) => {
            if rng.chance(0.5) {
                format!(
                    "Job {} failed at step {}: {core}",
                    ctx.job,
                    2 + rng.below(9)
                )
            } else {
                format!(
                    "{core}\nWorkato job: https://app.workato.com/recipes/{}/job/{}",
                    ctx.recipe, ctx.job
                )
            }
        }
        Tool::Zapier if rng.chance(0.3) => {
            format!("Zap step \"Update record in {}\" failed: {core}", ctx.table)
        }
        Tool::Make if rng.chance(0.3) => {
            format!(
                "[TrackVia] Module {} returned an error: {core}",
                1 + rng.below(12)
            )
        }
        Tool::Script if rng.chance(0.3) => format!(
            "Traceback (most recent call last):\n  File \"sync_{}.py\", line {}, in push\nrequests.exceptions.HTTPError: {core}",
            ctx.table.to_ascii_lowercase().replace(' ', "_"),
            20 + rng.below(400)
        ),
        _ => core,
    };
    match rng.below(10) {
        0 | 1 => text.push_str(&format!(" (request id {})", ctx.request_id)),
        2 => text.push_str(&format!("\n\nX-Request-Id: {}", ctx.request_id)),
        _ => {}
    }
    text
}

/// Replaces `{key}` placeholders with the ticket's details; braces around
/// anything else (JSON) are kept as written.
fn fill(template: &str, ctx: &Ctx<'_>, rng: &mut Rng) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let key = after.find('}').map(|close| &after[..close]).filter(|key| {
            !key.is_empty() && key.len() <= 8 && key.bytes().all(|b| b.is_ascii_lowercase())
        });
        let Some(key) = key else {
            out.push('{');
            rest = after;
            continue;
        };
        // Writing to a String cannot fail.
        let _ = match key {
            "first" => write!(out, "{}", ctx.first),
            "email" => write!(out, "{}", ctx.email),
            "agent" => write!(out, "{}", ctx.agent),
            "code" => write!(out, "{}", ctx.code.label()),
            "method" => write!(out, "{}", ctx.method),
            "path" => write!(out, "{}", ctx.path),
            "tool" => write!(out, "{}", ctx.tool),
            "v" => write!(out, "{}", ctx.view),
            "r" => write!(out, "{}", ctx.record),
            "job" => write!(out, "{}", ctx.job),
            "recipe" => write!(out, "{}", ctx.recipe),
            "date" => write!(out, "{}", ctx.date),
            "table" => write!(out, "{}", ctx.table),
            "field" => write!(out, "{}", ctx.field),
            "role" => write!(out, "{}", ctx.role),
            "limit" => write!(out, "{}", ctx.limit),
            "req" => write!(out, "{}", ctx.request_id),
            "n" => write!(out, "{}", 2 + rng.below(28)),
            "ref" => write!(out, "{}", reference_for(1 + rng.below(ctx.max_ref) as i64)),
            "verb" => write!(out, "{}", rng.pick(&["create", "edit", "delete", "view"])),
            "word" => write!(out, "{}", rng.pick(&SEARCH_WORDS)),
            "ip" => write!(
                out,
                "52.{}.{}.{}",
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            ),
            _ => write!(out, "{{{key}}}"),
        };
        rest = &after[key.len() + 1..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// A small deterministic PRNG: splitmix64. Plenty for synthetic data, and it
// keeps the output stable across versions of any crate.

#[derive(Debug, Clone)]
struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream for item `index` of a kind (`stream`).
    fn for_item(seed: u64, stream: u64, index: u64) -> Self {
        Self(mix(
            mix(seed ^ stream.wrapping_mul(GOLDEN)) ^ index.wrapping_mul(GOLDEN)
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for &(item, weight) in items {
            if r < weight {
                return item;
            }
            r -= weight;
        }
        items[items.len() - 1].0
    }
}

// ---------------------------------------------------------------------------
// Word pools and templates. Placeholders: see `fill`.

const OTHER_TOOLS: [&str; 8] = [
    "n8n",
    "Power Automate",
    "Boomi",
    "Tray.io",
    "Celigo",
    "Retool",
    "Excel Power Query",
    "Pipedream",
];

const TABLES: [&str; 16] = [
    "Work Orders",
    "Invoices",
    "Inspections",
    "Assets",
    "Customers",
    "Projects",
    "Timesheets",
    "Purchase Orders",
    "Vehicles",
    "Sites",
    "Contacts",
    "Equipment",
    "Permits",
    "Incidents",
    "Shipments",
    "Punch List",
];

const FIELDS: [&str; 14] = [
    "Due Date",
    "Status",
    "Assigned To",
    "Amount",
    "Customer ID",
    "Serial Number",
    "Start Time",
    "Location",
    "Priority",
    "Approved By",
    "Quantity",
    "Notes",
    "Completion %",
    "Parent Project",
];

const FILE_FIELDS: [&str; 6] = [
    "Attachment",
    "Photo",
    "Signature",
    "Invoice%20PDF",
    "Site%20Plan",
    "Before%20Photo",
];

const ROLES: [&str; 7] = [
    "Read Only",
    "Field Technician",
    "Dispatcher",
    "Project Manager",
    "Integration User",
    "Billing",
    "Standard User",
];

const SEARCH_WORDS: [&str; 16] = [
    "overdue",
    "pending",
    "approved",
    "invoice",
    "warehouse",
    "north",
    "inspection",
    "renewal",
    "backlog",
    "urgent",
    "calibration",
    "payroll",
    "onboarding",
    "migration",
    "forklift",
    "permit",
];

const FIRST_NAMES: [(&str, &str); 40] = [
    ("Olivia", "olivia"),
    ("Liam", "liam"),
    ("Emma", "emma"),
    ("Noah", "noah"),
    ("Ava", "ava"),
    ("Mateo", "mateo"),
    ("Sophia", "sophia"),
    ("Lucas", "lucas"),
    ("Mia", "mia"),
    ("Ethan", "ethan"),
    ("Isabella", "isabella"),
    ("James", "james"),
    ("Amelia", "amelia"),
    ("Benjamin", "benjamin"),
    ("Harper", "harper"),
    ("Daniel", "daniel"),
    ("Chloé", "chloe"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Søren", "soren"),
    ("Fatima", "fatima"),
    ("Wei", "wei"),
    ("Ananya", "ananya"),
    ("Kwame", "kwame"),
    ("Ingrid", "ingrid"),
    ("Diego", "diego"),
    ("Hannah", "hannah"),
    ("Omar", "omar"),
    ("Grace", "grace"),
    ("Ravi", "ravi"),
    ("Yuki", "yuki"),
    ("Nadia", "nadia"),
    ("Carlos", "carlos"),
    ("Megan", "megan"),
    ("Tyler", "tyler"),
    ("Brianna", "brianna"),
    ("Kevin", "kevin"),
    ("Rachel", "rachel"),
    ("Andre", "andre"),
    ("Leah", "leah"),
];

const LAST_NAMES: [(&str, &str); 40] = [
    ("Smith", "smith"),
    ("Johnson", "johnson"),
    ("Garcia", "garcia"),
    ("Miller", "miller"),
    ("Davis", "davis"),
    ("Rodriguez", "rodriguez"),
    ("Martinez", "martinez"),
    ("Hernandez", "hernandez"),
    ("Lopez", "lopez"),
    ("Wilson", "wilson"),
    ("Anderson", "anderson"),
    ("Thomas", "thomas"),
    ("Taylor", "taylor"),
    ("Moore", "moore"),
    ("Jackson", "jackson"),
    ("Martin", "martin"),
    ("Lee", "lee"),
    ("Thompson", "thompson"),
    ("White", "white"),
    ("Harris", "harris"),
    ("Clark", "clark"),
    ("Lewis", "lewis"),
    ("Walker", "walker"),
    ("Young", "young"),
    ("Müller", "muller"),
    ("Nguyễn", "nguyen"),
    ("Kowalski", "kowalski"),
    ("O'Brien", "obrien"),
    ("Patel", "patel"),
    ("Kim", "kim"),
    ("Okonkwo", "okonkwo"),
    ("Silva", "silva"),
    ("Novak", "novak"),
    ("Larsen", "larsen"),
    ("Rossi", "rossi"),
    ("Cohen", "cohen"),
    ("Schmidt", "schmidt"),
    ("Dubois", "dubois"),
    ("Tanaka", "tanaka"),
    ("Haddad", "haddad"),
];

/// Fictional companies on `.example` domains: no demo mail reaches anyone.
const COMPANIES: [(&str, &str); 24] = [
    ("Northwind Logistics", "northwind-logistics.example"),
    ("Acme Freight", "acmefreight.example"),
    ("Bluefield Construction", "bluefield.example"),
    ("Cedar Utilities", "cedarutilities.example"),
    ("Harbor Health", "harborhealth.example"),
    ("Summit Facilities", "summitfm.example"),
    ("Pioneer Energy", "pioneer-energy.example"),
    ("Redwood Property", "redwoodprop.example"),
    ("Lakeside County", "lakesidecounty.example"),
    ("Ironclad Manufacturing", "ironclad.example"),
    ("Brightline Telecom", "brightline.example"),
    ("Granite Field Services", "granitefs.example"),
    ("Meridian Labs", "meridianlabs.example"),
    ("Atlas Rentals", "atlasrentals.example"),
    ("Copperleaf Farms", "copperleaf.example"),
    ("Vantage Security", "vantagesec.example"),
    ("Oakridge Schools", "oakridge.example"),
    ("Silverline Transit", "silverline.example"),
    ("Evergreen Waste", "evergreenwaste.example"),
    ("Keystone Elevators", "keystone-elev.example"),
    ("Polar Refrigeration", "polarref.example"),
    ("Tidewater Marine", "tidewater.example"),
    ("Falcon Aviation Services", "falconav.example"),
    ("Juniper Retail", "juniper-retail.example"),
];

fn messages_for(code: ErrorCode) -> &'static [&'static str] {
    match code {
        ErrorCode::Unauthorized => &[
            "HTTP {method} failed: unauthorized (401)",
            "HTTP {method} failed: unauthorized (401)",
            "401 Unauthorized",
            "Unauthorized: the access token is invalid or has expired",
            r#"{"error":"invalid_token","error_description":"Access token expired"}"#,
            "Request failed with status code 401",
            "TrackVia API error 401: Full authentication is required to access this resource",
            "HTTP 401 Unauthorized - user_key not recognised",
            r#"401 - {"code":"UNAUTHORIZED","message":"Invalid api key"}"#,
        ],
        ErrorCode::Forbidden => &[
            "HTTP {method} failed: forbidden (403)",
            "HTTP {method} failed: forbidden (403)",
            "403 Forbidden: Access is denied",
            r#"{"errors":["User does not have permission to {verb} records in this view"],"code":403}"#,
            "Request failed with status code 403",
            "Forbidden - role '{role}' cannot {verb} records in table '{table}'",
        ],
        ErrorCode::NotFound => &[
            "HTTP {method} failed: not found (404)",
            "HTTP {method} failed: not found (404)",
            "404 Not Found",
            r#"{"message":"Record {r} not found","code":"404"}"#,
            "Request failed with status code 404",
            "View {v} does not exist or you do not have access to it (404)",
            "No route found for \"{method} {path}\"",
        ],
        ErrorCode::TooManyRequests => &[
            "HTTP {method} failed: too many requests (429)",
            "HTTP {method} failed: too many requests (429)",
            "429 Too Many Requests - API rate limit exceeded",
            r#"{"errors":["Rate limit exceeded. Try again in {n} seconds"],"code":429}"#,
            "Request failed with status code 429",
            "Too many requests: limit of {limit} calls per minute reached for this user_key",
            "TrackVia returned 429 (rate limit), {n} retries exhausted",
        ],
        ErrorCode::InternalServerError => &[
            "HTTP {method} failed: internal server error (500)",
            "HTTP {method} failed: internal server error (500)",
            "500 Internal Server Error",
            r#"{"name":"InternalServerError","message":"An unexpected error occurred","code":500}"#,
            "Request failed with status code 500",
            "Server error while saving record {r} in view {v}: java.lang.NullPointerException",
        ],
        ErrorCode::Other => &[
            "connect ETIMEDOUT {ip}:443",
            "HTTP {method} failed: method not allowed (405)",
            r#"400 Bad Request: {"errors":["Field '{field}' has an invalid value"]}"#,
            "Unexpected token < in JSON at position 0",
            "502 Bad Gateway",
            "503 Service Unavailable",
            "socket hang up",
            "unable to verify the first certificate",
            "Request failed with status code 413 (payload too large)",
            "422 Unprocessable Entity: required field '{field}' is missing",
            "getaddrinfo ENOTFOUND go.trackvia.con",
        ],
    }
}

const RECENT_CHANGES: [&str; 18] = [
    "Rotated the API access token on {date}",
    "Added a new field '{field}' to the {table} table",
    "Moved the recipe to a new Workato workspace",
    "Changed the integration user's role to {role}",
    "Nothing that I know of",
    "Started polling every {n} seconds instead of every 5 minutes",
    "Switched the connection from sandbox to production",
    "Upgraded the TrackVia connector to version 2.{n}",
    "Our admin cleaned up old users last week",
    "Renamed the view used by the integration to '{table} - API'",
    "Deleted and re-created the {table} view",
    "Added a second recipe that writes to the same table",
    "Bulk imported {n}00 records on {date}",
    "Turned on two-factor authentication for all users",
    "A new team member took over this integration",
    "Copied the app from sandbox; ids may have changed",
    "Increased the batch size to {n}00 records per call",
    "Changed the record update trigger to include child records",
];

const NOTES: [&str; 30] = [
    "Checked the API logs for view {v}: {n}0 calls in the last minute from this user_key.",
    "Token was revoked on {date} by an account admin. Asked them to generate a new one.",
    "Reproduced with Postman: {method} {path} returns the same error.",
    "Looks like a duplicate of {ref}. Linking.",
    "Role '{role}' has no {verb} permission on table '{table}'. Customer admin needs to fix it.",
    "Workato recipe {recipe} triggers on its own updates: a loop. Suggested a filter on the updated-by user.",
    "Escalated to the platform team as INC-{n}{n}{n}.",
    "Record {r} was deleted on {date}; the recipe still references it.",
    "Sandbox view ids differ from production; they copied view {v} from sandbox.",
    "Customer is on the Starter plan: {limit} calls per minute.",
    "Stack trace points to a null value in field '{field}'.",
    "No incident on the status page at the time of the error.",
    "Asked {first} for the full response body, the message alone is not enough.",
    "Integration user was deactivated during the license cleanup.",
    "Payload has a date in the wrong format for '{field}' (expects yyyy-MM-dd).",
    "Known issue with file uploads over 25 MB, see {ref}.",
    "Rate limit is per user_key and they share one key across {n} recipes.",
    "Checked the load balancer: request {req} reached us and failed in the records service.",
    "Confirmed with engineering: fixed in release 2024.{n}.",
    "Called {first}, walked through the token settings together.",
    "Frustrated customer: ticket number {n} this quarter about the same recipe.",
    "Could not reproduce; the endpoint works for view {v} with an admin token.",
    "Probably a typo in the URL: they call {path}.",
    "Pinged the account manager about raising their rate limit to {limit}.",
    "Left a comment for the {word} integration owner; waiting on an answer.",
    "The app was copied and view {v} no longer exists in the copy.",
    "Their proxy strips the Authorization header; asked their IT to allow it.",
    "Compared request {req} with the logs: two calls within 20 ms, burst limit.",
    "Webhook retries double the traffic after each failure; suggested idempotency keys.",
    "Will close as a duplicate of {ref} once {first} confirms.",
];

const GENERIC_REPLIES: [&str; 6] = [
    "Hi {first}, thanks for the details. We are looking into the {code} on {path} and will get back to you here. — {agent}",
    "Hi {first}, thanks for the report. I found request {req} in our logs and I'm checking what happened. — {agent}",
    "Hi {first}, this is a known issue with {tool} connections; the workaround is in the article linked from your ticket. — {agent}",
    "Hi {first}, I've looked at job {job}. The call itself is fine now; please run it again and tell us if it fails. — {agent}",
    "Hi {first}, thanks for walking through the troubleshooting steps first, it saved us time. The cause is on the {table} view's settings; details below. — {agent}",
    "Hello {first}, apologies for the wait. Your {method} calls to view {v} are working again after today's fix. — {agent}",
];

fn answers_for(code: ErrorCode) -> &'static [&'static str] {
    match code {
        ErrorCode::Unauthorized => &[
            "Hi {first}, a 401 means the API did not accept the credentials. The access token for this integration was revoked on {date}; please generate a new one and update the connection in {tool}. — {agent}",
            "Hi {first}, the user_key in the call belongs to a user who was deactivated. Re-enable the user or move the connection to a service account. — {agent}",
            "Hi {first}, the token in your sandbox connection is being used against production. Each environment has its own token. — {agent}",
            "Hi {first}, the user_key has a trailing space from the copy and paste. Remove it and the calls will work. — {agent}",
        ],
        ErrorCode::Forbidden => &[
            "Hi {first}, the integration user has the role '{role}', which cannot {verb} records in '{table}'. An admin can grant that in the role's table permissions. — {agent}",
            "Hi {first}, view {v} is not shared with the integration user's role. Add the role to the view and try again. — {agent}",
            "Hi {first}, the permission change on {date} was never saved. Please save the role settings again. — {agent}",
        ],
        ErrorCode::NotFound => &[
            "Hi {first}, record {r} no longer exists in view {v}; it was deleted on {date}. The recipe should skip missing records. — {agent}",
            "Hi {first}, the URL has a typo: it should be /openapi/views/{v}/records. — {agent}",
            "Hi {first}, view ids differ between sandbox and production. The production view for '{table}' has another id; please update the recipe. — {agent}",
        ],
        ErrorCode::TooManyRequests => &[
            "Hi {first}, your account allows {limit} calls per minute and the recipe made {n}00 calls in a burst. Please add a delay between calls or batch the updates. — {agent}",
            "Hi {first}, the recipe polls every {n} seconds. A trigger, or polling every few minutes, will keep you under the limit. — {agent}",
            "Hi {first}, please retry with exponential backoff and honour the Retry-After header. — {agent}",
            "Hi {first}, {n} recipes share one user_key, and the limit is per key. Give each recipe its own integration user. — {agent}",
        ],
        ErrorCode::InternalServerError => &[
            "Hi {first}, sorry about this: the 500 came from our side. Field '{field}' had a null value our service did not handle. A fix is being rolled out. — {agent}",
            "Hi {first}, we had a short incident around the time of your call. It is resolved; please rerun job {job}. — {agent}",
            "Hi {first}, the payload is larger than the service accepts in one call. Please send at most 100 records per request. — {agent}",
        ],
        ErrorCode::Other => &[
            "Hi {first}, that error comes from the network between {tool} and us, not from the API. Could you retry and check your proxy settings? — {agent}",
            "Hi {first}, the response was an HTML page, not JSON: the URL is missing /openapi. — {agent}",
            "Hi {first}, the 400 is a validation error on '{field}': dates must be yyyy-MM-dd. — {agent}",
            "Hi {first}, the host name in your connection is misspelled; it should be go.trackvia.com. — {agent}",
        ],
    }
}

const QUESTIONS: [&str; 7] = [
    "Hi {first}, could you send the full response body and the request id of a failing call? — {agent}",
    "Hi {first}, which user does the {tool} connection run as? Please send the email address, never the token. — {agent}",
    "Hi {first}, does the call fail in sandbox too, or only in production? — {agent}",
    "Hi {first}, can you tell us the time of the last failure, with your time zone? — {agent}",
    "Hi {first}, could you export job {job} from {tool} and attach its input and output? — {agent}",
    "Hi {first}, is view {v} the one under the '{table}' table, or a copy of it? — {agent}",
    "Hi {first}, how many calls per minute does the integration make at its busiest? — {agent}",
];

const REQUESTER_REPLIES: [&str; 12] = [
    "That worked, thank you!",
    "Still failing with the same error, job {job}.",
    "Here is the request id: {req}",
    "We regenerated the token and the recipe runs again. Thanks {agent}!",
    "The connection runs as {email}.",
    "It only fails in production, sandbox is fine.",
    "Ok, we'll add a delay and let you know.",
    "Any update on this? Our {table} sync has been down since {date}.",
    "The view is a copy, I'll switch to the original.",
    "Tried again this morning and got the error again, request {req}.",
    "Thanks, we fixed the typo in the URL.",
    "Our admin changed the role to {role}, can you check again?",
];

const FOLLOW_UPS: [&str; 5] = [
    "Thanks {first}, glad it works now. I'll close this ticket; reply here if it comes back. — {agent}",
    "Thanks {first}. I've passed request {req} to engineering and will update you here. — {agent}",
    "Hi {first}, with the new token the calls succeed on our side too. Closing this one. — {agent}",
    "Hi {first}, the fix is deployed. Please rerun job {job} and let us know. — {agent}",
    "Hi {first}, thanks for confirming. I've added a note to your account about the {limit} calls per minute limit. — {agent}",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx<'static> {
        Ctx {
            first: "Ada",
            email: "ada@example.test",
            agent: "Sam",
            code: ErrorCode::NotFound,
            method: HttpMethod::Get,
            path: "/openapi/views/7/records/9",
            tool: "Workato",
            view: 7,
            record: 9,
            job: 12,
            recipe: 34,
            date: time::macros::date!(2025 - 01 - 02),
            table: "Assets",
            field: "Status",
            role: "Dispatcher",
            limit: 60,
            request_id: "abc".into(),
            max_ref: 1,
        }
    }

    #[test]
    fn fill_replaces_keys_and_keeps_json() {
        let mut rng = Rng::for_item(1, 2, 3);
        assert_eq!(
            fill(
                r#"{"message":"Record {r} in {v}","x":{}} {first}/{agent} {unknown"#,
                &ctx(),
                &mut rng
            ),
            r#"{"message":"Record 9 in 7","x":{}} Ada/Sam {unknown"#
        );
        assert_eq!(
            fill("{code} on {date}, {ref}", &ctx(), &mut rng),
            "404 Not Found on 2025-01-02, APD-000001"
        );
    }

    #[test]
    fn the_rng_is_deterministic_and_in_range() {
        let mut a = Rng::for_item(7, 1, 42);
        let mut b = Rng::for_item(7, 1, 42);
        for _ in 0..1_000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let n = a.below(10);
            assert!(n < 10);
            b.below(10);
            let u = a.unit();
            assert!((0.0..1.0).contains(&u));
            b.unit();
        }
        assert_ne!(
            Rng::for_item(7, 1, 42).next_u64(),
            Rng::for_item(7, 1, 43).next_u64()
        );
    }

    #[test]
    fn squeezed_timelines_stay_in_order_and_before_now() {
        let step = |offset| Step {
            offset,
            actor: SeedActor::System,
            kind: "status",
            public: true,
            body: String::new(),
            data: String::new(),
        };
        let mut steps: Vec<Step> = [0, 10, 86_400, 86_401, 900_000]
            .into_iter()
            .map(step)
            .collect();
        fit_before_now(&mut steps, 300);
        let offsets: Vec<i64> = steps.iter().map(|s| s.offset).collect();
        assert_eq!(offsets[0], 0);
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
        assert!(*offsets.last().unwrap() < 300);
    }

    #[test]
    fn every_endpoint_passes_the_form_rules() {
        let mut rng = Rng::for_item(1, 0, 0);
        for code in ErrorCode::ALL {
            for _ in 0..200 {
                let call = call(&mut rng, code);
                assert!(
                    call.endpoint.starts_with('/')
                        || call.endpoint.starts_with("https://go.trackvia.com/"),
                    "{}",
                    call.endpoint
                );
                assert!(!call.endpoint.contains(char::is_whitespace));
            }
        }
    }
}
