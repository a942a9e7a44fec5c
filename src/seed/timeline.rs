//! A ticket's timeline: the events that bring it to its status.

use crate::tickets::{Author, EventKind, StaffRef, TicketStatus};

use super::generator::Generator;
use super::rng::Rng;
use super::templates::{
    FOLLOW_UPS, GENERIC_REPLIES, NOTES, QUESTIONS, REQUESTER_REPLIES, answers_for,
};
use super::text::{Ctx, fill};

/// One timeline entry, `offset` seconds after the ticket was created.
pub(super) struct Step {
    pub(super) offset: i64,
    pub(super) by: Author,
    pub(super) kind: EventKind,
    pub(super) body: String,
}

impl Generator {
    /// The ticket's life so far, as events `offset` seconds after creation,
    /// ending with the ticket in `status`; and who it is assigned to.
    pub(super) fn timeline<'a>(
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
            by: Author::Requester,
            kind: EventKind::Created { via: None },
            body: String::new(),
        });
        if self.staff.is_empty() {
            return (steps, None);
        }
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
        let staff = Author::Staff(worker_id);
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
                by: Author::Staff(self.staff[by].id),
                kind: EventKind::Assigned {
                    from: None,
                    to: Some(StaffRef::id(self.staff[a].id)),
                },
                body: String::new(),
            });
        }

        let mut state = New;
        let mut change = |steps: &mut Vec<Step>, t: i64, to: TicketStatus, by: Author| {
            steps.push(Step {
                offset: t,
                by,
                kind: EventKind::Status {
                    from: Some(state),
                    to: Some(to),
                },
                body: String::new(),
            });
            state = to;
        };
        let note = |steps: &mut Vec<Step>, t: i64, rng: &mut Rng, ctx: &Ctx<'_>| {
            steps.push(Step {
                offset: t,
                by: staff,
                kind: EventKind::Note,
                body: fill(rng.pick(&NOTES), ctx, rng),
            });
        };
        let reply = |steps: &mut Vec<Step>, t: i64, body: String| {
            steps.push(Step {
                offset: t,
                by: staff,
                kind: EventKind::Reply { status: None },
                body,
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
                by: Author::Requester,
                kind: EventKind::RequesterReply { via: None },
                body: fill(rng.pick(&REQUESTER_REPLIES), ctx, rng),
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
                    change(&mut steps, t, Closed, Author::System);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeezed_timelines_stay_in_order_and_before_now() {
        let step = |offset| Step {
            offset,
            by: Author::System,
            kind: EventKind::Note,
            body: String::new(),
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
}
