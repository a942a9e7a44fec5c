use super::*;
use time::macros::datetime;

fn query(pairs: &str) -> QueueFilter {
    serde_urlencoded::from_str::<QueueQuery>(pairs)
        .unwrap()
        .filter()
}

#[test]
fn the_default_view_is_what_needs_a_human_most_urgent_first() {
    let f = query("");
    assert_eq!(f.statuses, NEEDS_A_HUMAN);
    assert_eq!(f.sort, Sort::Urgency);
    assert_eq!(f.assignee, AssigneeFilter::Anyone);
    assert!(f.after.is_none());
}

#[test]
fn filters_parse_and_unknown_values_are_ignored() {
    let f = query(
        "status=waiting,closed&code=429&priority=high&assignee=me&environment=sandbox&tool=workato&from=2026-01-01&to=2026-01-31&q=+rate+limit+&sort=updated",
    );
    assert_eq!(f.statuses, [TicketStatus::Waiting, TicketStatus::Closed]);
    assert_eq!(f.code, Some(ErrorCode::TooManyRequests));
    assert_eq!(f.priority, Some(Priority::High));
    assert_eq!(f.assignee, AssigneeFilter::Me);
    assert_eq!(f.environment, Some(Environment::Sandbox));
    assert_eq!(f.tool.as_deref(), Some("workato"));
    assert_eq!(f.created_from.unwrap().to_string(), "2026-01-01");
    assert_eq!(f.search, "rate limit");
    assert_eq!(f.sort, Sort::Updated);

    let f =
        query("status=all&code=999&priority=max&assignee=x&tool=excel&from=yesterday&sort=random");
    assert!(f.statuses.is_empty());
    assert_eq!(
        (f.code, f.priority, f.tool, f.created_from),
        (None, None, None, None)
    );
    assert_eq!(f.assignee, AssigneeFilter::Anyone);
    assert_eq!(f.sort, Sort::Urgency);
    assert_eq!(query("assignee=none").assignee, AssigneeFilter::Unassigned);
    assert_eq!(query("assignee=7").assignee, AssigneeFilter::Person(7));
}

/// Issue 6, item 11: extreme dates are no filter, never a crash.
#[test]
fn extreme_dates_are_ignored() {
    for bad in [
        "0000-01-01",
        "-0001-01-01",
        "-9999-12-31",
        "+10000-01-01",
        "1999-12-31",
        "9999-13-01",
        "2026-02-30",
        "2026-1-1",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
    assert_eq!(parse_date("9999-12-31").unwrap().year(), 9999);
    assert_eq!(
        parse_date(" 2026-01-31 ").unwrap().to_string(),
        "2026-01-31"
    );
}

#[test]
fn cursors_round_trip_and_reject_tampering() {
    let c = Cursor {
        segment: 1,
        priority: 2,
        time: datetime!(2026-01-02 03:04:05 UTC),
        id: 42,
    };
    assert_eq!(c.encode(), "1.2.2026-01-02T03:04:05Z.42");
    assert_eq!(Cursor::decode(&c.encode(), Sort::Urgency), Some(c));
    for bad in [
        "",
        "1.2.3",
        "2.0.2026-01-02T03:04:05Z.1",
        "0.9.2026-01-02T03:04:05Z.1",
        "0.0.2026-01-02 03:04:05'.1",
        "0.0.2026-01-02T03:04:05Z.x",
        "0.0.2026-13-45T99:99:99Z.1",
    ] {
        assert_eq!(Cursor::decode(bad, Sort::Urgency), None, "{bad:?}");
    }
}

#[test]
fn reading_a_query_string_dedupes_bounds_and_explains() {
    let many = vec!["open,new"; 300].join(",");
    let (q, notes) = QueueQuery::read(&format!("status={many}&status=new&status=closed"));
    assert_eq!(q.status, "new,open,closed");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        q.filter().statuses,
        [TicketStatus::New, TicketStatus::Open, TicketStatus::Closed]
    );

    let (q, notes) = QueueQuery::read("status=bogus,%00&code=401&code=500&q=a%00b%0Ac");
    assert_eq!(q.status, "");
    assert_eq!(q.filter().statuses, NEEDS_A_HUMAN);
    assert_eq!(q.code, "401", "the first value wins");
    assert_eq!(q.q, "a b c");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("Ignored status “bogus”"));

    let (q, _) = QueueQuery::read("status=all,new");
    assert_eq!(q.status, "all");
    let (q, notes) = QueueQuery::read(&format!("tool={}&after=1.2.x.4", "w".repeat(500)));
    assert_eq!(q.tool, "");
    assert_eq!(q.after, "");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains(&"w".repeat(MAX_VALUE_CHARS)));
    assert!(!notes[0].contains(&"w".repeat(MAX_VALUE_CHARS + 1)));
    // Pairs past the bound are not read at all.
    let (q, _) = QueueQuery::read(&format!("{}&code=401", vec!["x=1"; MAX_PAIRS].join("&")));
    assert_eq!(q.code, "");
}

#[test]
fn searches_are_bounded_in_words_and_length() {
    let s = Search::clean("  rate\u{0}limit\t  exceeded ");
    assert_eq!(s.text, "rate limit exceeded");
    assert!(s.notes().is_empty());

    let s = Search::clean(&"word ".repeat(50));
    assert_eq!(s.text.split(' ').count(), MAX_SEARCH_TERMS);
    assert!(s.words_dropped && !s.words_cut);

    let s = Search::clean(&format!("{} b", "é".repeat(100)));
    assert_eq!(s.text, format!("{} b", "é".repeat(MAX_TERM_CHARS)));
    assert!(s.words_cut && !s.words_dropped);

    let long = vec!["x".repeat(39); MAX_SEARCH_TERMS].join(" ");
    let s = Search::clean(&long);
    assert!(s.text.chars().count() <= MAX_SEARCH_CHARS);
    assert!(s.words_dropped);
    assert_eq!(s.notes().len(), 1);
}
