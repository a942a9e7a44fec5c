//! The deflection funnel: per code, the walks started, the fixes and the
//! tickets filed after a walk; per step, how many were shown it, fixed it
//! there, or filed a ticket after answering it "still failing".

use time::Date;

use crate::domain::ErrorCode;
use crate::kb::Tree;

/// What the store counted for a step on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkTally {
    pub day: Date,
    pub code: ErrorCode,
    pub step_id: String,
    pub started: i64,
    pub reached: i64,
    pub fixed: i64,
    pub filed: i64,
}

/// One step of a code's funnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// 1 for the first check; 0 for checks no longer in the tree.
    pub number: usize,
    pub step_id: String,
    /// The check's heading; for removed checks, a sentence saying so.
    pub check: String,
    pub reached: i64,
    pub fixed: i64,
    pub filed: i64,
}

/// A code's funnel: its totals and its steps in the tree's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFunnel {
    pub code: ErrorCode,
    pub started: i64,
    pub fixed: i64,
    pub filed: i64,
    pub steps: Vec<StepRow>,
}

impl CodeFunnel {
    /// Walks that ended fixed, in whole percent of those started (rounded
    /// down); `None` when none started.
    pub fn fixed_percent(&self) -> Option<i64> {
        (self.started > 0).then(|| (self.fixed * 100 / self.started).min(100))
    }
}

/// The funnel of every code with any walk in `tallies`, most walks started
/// first. An earlier step id counts for the step that replaced it; ids the
/// tree no longer has are summed on one row of their own, so the totals
/// still add up.
pub fn build<'t>(
    tallies: &[WalkTally],
    tree_of: impl Fn(ErrorCode) -> &'t Tree,
) -> Vec<CodeFunnel> {
    let mut funnels: Vec<CodeFunnel> = Vec::new();
    for code in ErrorCode::ALL {
        let mine: Vec<&WalkTally> = tallies.iter().filter(|t| t.code == code).collect();
        if mine.is_empty() {
            continue;
        }
        let tree = tree_of(code);
        let mut steps: Vec<StepRow> = tree
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| StepRow {
                number: i + 1,
                step_id: step.id.clone(),
                check: step.check.clone(),
                reached: 0,
                fixed: 0,
                filed: 0,
            })
            .collect();
        let mut removed = StepRow {
            number: 0,
            step_id: String::new(),
            check: "Checks since removed from the tree".into(),
            reached: 0,
            fixed: 0,
            filed: 0,
        };
        let mut funnel = CodeFunnel {
            code,
            started: 0,
            fixed: 0,
            filed: 0,
            steps: Vec::new(),
        };
        for t in mine {
            funnel.started += t.started;
            funnel.fixed += t.fixed;
            funnel.filed += t.filed;
            let row = tree
                .current_id(&t.step_id)
                .and_then(|id| steps.iter_mut().find(|s| s.step_id == id))
                .unwrap_or(&mut removed);
            row.reached += t.reached;
            row.fixed += t.fixed;
            row.filed += t.filed;
        }
        if removed.reached + removed.fixed + removed.filed > 0 {
            steps.push(removed);
        }
        funnel.steps = steps;
        funnels.push(funnel);
    }
    // Most walks started first; stable, so equal ones keep the codes' order.
    funnels.sort_by_key(|f| (-f.started, -(f.fixed + f.filed)));
    funnels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::KnowledgeBase;
    use time::macros::date;

    fn tally(code: ErrorCode, step_id: &str, counts: [i64; 4]) -> WalkTally {
        let [started, reached, fixed, filed] = counts;
        WalkTally {
            day: date!(2026 - 03 - 02),
            code,
            step_id: step_id.into(),
            started,
            reached,
            fixed,
            filed,
        }
    }

    #[test]
    fn steps_follow_the_tree_and_unknown_ids_get_a_row_of_their_own() {
        let kb = KnowledgeBase::load_embedded().unwrap();
        let tree = kb.tree(ErrorCode::TooManyRequests);
        let (first, second) = (&tree.steps[0].id, &tree.steps[1].id);
        let funnels = build(
            &[
                tally(
                    ErrorCode::Unauthorized,
                    &kb.tree(ErrorCode::Unauthorized).steps[0].id,
                    [1, 1, 0, 0],
                ),
                tally(ErrorCode::TooManyRequests, first, [3, 3, 1, 0]),
                tally(ErrorCode::TooManyRequests, second, [0, 2, 0, 1]),
                tally(ErrorCode::TooManyRequests, "no-such-check", [0, 1, 0, 1]),
            ],
            |code| kb.tree(code),
        );
        assert_eq!(funnels.len(), 2);
        let busiest = &funnels[0];
        assert_eq!(busiest.code, ErrorCode::TooManyRequests);
        assert_eq!((busiest.started, busiest.fixed, busiest.filed), (3, 1, 2));
        assert_eq!(busiest.fixed_percent(), Some(33));
        assert_eq!(busiest.steps.len(), tree.steps.len() + 1);
        let counts = |row: &StepRow| (row.number, row.reached, row.fixed, row.filed);
        assert_eq!(counts(&busiest.steps[0]), (1, 3, 1, 0));
        assert_eq!(counts(&busiest.steps[1]), (2, 2, 0, 1));
        assert_eq!(counts(busiest.steps.last().unwrap()), (0, 1, 0, 1));
        assert_eq!(funnels[1].code, ErrorCode::Unauthorized);
        assert_eq!(
            funnels[1].steps.len(),
            kb.tree(ErrorCode::Unauthorized).steps.len()
        );
    }
}
