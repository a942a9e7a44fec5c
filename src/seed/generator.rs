//! The generator: one ticket, its requester and its details, from the seed
//! and the ticket's position in the run.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::ErrorCode;
use crate::kb::KnowledgeBase;
use crate::staff::StaffMember;
use crate::store::{SeedEvent, SeedTicket};
use crate::tickets::{
    Environment, EventKind, NewTicket, Priority, ResponseTargets, TicketStatus, Tool, similar_key,
};

use super::SeedOptions;
use super::call::call;
use super::rng::Rng;
use super::templates::RECENT_CHANGES;
use super::text::{Ctx, fill, message};
use super::words::{COMPANIES, FIELDS, FIRST_NAMES, LAST_NAMES, OTHER_TOOLS, ROLES, TABLES};

/// Two years, in seconds.
const SPAN_SECS: f64 = 730.0 * 86_400.0;
/// The newest ticket is this old, so its timeline fits before "now".
const MIN_AGE_SECS: f64 = 300.0;
/// Distinct requesters tickets are drawn from (a few file many tickets).
const REQUESTERS: u64 = 5_000;

#[derive(Debug)]
pub(super) struct Agent {
    pub(super) id: i64,
    pub(super) first_name: String,
}

#[derive(Debug)]
pub(super) struct Generator {
    seed: u64,
    total: u64,
    now: OffsetDateTime,
    targets: ResponseTargets,
    pub(super) staff: Vec<Agent>,
    /// Cumulative weights, parallel to `staff`: some agents take more tickets.
    staff_weights: Vec<u64>,
    pub(super) admin: Option<usize>,
    /// Step ids of each code's tree, in `ErrorCode::ALL` order.
    trees: Vec<Vec<String>>,
}

impl Generator {
    pub(super) fn new(
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

    pub(super) fn pick_staff(&self, rng: &mut Rng) -> usize {
        let total = *self
            .staff_weights
            .last()
            .expect("at least one staff member");
        let r = rng.below(total);
        self.staff_weights.partition_point(|&w| w <= r)
    }

    pub(super) fn ticket(&self, index: u64) -> SeedTicket {
        let mut rng = Rng::for_item(self.seed, 0x7469_636b, index);
        // Position in the run → age. Volume grows linearly to twice the
        // starting rate; inverting its cumulative gives s = √(1+3x) − 1.
        let x = (index as f64 + rng.unit()) / self.total as f64;
        let s = ((1.0 + 3.0 * x).sqrt() - 1.0).clamp(0.0, 1.0);
        let age_secs = (MIN_AGE_SECS + (1.0 - s) * SPAN_SECS) as i64;
        let created_at = self.now - Duration::seconds(age_secs);
        let status = status_for_age(&mut rng, age_secs as f64 / 86_400.0);
        // Without staff nobody has worked on anything: every ticket is new.
        let status = if self.staff.is_empty() {
            TicketStatus::New
        } else {
            status
        };

        let code = rng.weighted(&[
            (ErrorCode::Unauthorized, 26),
            (ErrorCode::TooManyRequests, 18),
            (ErrorCode::InternalServerError, 11),
            (ErrorCode::NotFound, 11),
            (ErrorCode::Forbidden, 10),
            (ErrorCode::BadRequest, 5),
            (ErrorCode::UnprocessableEntity, 3),
            (ErrorCode::BadGateway, 2),
            (ErrorCode::ServiceUnavailable, 2),
            (ErrorCode::GatewayTimeout, 2),
            (ErrorCode::Timeout, 2),
            (ErrorCode::Connection, 1),
            (ErrorCode::Dns, 1),
            (ErrorCode::Tls, 1),
            (ErrorCode::InvalidJson, 1),
            (ErrorCode::Pagination, 1),
            (ErrorCode::MethodNotAllowed, 1),
            (ErrorCode::Conflict, 1),
            (ErrorCode::PayloadTooLarge, 1),
            (ErrorCode::UnsupportedMediaType, 1),
            (ErrorCode::Other, 2),
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
            .find(|s| matches!(s.kind, EventKind::Reply { .. }))
            .map(|s| created_at + Duration::seconds(s.offset));
        let updated_at = created_at + Duration::seconds(steps.last().map_or(0, |s| s.offset));
        let events = steps
            .into_iter()
            .map(|s| SeedEvent {
                at: created_at + Duration::seconds(s.offset),
                by: s.by,
                kind: s.kind,
                body: s.body,
            })
            .collect();
        SeedTicket {
            token: Uuid::new_v4(),
            details: NewTicket {
                submission_id: Uuid::new_v4(),
                error_code: code,
                message,
                endpoint: call.endpoint,
                method: Some(call.method),
                occurred_at: Some(occurred_at),
                time_zone: crate::domain::Zone::utc(),
                tool: Some(tool),
                recent_changes,
                environment,
                name,
                email,
                path,
                wanted: Default::default(),
                usage: None,
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
