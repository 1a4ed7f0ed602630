//! `caio trace show ID --format html` (SPEC §9): a self-contained page,
//! rendered by a real headless Chromium (Debian's `chromium`; `.ci/run`
//! installs it, and with `CI=true` a missing one fails the test). Every
//! request Chromium makes goes to a proxy the test runs on 127.0.0.1: but
//! for Chromium's own calls home, the page must make none (and a page with
//! one external image, the control, must be caught). The screenshot is kept in `target/screenshots/` for CI
//! to publish.

use crate::common::{TestEnv, repo, run};
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).find_map(|d| {
            ["chromium", "chromium-browser"]
                .iter()
                .map(|n| d.join(n))
                .find(|p| p.is_file())
        })
    });
    crate::common::component(found, "chromium on PATH", "Debian package `chromium`")
}

/// Where Chromium itself calls home (its update, clock and account
/// services, and its search provider, which Chromium 148 asks for its
/// start-page features), whatever page it shows: requests there are not
/// the page's. The page under test would fetch from `leak.example`, and
/// the control page below proves such a fetch is seen.
const BROWSER_HOSTS: [&str; 6] = [
    "update.googleapis.com",
    "clients2.google.com",
    "accounts.google.com",
    "www.google.com",
    "redirector.gvt1.com",
    "edgedl.me.gvt1.com",
];

/// A proxy that records the target of every request made through it (and
/// answers nothing), until the test ends.
fn recording_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let _ = conn.set_read_timeout(Some(std::time::Duration::from_millis(500)));
                let mut buf = [0u8; 2048];
                let n = conn.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]);
                let target = head
                    .lines()
                    .next()
                    .and_then(|l| l.split_whitespace().nth(1))
                    .unwrap_or("?")
                    .to_string();
                log.lock().unwrap().push(target);
            });
        }
    });
    (port, seen)
}

/// The requests recorded that Chromium did not make for itself.
fn page_requests(seen: &Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|target| {
            let host = target
                .trim_start_matches("http://")
                .trim_start_matches("https://")
                .split([':', '/'])
                .next()
                .unwrap_or("");
            !BROWSER_HOSTS.contains(&host)
        })
        .cloned()
        .collect()
}

/// Runs headless Chromium on `page` with every request through `proxy`;
/// `mode` is `--dump-dom` or `--screenshot=FILE`. Returns stdout.
fn chromium_run(chromium: &Path, page: &Path, proxy: u16, mode: &str, profile: &Path) -> String {
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=1280,1800",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--proxy-server=http://127.0.0.1:{proxy}"),
            "--proxy-bypass-list=<-loopback>",
            "--virtual-time-budget=3000",
            mode,
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium {mode}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_decision_page_renders_in_chromium_and_fetches_nothing() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = TestEnv::new();
    let (code, _, stderr) = run(env.caio().args(["registry", "add", "contracts"]));
    assert_eq!(code, 0, "{stderr}");
    // A policy whose message is markup that would fetch an image.
    let (port, seen) = recording_proxy();
    let dir = env.scratch().join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("markup.yaml"),
        format!(
            "apiVersion: caio/v1
kind: PolicySet
policies:
  - id: no-gpt-4o
    effect: deny
    match: {{ service.service_id: {{ in: [openai-gpt-4o] }} }}
    message: '<img src=\"http://leak.example/{port}.png\"><script>document.title=1</script> not this one'
"
        ),
    )
    .unwrap();
    let (code, _, stderr) = run(env.caio().args(["policy", "apply"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
    let (code, token, stderr) = run(env.caio().args([
        "principal",
        "add",
        "ana",
        "--tenant",
        "acme",
        "--roles",
        "analyst",
        "--trust",
        "high",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let request = env.scratch().join("request.json");
    std::fs::write(
        &request,
        json!({"capability": "chat", "auth": {"token": token.trim()},
               "requirements": {"max_latency_p95_ms": 2000}})
        .to_string(),
    )
    .unwrap();
    let (code, stdout, stderr) = run(env.caio().arg("route").arg(&request));
    assert!(code == 0 || code == 3, "{stdout}{stderr}");

    let (code, page, stderr) = run(env.caio().args(["trace", "show", "1", "--format", "html"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        !page.contains("<img") && !page.contains("<script"),
        "markup is escaped"
    );
    assert!(
        page.contains("&lt;img src="),
        "the message is shown as text"
    );
    for external in ["http://", "https://", "src=", "href=", "@import", "url("] {
        let outside_text = page.replace("&lt;img src=&quot;http://leak.example", "");
        assert!(!outside_text.contains(external), "{external} in the page");
    }
    // Other formats are refused for other commands; an outcome record has
    // no page.
    let (code, _, stderr) = run(env.caio().args(["trace", "list", "--format", "html"]));
    assert_eq!(code, 2, "{stderr}");

    let file = env.scratch().join("decision.html");
    std::fs::write(&file, &page).unwrap();
    let profile = env.scratch().join("chromium-profile");
    let dom = chromium_run(&chromium, &file, port, "--dump-dom", &profile);
    for expected in [
        "Decision",
        "Control signal",
        "Candidates",
        "Rejections",
        "policy",
        "no-gpt-4o",
        "privacy",
    ] {
        assert!(dom.contains(expected), "{expected} not rendered:\n{dom}");
    }
    assert!(!dom.contains("<title>1</title>"), "no script ran");
    let shots = repo().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("trace-show.png");
    let _ = std::fs::remove_file(&shot);
    chromium_run(
        &chromium,
        &file,
        port,
        &format!("--screenshot={}", shot.display()),
        &profile,
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    // The proxy answers on its own thread: give a late request its time.
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(
        page_requests(&seen),
        Vec::<String>::new(),
        "the page made requests"
    );

    // The control: one external image, and the proxy sees it.
    let control = env.scratch().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><img src=\"http://leak.example/x.png\"></body></html>",
    )
    .unwrap();
    chromium_run(&chromium, &control, port, "--dump-dom", &profile);
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert!(
        page_requests(&seen)
            .iter()
            .any(|t| t.contains("leak.example")),
        "a request a page makes is seen: {:?}",
        seen.lock().unwrap()
    );
}
