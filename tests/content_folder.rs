//! Content a support team edits without a compiler: exported, checked with
//! `apidesk content check`, served with `--content DIR`, reloaded on SIGHUP.
//! The commands and the server run as the real binary, as an operator would
//! run them.

mod common;

use common::ending::run;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use apidesk::domain::ErrorCode;
use apidesk::kb::{KnowledgeBase, export_embedded};
use axum::http::StatusCode;
use common::TestApp;
use tempfile::TempDir;

/// The binary, with none of the caller's `APIDESK_*` settings.
fn apidesk() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apidesk"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("APIDESK_") {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "apidesk=info").env("NO_COLOR", "1");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A folder holding the built-in content, as `content export` writes it.
fn exported() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    export_embedded(dir.path(), false).unwrap();
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn builtin() -> KnowledgeBase {
    KnowledgeBase::load_embedded().expect("the built-in content loads")
}

async fn serving(dir: &Path) -> TestApp {
    let dir = dir.to_path_buf();
    TestApp::spawn_configured(move |config| config.content = Some(dir)).await
}

#[tokio::test]
async fn exported_content_serves_the_same_pages_as_the_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("our-content");
    let out = run(apidesk().args(["content", "export"]).arg(&folder));
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stdout).contains("apidesk content check"),
        "{out:?}"
    );

    let mut ours = serving(&folder).await;
    let mut theirs = TestApp::spawn().await;
    let mut pages = vec!["/".to_string(), "/articles".to_string()];
    let kb = builtin();
    pages.extend(
        kb.articles()
            .iter()
            .map(|a| format!("/articles/{}", a.slug)),
    );
    pages.extend(ErrorCode::ALL.map(|code| format!("/troubleshoot/{code}")));
    for page in pages {
        let (a, b) = (ours.get(&page).await, theirs.get(&page).await);
        assert_eq!(a.status, StatusCode::OK, "{page}");
        let (a, b) = (without_csrf_token(&a.body), without_csrf_token(&b.body));
        if let Some((ours, theirs)) = a.lines().zip(b.lines()).find(|(x, y)| x != y) {
            panic!("{page} differs:\n  served from the folder: {ours}\n  built in: {theirs}");
        }
        assert_eq!(a.lines().count(), b.lines().count(), "{page}");
    }
}

/// Each visitor gets their own form token; the rest of a page is the content.
fn without_csrf_token(page: &str) -> String {
    match common::hidden_value(page, "csrf_token") {
        Some(token) => page.replace(&token, "TOKEN"),
        None => page.to_string(),
    }
}

#[tokio::test]
async fn an_edited_article_title_shows_on_its_page() {
    let dir = exported();
    edit(
        dir.path(),
        "articles/401-unauthorized.md",
        "title = \"401 Unauthorized\"",
        "title = \"401: the API did not accept your credentials\"",
    );
    let mut app = serving(dir.path()).await;
    let page = app.get("/articles/401-unauthorized").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1>401: the API did not accept your credentials</h1>");
}

#[test]
fn content_check_passes_on_the_export_and_needs_no_database() {
    let dir = exported();
    let cwd = tempfile::tempdir().unwrap();
    let out = run(apidesk()
        .current_dir(cwd.path())
        .args(["content", "check"])
        .arg(dir.path()));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(text(&out.stdout), format!("ok: {}\n", builtin().describe()));
    assert_eq!(
        fs::read_dir(cwd.path()).unwrap().count(),
        0,
        "no data/ folder, no database"
    );
}

/// Four mistakes a team makes: a link to a misspelt article, a figure
/// written as words, a check worded as a question, a file saved in another
/// encoding (whose tree is then missing too).
fn broken() -> TempDir {
    let dir = exported();
    let root = dir.path();
    edit(
        root,
        "articles/checklist.md",
        "(/articles/401-unauthorized)",
        "(/articles/401-unauthorised)",
    );
    edit(
        root,
        "site.toml",
        "per_minute = 1200",
        "per_minute = \"1200 a minute\"",
    );
    edit(
        root,
        "trees/404.toml",
        "check = \"Check that the endpoint URL is correct and complete\"",
        "check = \"Is the endpoint URL correct?\"",
    );
    // Saved as Latin-1 after an "é" was typed on line 3: not UTF-8 from there.
    let path = root.join("trees/429.toml");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replacen("start = \"", "start = \"\u{e9}", 1);
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    fs::write(&path, latin1).unwrap();
    dir
}

/// The problems of `broken()`: file, line, message.
fn broken_problems() -> [(&'static str, Option<usize>, String); 5] {
    [
        (
            "articles/checklist.md",
            Some(21),
            "broken link \"/articles/401-unauthorised\": no such article".into(),
        ),
        (
            "site.toml",
            Some(13),
            "invalid type: string \"1200 a minute\", expected u64".into(),
        ),
        (
            "trees/404.toml",
            Some(10),
            "step \"endpoint-url\": check \"Is the endpoint URL correct?\" is a question; \
             word it as an instruction (\"Check that …\"), the page asks \"Did this fix the error?\" under it"
                .into(),
        ),
        (
            "trees/429.toml",
            Some(3),
            "is not valid UTF-8; save it as UTF-8".into(),
        ),
        (
            "trees/429.toml",
            None,
            format!("missing: every code ({}) needs a tree", ErrorCode::keys(" ")),
        ),
    ]
}

#[test]
fn content_check_prints_every_problem_at_its_file_and_line() {
    let dir = broken();
    let out = run(apidesk().args(["content", "check"]).arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let root = dir.path().display();
    let expected: String = broken_problems()
        .iter()
        .map(|(file, line, message)| match line {
            Some(line) => format!("{root}/{file}:{line}: {message}\n"),
            None => format!("{root}/{file}: {message}\n"),
        })
        .collect();
    assert_eq!(text(&out.stdout), expected);
    assert_eq!(text(&out.stderr), format!("5 problems in {root}\n"));
}

#[test]
fn content_check_refuses_a_folder_without_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(apidesk().args(["content", "check"]).arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stdout),
        format!(
            "{}: holds no content: expected site.toml, articles/ and trees/ \
             (`apidesk content export DIR` writes the built-in content as a start)\n",
            dir.path().display()
        )
    );
    let out = run(apidesk().args(["content", "check"]));
    assert_eq!(out.status.code(), Some(2), "a usage error: {out:?}");
}

#[test]
fn the_server_does_not_start_on_an_invalid_folder() {
    let dir = broken();
    let data = tempfile::tempdir().unwrap();
    let database = data.path().join("apidesk.db");
    let out = run(apidesk()
        .env("APIDESK_CONTENT_DIR", dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", database.display())));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let listed: String = broken_problems()
        .iter()
        .map(|(file, line, message)| match line {
            Some(line) => format!("\n  - {file}: line {line}: {message}"),
            None => format!("\n  - {file}: {message}"),
        })
        .collect();
    let stderr = text(&out.stderr);
    assert!(
        stderr.ends_with(&format!(
            "error: the content in {} (--content) is invalid: \
             the knowledge base content is invalid:{listed}\n",
            dir.path().display()
        )),
        "{stderr}"
    );
    assert!(!database.exists(), "stopped before creating the database");
}

#[test]
fn export_refuses_a_folder_in_use_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("NOTES.md"), "our notes").unwrap();
    let out = run(apidesk().args(["content", "export"]).arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {} is not empty; export into a new or empty folder, or add --force \
             to write over the files it exports (other files are kept)\n",
            dir.path().display()
        )
    );
    assert!(!dir.path().join("site.toml").exists());

    fs::write(dir.path().join("site.toml"), "edited = true").unwrap();
    let out = run(apidesk()
        .args(["content", "export", "--force"])
        .arg(dir.path()));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("NOTES.md")).unwrap(),
        "our notes"
    );
    KnowledgeBase::load_folder(dir.path()).unwrap_or_else(|e| panic!("{e}"));
}

/// The real server in its own process, so a signal reaches it alone; its
/// log lines arrive on a channel. Killed if a test fails halfway.
struct Served {
    child: Child,
    base: String,
    log: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Served {
    fn start(extra: &[&std::ffi::OsStr], data: &Path) -> Self {
        let mut child = apidesk()
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url"])
            .arg(format!("sqlite://{}", data.join("apidesk.db").display()))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the apidesk binary runs");
        let (send, log) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Self {
            child,
            base: String::new(),
            log,
            seen: Vec::new(),
        };
        let listening = served.wait_for("apidesk listening on ");
        let (_, address) = listening.split_once("listening on ").unwrap();
        served.base = address.trim().to_string();
        served
    }

    /// The next log line containing `wanted`. The deadline only keeps a
    /// broken server from hanging the test run.
    fn wait_for(&mut self, wanted: &str) -> String {
        loop {
            match self.log.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(wanted) {
                        return line;
                    }
                }
                Err(err) => panic!(
                    "no {wanted:?} in the log ({err}):\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success());
    }

    async fn page(&self, path: &str) -> (u16, String) {
        // The server runs in the child: nothing installed TLS's provider here.
        apidesk::webhooks::use_ring_for_tls();
        let res = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    fn stop(mut self) {
        self.signal("TERM");
        self.wait_for("apidesk stopped");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn sighup_reloads_valid_content_and_keeps_serving_on_invalid() {
    let dir = exported();
    let data = tempfile::tempdir().unwrap();
    let mut server = Served::start(&["--content".as_ref(), dir.path().as_os_str()], data.path());
    let (status, body) = server.page("/articles/401-unauthorized").await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>401 Unauthorized</h1>"), "{body}");

    edit(
        dir.path(),
        "articles/401-unauthorized.md",
        "title = \"401 Unauthorized\"",
        "title = \"401: the API did not accept your credentials\"",
    );
    server.signal("HUP");
    let reloaded = server.wait_for("content reloaded: ");
    assert!(reloaded.contains(&format!("content reloaded: {}", builtin().describe())));
    let (_, body) = server.page("/articles/401-unauthorized").await;
    assert!(
        body.contains("<h1>401: the API did not accept your credentials</h1>"),
        "{body}"
    );

    edit(
        dir.path(),
        "articles/401-unauthorized.md",
        "title = \"401: the API did not accept your credentials\"",
        "title = \"\"",
    );
    edit(
        dir.path(),
        "trees/404.toml",
        "check = \"Check that the endpoint URL is correct and complete\"",
        "check = \"Is the endpoint URL correct?\"",
    );
    server.signal("HUP");
    let first = server.wait_for("content not reloaded: ");
    let second = server.wait_for("content not reloaded: ");
    let summary = server.wait_for("content not reloaded: ");
    for (line, says) in [
        (
            &first,
            "content not reloaded: articles/401-unauthorized.md: title is empty",
        ),
        (
            &second,
            "content not reloaded: trees/404.toml: line 10: step \"endpoint-url\": check \"Is the endpoint URL correct?\" is a question",
        ),
        (
            &summary,
            "content not reloaded: 2 problems; still serving the content loaded before",
        ),
    ] {
        assert!(line.contains("WARN") && line.contains(says), "{line}");
    }
    let (status, body) = server.page("/articles/401-unauthorized").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("<h1>401: the API did not accept your credentials</h1>"),
        "{body}"
    );
    let (_, body) = server.page("/troubleshoot/404").await;
    assert!(
        body.contains("Check that the endpoint URL is correct and complete"),
        "{body}"
    );
    server.stop();
}

#[tokio::test]
async fn sighup_without_a_content_folder_has_nothing_to_reload() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Served::start(&[], data.path());
    server.signal("HUP");
    server.wait_for("SIGHUP: nothing to reload; apidesk serves its built-in content");
    let (status, _) = server.page("/").await;
    assert_eq!(status, 200, "still serving");
    server.stop();
}
