//! A ticket's texts: the error message as pasted, and templates filled in
//! with the ticket's details.

use time::Date;

use crate::domain::{ErrorCode, HttpMethod};
use crate::tickets::{Tool, reference_for};

use super::rng::Rng;
use super::templates::messages_for;
use super::words::SEARCH_WORDS;

/// What a ticket's texts may mention, so they agree with one another.
pub(super) struct Ctx<'a> {
    pub(super) first: &'a str,
    pub(super) email: &'a str,
    pub(super) agent: &'a str,
    pub(super) code: ErrorCode,
    pub(super) method: HttpMethod,
    pub(super) path: &'a str,
    pub(super) tool: &'a str,
    pub(super) view: u64,
    pub(super) record: u64,
    pub(super) job: u64,
    pub(super) recipe: u64,
    pub(super) date: Date,
    pub(super) table: &'static str,
    pub(super) field: &'static str,
    pub(super) role: &'static str,
    pub(super) limit: u32,
    pub(super) request_id: String,
    pub(super) max_ref: u64,
}

/// The error message as pasted: the code's typical texts, dressed the way
/// each tool reports them, often with a request or job id.
pub(super) fn message(rng: &mut Rng, ctx: &Ctx<'_>, tool: &Tool) -> String {
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
pub(super) fn fill(template: &str, ctx: &Ctx<'_>, rng: &mut Rng) -> String {
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
}
