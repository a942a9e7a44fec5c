//! The browser harness: apidesk on port 0 with a fresh database, one
//! chromedriver shared by the tests running at the same time (shut down when
//! the last of them ends), and a headless Chromium session per test at a
//! given window size.
//!
//! Without chromedriver or Chromium a test prints a notice and passes; under
//! `CI=true` it fails instead, saying what is missing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::json;

use crate::server::Server;

/// A browser window size; `name` goes into screenshot file names.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
}

pub const PHONE: Size = Size {
    name: "390x844",
    width: 390,
    height: 844,
};
pub const DESKTOP: Size = Size {
    name: "1280x800",
    width: 1280,
    height: 800,
};

/// A running chromedriver, shut down (with its browsers) on drop.
struct Chromedriver {
    port: u16,
    child: Child,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // `/shutdown` stops it cleanly; kill it only if it is still there
        // after that. (Each test closes its own browser: see Browser's Drop.)
        self.request("GET", "/shutdown");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromedriver {
    /// A blocking request to chromedriver, usable from `Drop`; returns the
    /// start of the response, if any.
    fn request(&self, method: &str, path: &str) -> Option<String> {
        self.request_with_body(method, path, "")
    }

    /// As [`Chromedriver::request`], with a JSON `body`.
    fn request_with_body(&self, method: &str, path: &str, body: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).ok()?;
        // The status line comes first; the rest of the answer is not needed.
        let mut answer = vec![0; 4096];
        let n = stream.read(&mut answer).ok()?;
        Some(String::from_utf8_lossy(&answer[..n]).into_owned())
    }
}

/// The chromedriver the running tests share, started by the first of them.
static DRIVER: Mutex<Weak<Chromedriver>> = Mutex::new(Weak::new());

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `APIDESK_<NAME>` if set, else the first of `candidates` found on `PATH`
/// (or given as an absolute path that exists).
fn find_program(variable: &str, candidates: &[&str]) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(variable) {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in candidates {
        if name.starts_with('/') {
            if std::path::Path::new(name).is_file() {
                return Ok(PathBuf::from(name));
            }
            continue;
        }
        for dir in std::env::split_paths(&path) {
            let full = dir.join(name);
            if full.is_file() {
                return Ok(full);
            }
        }
    }
    Err(format!(
        "none of {candidates:?} is on PATH (or set {variable}); on Debian: apt-get install chromium chromium-driver"
    ))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_chromedriver() -> Result<Arc<Chromedriver>, String> {
    let mut shared = DRIVER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(driver) = shared.upgrade() {
        return Ok(driver);
    }
    let program = find_program("APIDESK_CHROMEDRIVER", &["chromedriver"])?;
    let port = free_port();
    let child = Command::new(&program)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let driver = Arc::new(Chromedriver { port, child });
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!(
                "{} did not listen on port {port} within 10 s",
                program.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    *shared = Arc::downgrade(&driver);
    Ok(driver)
}

/// Where screenshots go: `target/screenshots/` beside this test binary's
/// `target/debug/deps/`.
pub fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test binary lives in target/<profile>/deps/");
    target.join("screenshots")
}

/// How a test's Chromium is set up: [`Options::at`] a size, then adjusted.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub size: Size,
    /// `false` runs every page with JavaScript switched off (journey 5).
    pub javascript: bool,
    /// The IANA time zone the browser reports, instead of the machine's.
    pub time_zone: Option<&'static str>,
}

impl Options {
    pub fn at(size: Size) -> Self {
        Self {
            size,
            javascript: true,
            time_zone: None,
        }
    }

    pub fn without_javascript(self) -> Self {
        Self {
            javascript: false,
            ..self
        }
    }

    pub fn in_time_zone(self, zone: &'static str) -> Self {
        Self {
            time_zone: Some(zone),
            ..self
        }
    }
}

/// One test's browser: its own apidesk (fresh database) and Chromium window.
pub struct Browser {
    pub app: Server,
    pub client: Client,
    pub size: Size,
    /// Whether pages run JavaScript (`Options::without_javascript`).
    pub javascript: bool,
    session: Session,
    downloads: tempfile::TempDir,
}

/// The WebDriver session, until [`Browser::finish`] closes it.
struct Session {
    id: Option<String>,
    driver: Arc<Chromedriver>,
}

impl Drop for Session {
    /// A test that panicked never reached `finish`: close its Chromium here,
    /// or it would outlive the test run.
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.driver.request("DELETE", &format!("/session/{id}"));
        }
    }
}

impl Browser {
    /// A fresh apidesk and a headless Chromium at `size`, or `None` (after a
    /// notice) when chromedriver or Chromium is missing outside CI.
    pub async fn start(size: Size) -> Option<Self> {
        Self::start_with(Options::at(size)).await
    }

    /// As [`Browser::start`], with the browser set up as `options` say.
    pub async fn start_with(options: Options) -> Option<Self> {
        match Self::try_start(options).await {
            Ok(browser) => Some(browser),
            Err(why) if in_ci() => {
                panic!("browser tests need Chromium and chromedriver under CI: {why}")
            }
            Err(why) => {
                // Straight to stderr, past the test harness's capture, so the
                // notice shows even though the test passes.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED (not in CI): browser test without a browser: {why}"
                );
                None
            }
        }
    }

    async fn try_start(options: Options) -> Result<Self, String> {
        let size = options.size;
        let chromium = find_program(
            "APIDESK_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        )?;
        let driver = start_chromedriver()?;
        let downloads = tempfile::tempdir().map_err(|e| format!("no download folder: {e}"))?;
        let mut prefs = json!({
            "download.default_directory": downloads.path(),
            "download.prompt_for_download": false,
            "download.directory_upgrade": true,
            "intl.accept_languages": "en-US",
        });
        if !options.javascript {
            prefs["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--no-first-run",
                    // Date fields then read month/day/year, as journeys type them.
                    "--lang=en-US",
                    format!("--window-size={},{}", size.width, size.height),
                ],
                "prefs": prefs,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util_connector())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .map_err(|e| format!("chromedriver could not start {}: {e}", chromium.display()))?;
        let session = Session {
            id: client.session_id().await.ok().flatten(),
            driver,
        };
        let app = Server::start().await;
        let browser = Self {
            app,
            client,
            size,
            javascript: options.javascript,
            session,
            downloads,
        };
        if let Some(zone) = options.time_zone {
            browser
                .devtools(
                    "Emulation.setTimezoneOverride",
                    json!({ "timezoneId": zone }),
                )
                .await;
        }
        browser.fit_viewport().await;
        Ok(browser)
    }

    /// Sends a Chrome DevTools Protocol command to this browser's page (for
    /// what WebDriver cannot set, such as the time zone).
    pub async fn devtools(&self, command: &str, params: serde_json::Value) {
        let id = self.session.id.clone().expect("an open session");
        let driver = self.session.driver.clone();
        let body = json!({ "cmd": command, "params": params }).to_string();
        let answer = tokio::task::spawn_blocking(move || {
            driver.request_with_body("POST", &format!("/session/{id}/goog/cdp/execute"), &body)
        })
        .await
        .unwrap()
        .unwrap_or_default();
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "DevTools {command} failed: {answer}"
        );
    }

    /// The folder the browser saves downloads into (empty at the start).
    pub fn downloads(&self) -> &std::path::Path {
        self.downloads.path()
    }

    /// Waits up to 10 s for a finished download whose name ends in
    /// `suffix` and returns its path.
    pub async fn downloaded(&self, suffix: &str) -> PathBuf {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let done = std::fs::read_dir(self.downloads())
                .unwrap()
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .find(|path| path.to_string_lossy().ends_with(suffix));
            if let Some(path) = done {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "no download ending in {suffix:?} within 10 s in {:?}",
                self.downloads()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Adds a staff member with the test password and signs them in through
    /// the sign-in page, as a person would; ends on the page it leads to.
    pub async fn sign_in_staff(&self, email: &str, name: &str, role: apidesk::staff::Role) {
        self.app.add_staff(email, name, role).await;
        self.visit("/staff/login").await;
        self.type_into("input[name=email]", email).await;
        self.type_into("input[name=password]", crate::server::PASSWORD)
            .await;
        self.follow("main form button[type=submit]").await;
        assert!(
            !self.path().await.starts_with("/staff/login"),
            "signing in failed: {}",
            self.describe().await
        );
    }

    /// Makes the page's viewport exactly `size` (the window may add borders).
    async fn fit_viewport(&self) {
        let (w, h) = (self.size.width, self.size.height);
        self.client.set_window_size(w, h).await.unwrap();
        let inner = self
            .script("return [window.innerWidth, window.innerHeight];")
            .await;
        let (iw, ih) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
        if (iw, ih) != (w.into(), h.into()) {
            let ow = w + (w - iw as u32);
            let oh = h + (h - ih as u32);
            self.client.set_window_size(ow, oh).await.unwrap();
        }
    }

    /// Runs `script` in the page and returns its result.
    pub async fn script(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits up to 5 s for `script` to return `true`; says whether it did.
    pub async fn wait_until(&self, script: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if self.script(script).await == serde_json::Value::Bool(true) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Opens `path` (e.g. `/tickets/new`) on this test's server.
    pub async fn visit(&self, path: &str) {
        let url = format!("{}{path}", self.app.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
        crate::audit::audit(self).await;
    }

    /// The current path and query, e.g. `/troubleshoot/401?path=…`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The one element matching the CSS `selector` (waiting briefly for it).
    pub async fn find(&self, selector: &str) -> fantoccini::elements::Element {
        self.wait_for(Locator::Css(selector), selector).await
    }

    /// The element the XPath `xpath` finds (waiting briefly for it); `what`
    /// names it in the failure message.
    pub async fn find_xpath(&self, xpath: &str, what: &str) -> fantoccini::elements::Element {
        self.wait_for(Locator::XPath(xpath), what).await
    }

    /// The element `locator` finds, waiting up to 5 s for it to appear.
    async fn wait_for(&self, locator: Locator<'_>, what: &str) -> fantoccini::elements::Element {
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(locator)
            .await;
        match found {
            Ok(element) => element,
            Err(e) => panic!("no {what:?} on {}: {e}", self.describe().await),
        }
    }

    /// Clicks the element matching the CSS `selector`, staying on the page
    /// (see [`Browser::follow`] for a click that loads another page).
    pub async fn click(&self, selector: &str) {
        self.find(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {selector:?}: {e}"));
    }

    /// Clicks the link or button matching `selector` and waits for the page
    /// it leads to (after any redirect) to load.
    pub async fn follow(&self, selector: &str) {
        self.mark_page().await;
        self.click(selector).await;
        self.wait_for_new_page(selector).await;
        crate::audit::audit(self).await;
    }

    /// Clicks the link or button whose visible text is exactly `text` and
    /// waits for the page it leads to.
    pub async fn follow_text(&self, text: &str) {
        let xpath = format!(
            "//a[normalize-space()={0}] | //button[normalize-space()={0}]",
            xpath_literal(text)
        );
        let element = self.wait_for(Locator::XPath(&xpath), text).await;
        self.mark_page().await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {text:?}: {e}"));
        self.wait_for_new_page(text).await;
        crate::audit::audit(self).await;
    }

    /// Marks the current document, so that a new one can be told apart.
    async fn mark_page(&self) {
        self.script("window.__apideskOldPage = true; return null;")
            .await;
    }

    /// Waits until the marked document is gone and the new one has loaded.
    async fn wait_for_new_page(&self, after: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let loaded = self
                .client
                .execute(
                    "return !window.__apideskOldPage && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page within 10 s after clicking {after:?}; still on {}",
                self.describe().await
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Types `text` into the field matching `selector` (after what it holds).
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.find(selector).await.send_keys(text).await.unwrap();
    }

    /// Presses `key` in whatever has focus.
    pub async fn press(&self, key: Key) {
        let focused = self.client.active_element().await.unwrap();
        focused
            .send_keys(&char::from(key).to_string())
            .await
            .unwrap();
    }

    /// Presses `key` as the keyboard does, not into an element: what a file
    /// input has focus needs, where WebDriver would take typed keys for the
    /// name of a file to upload.
    pub async fn press_on_keyboard(&self, key: Key) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let key = char::from(key);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await.unwrap();
    }

    /// Types `keys` into whatever has focus.
    pub async fn press_keys(&self, keys: &str) {
        let focused = self.client.active_element().await.unwrap();
        focused.send_keys(keys).await.unwrap();
    }

    /// Presses `key` in whatever has focus and waits for the page it leads
    /// to (Enter on a link or a submit button).
    pub async fn press_and_follow(&self, key: Key) {
        self.mark_page().await;
        self.press(key).await;
        self.wait_for_new_page(&format!("{key:?}")).await;
        crate::audit::audit(self).await;
    }

    /// The visible text of the element matching `selector`.
    pub async fn text(&self, selector: &str) -> String {
        self.find(selector).await.text().await.unwrap()
    }

    /// The visible text of every element matching `selector`, in order.
    pub async fn texts(&self, selector: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(selector)).await.unwrap() {
            texts.push(element.text().await.unwrap());
        }
        texts
    }

    /// The current value of the form field matching `selector`.
    pub async fn value(&self, selector: &str) -> String {
        self.find(selector)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// The value of the checked radio button named `name`, if one is.
    pub async fn checked_value(&self, name: &str) -> Option<String> {
        let found = self
            .client
            .find(Locator::Css(&format!("input[name='{name}']:checked")))
            .await
            .ok()?;
        found.prop("value").await.unwrap()
    }

    /// The `id` of the element that has focus ("" when it has none).
    pub async fn focused_id(&self) -> String {
        let focused = self.client.active_element().await.unwrap();
        focused.attr("id").await.unwrap().unwrap_or_default()
    }

    /// Saves the viewport to `target/screenshots/<name>-<size>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{name}-{}.png", self.size.name));
        std::fs::write(&file, png).unwrap();
        file
    }

    /// Fails if the page scrolls sideways (wider than the window).
    pub async fn assert_no_horizontal_scroll(&self) {
        let widths = self
            .script("const d = document.documentElement; return [d.scrollWidth, d.clientWidth];")
            .await;
        let (scroll, client) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
        if scroll > client {
            // Name the culprits: the elements reaching past the window
            // whose parent does not, innermost causes first.
            let culprits = self
                .script(
                    "const w = document.documentElement.clientWidth;                      return [...document.querySelectorAll('body *')].filter(e =>                        e.getBoundingClientRect().right > w + 1 && e.parentElement &&                        e.parentElement.getBoundingClientRect().right <= w + 1)                      .slice(0, 5).map(e => e.tagName.toLowerCase() +                        (e.className ? '.' + String(e.className).split(' ').join('.') : '') +                        ' (' + Math.round(e.getBoundingClientRect().right) + 'px)');",
                )
                .await;
            panic!(
                "{} scrolls sideways at {}: scrollWidth {scroll} > clientWidth {client};                  reaching past it: {culprits}",
                self.path().await,
                self.size.name
            );
        }
    }

    /// "path (title)", for failure messages.
    async fn describe(&self) -> String {
        let title = self.client.title().await.unwrap_or_default();
        format!("{} ({title:?})", self.path().await)
    }

    /// Closes the browser session and stops the server.
    pub async fn finish(mut self) {
        if self.session.id.take().is_some() {
            let _ = self.client.close().await;
        }
        self.app.shut_down().await;
    }
}

/// `text` as an XPath string literal (XPath 1.0 has no escapes).
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('"') {
        format!("\"{text}\"")
    } else if !text.contains('\'') {
        format!("'{text}'")
    } else {
        let parts: Vec<String> = text.split('"').map(|p| format!("\"{p}\"")).collect();
        format!("concat({})", parts.join(", '\"', "))
    }
}

fn hyper_util_connector() -> hyper_util::client::legacy::connect::HttpConnector {
    hyper_util::client::legacy::connect::HttpConnector::new()
}
