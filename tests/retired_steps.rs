//! Step ids that a content change retired keep meaning their successor:
//! on a ticket that stored them, in an old shared link, and in the
//! "yes, fixed" counts. Also how a step's `where`, `ask` and `caution`
//! show on its page.
//!
//! The app here serves the real articles with small trees in which every
//! step id the trees had before issue 7 is listed in a successor's
//! `replaces`, so the test does not depend on which ids today's content
//! still uses.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::path::Path;

use apidesk::domain::ErrorCode;
use apidesk::kb::KnowledgeBase;
use axum::http::StatusCode;
use common::{TestApp, escape};
use staff_helpers::{file_ticket_with, signed_in_agent, staff_url, status_url};
use time::OffsetDateTime;

/// The 401 tree's ids before issue 7, and the test tree's successors.
const OLD_FIRST: &str = "token-active";
const OLD_SECOND: &str = "user-active";
const NEW_FIRST: &str = "token-still-valid";
const NEW_FIRST_CHECK: &str = "Check that the token <still> works";
const NEW_FIRST_ASK: &str = "Ask your account admin whether it was <b>revoked</b>";
const NEW_FIRST_CAUTION: &str = "A new token & a <i>fresh</i> key stop the old ones";
const NEW_REST: &str = "account-and-key";
const NEW_REST_CHECK: &str = "Check the API user & the UserKey";

fn quoted(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("\"{id}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The real articles with the trees `tree(code, earlier ids, article)`
/// writes; a tree that never had other ids (added in issue 7) stays as it is.
fn kb_with(tree: impl Fn(&str, &[&str], &str) -> String) -> KnowledgeBase {
    let builtin = KnowledgeBase::load_embedded().expect("built-in content");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/articles");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("content/articles")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (
                format!("articles/{name}"),
                std::fs::read_to_string(&path).expect("readable"),
            )
        })
        .collect();
    for code in ErrorCode::ALL {
        let earlier = KnowledgeBase::earlier_step_ids(code);
        let article = &builtin.tree(code).article;
        let path = format!("trees/{}.toml", code.as_str());
        let text = if earlier.is_empty() {
            let real = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("content")
                .join(&path);
            std::fs::read_to_string(real).expect("the built-in tree")
        } else {
            tree(code.as_str(), earlier, article)
        };
        files.push((path, text));
    }
    files.push((
        "site.toml".into(),
        include_str!("../content/site.toml").into(),
    ));
    KnowledgeBase::from_files(files).unwrap_or_else(|e| panic!("{e}"))
}

/// Trees as they were before: every earlier id a live step, in order.
fn earlier_kb() -> KnowledgeBase {
    kb_with(|code, earlier, article| {
        let mut text = format!(
            "code = \"{code}\"\narticle = \"{article}\"\nstart = \"{}\"\n\n",
            earlier[0]
        );
        for (i, id) in earlier.iter().enumerate() {
            let next = earlier.get(i + 1).copied().unwrap_or("ticket");
            text.push_str(&format!(
                "[[step]]\nid = \"{id}\"\ncheck = \"Check {id}\"\nwhere = \"In your log\"\n\
                 do = \"Look.\"\nnext = \"{next}\"\n\n"
            ));
        }
        text
    })
}

/// Trees whose steps took over the earlier ids: in 401, `token-active`
/// became `token-still-valid` and the other four merged into
/// `account-and-key`; each other code has one step that took over all.
fn renamed_kb() -> KnowledgeBase {
    kb_with(|code, earlier, article| {
        if code == "401" {
            format!(
                "code = \"401\"\narticle = \"{article}\"\nstart = \"{NEW_FIRST}\"\n\n\
                 [[step]]\nid = \"{NEW_FIRST}\"\ncheck = \"{NEW_FIRST_CHECK}\"\n\
                 ask = \"{NEW_FIRST_ASK}\"\ncaution = \"{NEW_FIRST_CAUTION}\"\nreplaces = [\"{OLD_FIRST}\"]\n\
                 do = \"Look.\"\nnext = \"{NEW_REST}\"\n\n\
                 [[step]]\nid = \"{NEW_REST}\"\ncheck = \"{NEW_REST_CHECK}\"\n\
                 where = \"In the connection settings\"\nreplaces = [{}]\n\
                 do = \"Look again.\"\nnext = \"ticket\"\n",
                quoted(&earlier[1..])
            )
        } else {
            format!(
                "code = \"{code}\"\narticle = \"{article}\"\nstart = \"only\"\n\n\
                 [[step]]\nid = \"only\"\ncheck = \"Check everything\"\n\
                 where = \"In your log\"\nreplaces = [{}]\ndo = \"Look.\"\nnext = \"ticket\"\n",
                quoted(earlier)
            )
        }
    })
}

#[tokio::test]
async fn a_ticket_with_earlier_step_ids_shows_the_successors_headings() {
    let mut app = TestApp::spawn_with_kb(renamed_kb()).await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let path = format!("{OLD_FIRST},{OLD_SECOND},userkey-valid");
    let ticket = file_ticket_with(&mut app, &[("error_code", "401"), ("path", &path)]).await;
    // Stored as sent: the mapping happens wherever the ids are read back.
    assert_eq!(
        ticket.details.path,
        [OLD_FIRST, OLD_SECOND, "userkey-valid"]
    );

    for url in [status_url(&ticket), staff_url(&ticket)] {
        let page = app.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        page.assert_contains(&escape(NEW_FIRST_CHECK))
            .assert_contains(&escape(NEW_REST_CHECK));
        assert!(!page.body.contains(OLD_SECOND), "{url} shows the old id");
        // Two earlier checks merged into one are listed once (the staff
        // page also offers each step as a canned reply: not a listing).
        let listed = match page.body.find("class=\"done-list\"") {
            Some(at) => {
                let list = &page.body[at..];
                &list[..list.find("</ol>").unwrap()]
            }
            None => page.body.as_str(),
        };
        assert_eq!(listed.matches(&escape(NEW_REST_CHECK)).count(), 1, "{url}");
    }

    let form = app
        .get(&format!("/tickets/new?error_code=401&path={OLD_FIRST}"))
        .await;
    form.assert_contains("You already checked")
        .assert_contains(&escape(NEW_FIRST_CHECK));

    let csv = app.get("/staff/queue.csv?status=all").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains(&format!("\"{NEW_FIRST},{NEW_REST}\"")),
        "{}",
        csv.body
    );
}

#[tokio::test]
async fn an_old_shared_link_goes_on_at_the_successor() {
    let mut app = TestApp::spawn_with_kb(renamed_kb()).await;
    let old = app
        .get(&format!(
            "/troubleshoot/401?path={OLD_FIRST}&message=HTTP+401"
        ))
        .await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert_eq!(
        old.location(),
        format!("/troubleshoot/401?path={NEW_FIRST}&message=HTTP+401")
    );
    let page = app.get(old.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Check 2 of 2")
        .assert_contains(&escape(NEW_REST_CHECK));

    // Two earlier ids that now mean the same step walk on past it once.
    let merged = app
        .get(&format!(
            "/troubleshoot/401?path={OLD_FIRST},{OLD_SECOND},userkey-valid"
        ))
        .await;
    assert_eq!(
        merged.location(),
        format!("/troubleshoot/401?path={NEW_FIRST}%2C{NEW_REST}")
    );
}

#[tokio::test]
async fn fixed_counts_under_an_earlier_id_add_up_for_the_successor() {
    let app = TestApp::spawn_with_kb(renamed_kb()).await;
    let store = &app.state.store;
    let now = OffsetDateTime::now_utc();
    // A count kept under the old id, as the earlier content recorded it.
    let before = earlier_kb();
    assert!(
        store
            .record_deflection(
                before.tree(ErrorCode::Unauthorized),
                OLD_SECOND,
                "visitor-a",
                now
            )
            .await
            .unwrap()
    );

    let kb = app.state.kb.get();
    let tree = kb.tree(ErrorCode::Unauthorized);
    // A page opened before the change posts the old id: it counts once, for
    // the successor.
    assert!(
        store
            .record_deflection(tree, "regenerate-token", "visitor-b", now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_deflection(tree, NEW_REST, "visitor-b", now)
            .await
            .unwrap(),
        "the same visitor and step count once"
    );
    assert!(
        !store
            .record_deflection(tree, "never-a-step", "visitor-c", now)
            .await
            .unwrap()
    );
    let count = store.deflection_count(tree, NEW_REST).await.unwrap();
    assert_eq!(count, 2, "the old count and the new one");
    assert_eq!(
        store.deflection_count(tree, OLD_SECOND).await.unwrap(),
        count,
        "an earlier id reads as its successor"
    );
    assert_eq!(store.deflection_count(tree, NEW_FIRST).await.unwrap(), 0);
}

#[tokio::test]
async fn a_step_says_where_to_look_whom_to_ask_and_warns_before_the_instructions() {
    let mut app = TestApp::spawn_with_kb(renamed_kb()).await;
    let page = app.get("/troubleshoot/401").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&format!("Who to ask:</span> {}", escape(NEW_FIRST_ASK)))
        .assert_contains(&escape(NEW_FIRST_CAUTION))
        .assert_lacks("<b>revoked</b>")
        .assert_lacks("<i>fresh</i>")
        .assert_lacks("Where to look:");
    let heading = page.body.find("id=\"step-heading\"").expect("heading");
    let ask = page.body.find("Who to ask:").expect("ask");
    let caution = page.body.find("Before you do this").expect("caution");
    let todo = page.body.find("<p>Look.</p>").expect("what to do");
    let question = page.body.find("Did this fix the error?").expect("question");
    assert!(
        heading < ask && ask < caution && caution < todo && todo < question,
        "{}",
        page.body
    );
    // The strongest answer still comes first.
    let no = page.body.find("No, still failing").expect("no");
    let yes = page.body.find("Yes, fixed").expect("yes");
    assert!(no < yes);

    let second = app
        .get(&format!("/troubleshoot/401?path={NEW_FIRST}"))
        .await;
    second
        .assert_contains("Where to look:</span> In the connection settings")
        .assert_lacks("Who to ask:")
        .assert_lacks("Before you do this");
}
