//! The rate-limit calculator on the 429 path: a plain GET form, so it works
//! without JavaScript and a result can be shared as a link. The arithmetic
//! is `kb::calculator`; the limits come from the content (`site.toml`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::links::{self, Carry};
use super::render::render;
use crate::domain::ErrorCode;
use crate::error::Result;
use crate::kb::calculator::{
    Load, MAX_AT_ONCE, MAX_CALLS_PER_RUN, MAX_EVERY_MINUTES, MAX_RUN_MINUTES, Usage, Verdict,
};
use crate::tickets::{FieldErrors, grouped, split_path};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/rate-limits", get(page))
}

/// The form as typed; every figure a plain string so a mistake can be shown
/// back as it was.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CalcInput {
    /// How often a run starts: every `every` `unit`.
    pub every: String,
    /// `minutes`, `hours` or `days`.
    pub unit: String,
    pub calls: String,
    pub at_once: String,
    /// How long one run takes, in minutes.
    pub run_minutes: String,
    /// Where in the 429 checks the person came from.
    pub path: String,
    #[serde(flatten)]
    pub carry: Carry,
}

impl CalcInput {
    fn is_blank(&self) -> bool {
        [&self.every, &self.calls, &self.at_once, &self.run_minutes]
            .iter()
            .all(|v| v.trim().is_empty())
    }

    fn usage(&self) -> Result<Usage, FieldErrors> {
        let mut errors = FieldErrors::default();
        let unit = match self.unit.trim() {
            "" | "minutes" => 1,
            "hours" => 60,
            "days" => 24 * 60,
            _ => {
                errors.add("unit", "Choose minutes, hours or days.");
                1
            }
        };
        let every = figure(
            &mut errors,
            "every",
            &self.every,
            MAX_EVERY_MINUTES / unit,
            "How often a run starts",
        );
        let calls = figure(
            &mut errors,
            "calls",
            &self.calls,
            MAX_CALLS_PER_RUN,
            "Calls in one run",
        );
        let at_once = figure_or(
            &mut errors,
            "at_once",
            &self.at_once,
            MAX_AT_ONCE,
            "Runs side by side",
            1,
        );
        let run = figure_or(
            &mut errors,
            "run_minutes",
            &self.run_minutes,
            MAX_RUN_MINUTES,
            "Minutes a run takes",
            1,
        );
        match (every, calls, at_once, run) {
            (Some(every), Some(calls), Some(at_once), Some(run)) if errors.is_empty() => {
                Ok(Usage {
                    every_minutes: every * unit,
                    calls_per_run: calls,
                    at_once,
                    run_minutes: run,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A whole number from 1 to `max`, or a message beside the field.
fn figure(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    max: u64,
    label: &str,
) -> Option<u64> {
    let text = text.trim().replace([',', '_', ' '], "");
    match text.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        Ok(_) => {
            errors.add(
                field,
                format!(
                    "{label}: enter a whole number from 1 to {}.",
                    grouped(u128::from(max))
                ),
            );
            None
        }
        Err(_) if text.is_empty() => {
            errors.add(field, format!("{label}: enter a whole number, such as 5."));
            None
        }
        Err(_) => {
            errors.add(field, format!("{label}: enter digits only, such as 5."));
            None
        }
    }
}

/// As [`figure`], with `default` when left empty.
fn figure_or(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    max: u64,
    label: &str,
    default: u64,
) -> Option<u64> {
    if text.trim().is_empty() {
        Some(default)
    } else {
        figure(errors, field, text, max, label)
    }
}

/// One limit as the page says it.
struct LoadView {
    what: &'static str,
    calls: String,
    limit: String,
    percent: String,
    /// "over by 600", "close to the limit" or "within the limit".
    state: &'static str,
    over_by: Option<String>,
}

impl LoadView {
    fn new(what: &'static str, load: Load) -> Self {
        Self {
            what,
            calls: grouped(load.calls),
            limit: grouped(u128::from(load.limit)),
            percent: grouped(load.percent()),
            state: match load.over_by() {
                Some(_) => "over",
                None if load.close() => "close",
                None => "within",
            },
            over_by: load.over_by().map(grouped),
        }
    }
}

/// The verdict in words: what is crossed and what to change.
struct VerdictView {
    loads: [LoadView; 2],
    advice: Vec<String>,
}

impl VerdictView {
    fn new(verdict: &Verdict) -> Self {
        let mut advice = Vec::new();
        if verdict.minute.over_by().is_some() {
            advice.push(format!(
                "Spread the calls out: make each run take at least {} minutes (a short pause \
                 between calls or batches), {}",
                grouped(verdict.min_run_minutes),
                match verdict.max_at_once {
                    0 => "since even one run alone makes its calls too fast.".to_string(),
                    1 => "or run only one at a time.".to_string(),
                    n => format!("or run at most {} side by side.", grouped(n)),
                }
            ));
        }
        if let Some(day) = verdict.runs_out_on_day {
            advice.push(format!(
                "At this pace the month's calls run out on day {day}: start a run every {} \
                 minutes or less often, or make fewer calls in each (fetch only what changed, \
                 in larger pages).",
                grouped(verdict.min_every_minutes)
            ));
        }
        if advice.is_empty() {
            advice.push(
                "These figures fit both limits. If you still get 429s, something else is \
                 calling too: another integration on the same account, or a loop (the checks \
                 cover both)."
                    .into(),
            );
        }
        Self {
            loads: [
                LoadView::new("In the busiest minute", verdict.minute),
                LoadView::new("In a month (30 days)", verdict.month),
            ],
            advice,
        }
    }
}

#[derive(Template)]
#[template(path = "troubleshoot/calculator.html")]
struct CalcPage<'a> {
    input: CalcInput,
    errors: FieldErrors,
    verdict: Option<VerdictView>,
    api_name: &'a str,
    per_minute: String,
    per_month: String,
    back_url: String,
    ticket_url: String,
}

impl CalcPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

async fn page(State(state): State<AppState>, Query(input): Query<CalcInput>) -> Result<Response> {
    let kb = state.kb.get();
    let site = kb.site();
    let limits = site.rate_limits;
    let (usage, errors) = if input.is_blank() {
        (None, FieldErrors::default())
    } else {
        match input.usage() {
            Ok(usage) => (Some(usage), FieldErrors::default()),
            Err(errors) => (None, errors),
        }
    };
    let verdict = usage.map(|usage| VerdictView::new(&usage.verdict(limits)));
    let code = ErrorCode::TooManyRequests;
    let walked = split_path(&input.path);
    let walked: Vec<&str> = walked.iter().map(String::as_str).collect();
    let page = CalcPage {
        back_url: links::troubleshoot(code, &walked, &input.carry),
        // The figures go with the ticket, so support sees the verdict too.
        ticket_url: links::ticket_form_with_usage(code, &walked, &input.carry, usage.as_ref()),
        api_name: &site.product.api_name,
        per_minute: grouped(u128::from(limits.per_minute)),
        per_month: grouped(u128::from(limits.per_month)),
        verdict,
        errors,
        input,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(every: &str, unit: &str, calls: &str, at_once: &str, run: &str) -> CalcInput {
        CalcInput {
            every: every.into(),
            unit: unit.into(),
            calls: calls.into(),
            at_once: at_once.into(),
            run_minutes: run.into(),
            ..CalcInput::default()
        }
    }

    #[test]
    fn hours_and_days_become_minutes_and_empty_optional_figures_are_one() {
        let usage = input("2", "hours", "1,500", "", "").usage().unwrap();
        assert_eq!(
            (
                usage.every_minutes,
                usage.calls_per_run,
                usage.at_once,
                usage.run_minutes
            ),
            (120, 1_500, 1, 1)
        );
        assert_eq!(
            input("1", "days", "5", "2", "3")
                .usage()
                .unwrap()
                .every_minutes,
            1_440
        );
    }

    #[test]
    fn every_mistake_is_named_beside_its_field() {
        let errors = input("0", "weeks", "lots", "5000", "-1")
            .usage()
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["unit", "every", "calls", "at_once", "run_minutes"]);
        assert_eq!(
            errors.get("at_once"),
            Some("Runs side by side: enter a whole number from 1 to 1,000.")
        );
        let huge = input("99999999999999999999999", "minutes", "1", "", "")
            .usage()
            .unwrap_err();
        assert_eq!(
            huge.get("every"),
            Some("How often a run starts: enter digits only, such as 5.")
        );
    }

    #[test]
    fn the_verdict_names_what_is_crossed_and_what_to_change() {
        let usage = input("15", "minutes", "600", "3", "1").usage().unwrap();
        let view = VerdictView::new(&usage.verdict(crate::kb::RateLimits {
            per_minute: 1_200,
            per_month: 11_000_000,
        }));
        assert_eq!(view.loads[0].state, "over");
        assert_eq!(view.loads[0].over_by.as_deref(), Some("600"));
        assert_eq!(view.loads[0].percent, "150");
        assert_eq!(view.loads[1].state, "within");
        assert!(
            view.advice[0].contains("at least 2 minutes"),
            "{:?}",
            view.advice
        );
        assert!(
            view.advice[0].contains("at most 2 side by side"),
            "{:?}",
            view.advice
        );
    }
}
