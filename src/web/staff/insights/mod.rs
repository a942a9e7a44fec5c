//! Insights for the team lead (`/staff/insights`): the deflection funnel,
//! tickets per code per week, first-response and resolution times against
//! the targets, open tickets by age and the busiest problems, for a range
//! of days. Each figure is a chart drawn here as SVG with its numbers in a
//! table, and each table downloads as CSV
//! (`/staff/insights/{table}.csv?from=…&to=…`).
//!
//! Every figure is read from the per-day tallies the store keeps (see
//! `store::Insights`), so the page costs the same at a million tickets as
//! at a hundred.

mod chart;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use self::chart::{Labels, Series};
use super::session::CurrentStaff;
use crate::error::{AppError, Result};
use crate::insights::range::{day_label, day_text};
use crate::insights::table::{self, Table};
use crate::insights::{
    AGE_LIMITS, BusyProblem, CodeFunnel, DateRange, Preset, ResponseTimes, Weekly, funnel,
};
use crate::staff::StaffMember;
use crate::tickets::{FieldErrors, Priority};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::links::with_query;
use crate::web::render::render;

/// Problems listed.
const PROBLEMS_SHOWN: u32 = 10;
const FUNNEL_TITLE: &str = "Walks through the checks, per error code";
const WEEKLY_TITLE: &str = "Tickets filed per week";
const FIRST_RESPONSE_TITLE: &str = "First responses within target, per priority";
const OPEN_TITLE: &str = "Open tickets by age";
/// Codes drawn on their own in the weekly chart; the rest are summed.
const WEEKLY_CODES_DRAWN: usize = 4;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/insights", get(page))
        .route("/staff/insights/{file}", get(csv))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RangeQuery {
    from: String,
    to: String,
}

/// A preset's link above the range form.
struct PresetLink {
    label: &'static str,
    href: String,
    current: bool,
}

/// What the store read for a range.
struct Figures {
    funnels: Vec<CodeFunnel>,
    weekly: Weekly,
    times: ResponseTimes,
    open: Vec<i64>,
    problems: Vec<BusyProblem>,
    /// When walks began to be counted.
    since: Option<OffsetDateTime>,
}

/// A section's chart (SVG markup built by `chart`, escaped there) and table.
struct Shown {
    chart: Option<String>,
    /// The chart's title, said below it where the heading does not.
    title: &'static str,
    table: Table,
}

#[derive(Template)]
#[template(path = "staff/insights.html")]
struct InsightsPage {
    me: StaffMember,
    csrf: CsrfToken,
    /// The range as typed, and its mistakes.
    from: String,
    to: String,
    errors: FieldErrors,
    presets: Vec<PresetLink>,
    /// None when the range was refused.
    report: Option<Report>,
}

impl InsightsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// The figures of an accepted range, ready to show.
struct Report {
    range_text: String,
    /// `from=…&to=…`, for the CSV links.
    query: String,
    /// "Walks are counted from …", and whether the range starts earlier.
    since_text: Option<String>,
    walks_partial: bool,
    any_walks: bool,
    funnel: Shown,
    steps: Table,
    weekly: Shown,
    first_response: Shown,
    resolution: Table,
    open: Shown,
    open_total: i64,
    problems: Table,
}

fn today(now: OffsetDateTime) -> Date {
    now.to_offset(time::UtcOffset::UTC).date()
}

fn range_query(range: DateRange) -> String {
    with_query(
        "",
        &[("from", &day_text(range.from)), ("to", &day_text(range.to))],
    )
    .trim_start_matches('?')
    .to_string()
}

async fn figures(state: &AppState, range: DateRange, now: OffsetDateTime) -> Result<Figures> {
    let store = &state.store;
    let (walks, days, durations, open, problems, since) = tokio::try_join!(
        store.walk_tallies(range.from, range.to),
        store.tickets_per_day(range.from, range.to),
        store.duration_counts(range.from, range.to),
        store.open_tickets_by_age(now, &AGE_LIMITS),
        store.busiest_problems(range.from, range.to, PROBLEMS_SHOWN),
        store.insights_since(),
    )?;
    let kb = state.kb.get();
    Ok(Figures {
        funnels: funnel::build(&walks, |code| kb.tree(code)),
        weekly: Weekly::build(range, &days),
        times: ResponseTimes::from_counts(&durations),
        open,
        problems,
        since,
    })
}

fn report(figures: Figures, range: DateRange, state: &AppState) -> Report {
    let targets = &state.config.response_targets;
    let since_date = figures.since.map(today);
    let funnel_table = table::funnel(&figures.funnels);
    let funnel_chart = (!figures.funnels.is_empty()).then(|| {
        let categories: Vec<String> = figures.funnels.iter().map(|f| f.code.label()).collect();
        let series = |name: &str, value: fn(&CodeFunnel) -> i64| Series {
            name: name.into(),
            values: figures.funnels.iter().map(value).collect(),
        };
        chart::horizontal(
            Labels {
                id: "funnel-chart",
                title: FUNNEL_TITLE,
                description: "Bars for walks started, walks fixed by a check, and tickets filed \
                              after the checks, per error code. The table below has the numbers.",
            },
            &categories,
            &[
                series("Started", |f| f.started),
                series("Fixed", |f| f.fixed),
                series("Ticket filed", |f| f.filed),
            ],
            None,
            "",
        )
    });

    let weekly = &figures.weekly;
    let weekly_chart = (weekly.total() > 0).then(|| {
        let categories: Vec<String> = weekly
            .weeks
            .iter()
            .map(|w| {
                w.format(time::macros::format_description!(
                    "[day padding:none] [month repr:short]"
                ))
                .unwrap_or_default()
            })
            .collect();
        let mut series: Vec<Series> = weekly
            .codes
            .iter()
            .zip(&weekly.counts)
            .take(WEEKLY_CODES_DRAWN)
            .map(|(code, counts)| Series {
                name: code.as_str().to_string(),
                values: counts.clone(),
            })
            .collect();
        if weekly.codes.len() > WEEKLY_CODES_DRAWN {
            let rest = (0..weekly.weeks.len())
                .map(|w| {
                    weekly.counts[WEEKLY_CODES_DRAWN..]
                        .iter()
                        .map(|row| row[w])
                        .sum()
                })
                .collect();
            series.push(Series {
                name: "Other codes".into(),
                values: rest,
            });
        }
        chart::columns(
            Labels {
                id: "weekly-chart",
                title: WEEKLY_TITLE,
                description: "Columns for the tickets filed each week, split by error code \
                              (the busiest four, then the rest together). Weeks start on \
                              Monday. The table below has every code.",
            },
            &categories,
            &series,
        )
    });

    let answered: i64 = figures.times.first_response.iter().map(|h| h.total()).sum();
    let first_response_chart = (answered > 0).then(|| {
        let categories: Vec<String> = Priority::ALL.iter().map(|p| p.label().into()).collect();
        let values = Priority::ALL
            .iter()
            .map(|p| {
                figures.times.first_response[p.rank() as usize]
                    .met_percent()
                    .unwrap_or(0)
            })
            .collect();
        chart::horizontal(
            Labels {
                id: "first-response-chart",
                title: FIRST_RESPONSE_TITLE,
                description: "Bars for the share of tickets answered within their \
                              priority's target, from 0 to 100%. The table below has the \
                              targets, the counts and the median and 90th percentile times.",
            },
            &categories,
            &[Series {
                name: "Answered within target".into(),
                values,
            }],
            Some(100),
            "%",
        )
    });

    let open_total = figures.open.iter().sum();
    let open_chart = (open_total > 0).then(|| {
        // Shorter than the table's (`AGE_LABELS`), to fit below a column on a phone.
        let categories: Vec<String> = [
            "Under 1 h",
            "1–4 h",
            "4–24 h",
            "1–3 days",
            "3–7 days",
            "7+ days",
        ]
        .map(String::from)
        .to_vec();
        chart::columns(
            Labels {
                id: "open-chart",
                title: OPEN_TITLE,
                description: "Columns for the tickets new, open or waiting now, by how long \
                              ago they were filed. The table below has the numbers.",
            },
            &categories,
            &[Series {
                name: "Open tickets".into(),
                values: figures.open.clone(),
            }],
        )
    });

    Report {
        range_text: format!(
            "{} to {} ({} day{})",
            day_label(range.from),
            day_label(range.to),
            range.days(),
            if range.days() == 1 { "" } else { "s" }
        ),
        query: range_query(range),
        since_text: since_date.map(|d| {
            format!(
                "Walks through the checks are counted from {}.",
                day_label(d)
            )
        }),
        walks_partial: since_date.is_some_and(|d| range.from < d),
        any_walks: !figures.funnels.is_empty(),
        funnel: Shown {
            chart: funnel_chart,
            title: FUNNEL_TITLE,
            table: funnel_table,
        },
        steps: table::steps(&figures.funnels),
        weekly: Shown {
            chart: weekly_chart,
            title: WEEKLY_TITLE,
            table: table::weekly(weekly),
        },
        first_response: Shown {
            chart: first_response_chart,
            title: FIRST_RESPONSE_TITLE,
            table: table::first_response(&figures.times, targets),
        },
        resolution: table::resolution(&figures.times),
        open: Shown {
            chart: open_chart,
            title: OPEN_TITLE,
            table: table::open(&figures.open),
        },
        open_total,
        problems: table::problems(&figures.problems),
    }
}

fn presets(today: Date, current: Option<DateRange>) -> Vec<PresetLink> {
    Preset::ALL
        .iter()
        .map(|p| {
            let range = p.range(today);
            PresetLink {
                label: p.label(),
                href: format!("/staff/insights?{}", range_query(range)),
                current: current == Some(range),
            }
        })
        .collect()
}

async fn page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<RangeQuery>,
) -> Result<Response> {
    let now = OffsetDateTime::now_utc();
    let today = today(now);
    let (status, range, errors) = match DateRange::read(&query.from, &query.to, today) {
        Ok(range) => (StatusCode::OK, Some(range), FieldErrors::default()),
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
    };
    let report = match range {
        Some(range) => Some(report(figures(&state, range, now).await?, range, &state)),
        None => None,
    };
    // The form shows the range in use; a refused one as it was typed.
    let (from, to) = match range {
        Some(range) => (day_text(range.from), day_text(range.to)),
        None => (query.from, query.to),
    };
    let page = InsightsPage {
        me,
        csrf,
        from,
        to,
        errors,
        presets: presets(today, range),
        report,
    };
    Ok((status, render(&page)?).into_response())
}

/// One table as CSV: `funnel.csv`, `steps.csv`, `weekly.csv`,
/// `first-response.csv`, `resolution.csv`, `open.csv`, `problems.csv`.
async fn csv(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(file): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Response> {
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    const NAMES: [&str; 7] = [
        "funnel",
        "steps",
        "weekly",
        "first-response",
        "resolution",
        "open",
        "problems",
    ];
    if !NAMES.contains(&name) {
        return Err(AppError::NotFound);
    }
    let now = OffsetDateTime::now_utc();
    let range = match DateRange::read(&query.from, &query.to, today(now)) {
        Ok(range) => range,
        // The page says what is wrong with the range, beside the form.
        Err(_) => return page(State(state), CurrentStaff(me), csrf, Query(query)).await,
    };
    let report = report(figures(&state, range, now).await?, range, &state);
    let table = [
        report.funnel.table,
        report.steps,
        report.weekly.table,
        report.first_response.table,
        report.resolution,
        report.open.table,
        report.problems,
    ]
    .into_iter()
    .find(|t| t.name == name)
    .ok_or(AppError::NotFound)?;
    let filename = format!(
        "attachment; filename=\"apidesk-{name}-{}-to-{}.csv\"",
        day_text(range.from),
        day_text(range.to)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        table.to_csv(),
    )
        .into_response())
}
