//! `report.html` in a real browser: headless Chromium (Debian's `chromium`, installed by
//! `.ci/run`) loads the page from disk; every chart must have drawn (the page's own check of
//! each SVG's rendered box) and nothing may be logged as an error.

use std::path::PathBuf;
use std::process::Command;

use crate::common::root;

fn chromium() -> Option<PathBuf> {
    let candidates = [std::env::var("CHROMIUM").unwrap_or_default(), "chromium".into(), "chromium-browser".into(), "google-chrome".into()];
    candidates.iter().filter(|c| !c.is_empty()).find_map(|c| {
        let ok = Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success());
        ok.then(|| PathBuf::from(c))
    })
}

#[test]
fn the_html_report_renders_in_headless_chromium_without_errors() {
    let Some(browser) = chromium() else {
        let message = "no chromium on PATH: the browser test needs Debian's `chromium` (installed by .ci/run)";
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{message} (required when CI=true)");
        eprintln!("skipped: {message}");
        return;
    };
    let out = std::env::temp_dir().join(format!("standpoint-html-{}", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .arg("score")
        .arg(root().join("datasets/demo/articles.jsonl"))
        .args(["--target", "the carbon border tax", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let page = out.join("report.html");
    let profile = out.join("chromium-profile");
    let shown = Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&shown.stdout);
    let log = String::from_utf8_lossy(&shown.stderr);
    assert!(shown.status.success(), "chromium failed: {log}");
    let body = dom.split("<body").nth(1).and_then(|b| b.split('>').next()).unwrap_or_else(|| panic!("no <body> in the DOM: {dom:.500}"));
    let attr = |name: &str| body.split(&format!("{name}=\"")).nth(1).and_then(|s| s.split('"').next()).map(str::to_owned);
    assert_eq!(attr("data-rendered").as_deref(), Some("ok"), "charts did not all draw: {body}");
    let charts: usize = attr("data-charts").and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(charts >= 4, "stance, tone, relations and languages charts at least: {body}");
    assert_eq!(attr("data-charts-drawn"), attr("data-charts"));
    assert_eq!(attr("data-errors").as_deref(), Some(""), "the page reported errors: {body}");
    let console_errors: Vec<&str> =
        log.lines().filter(|l| l.contains("CONSOLE") && (l.contains("Uncaught") || l.contains("Error") || l.contains("ERROR"))).collect();
    assert!(console_errors.is_empty(), "console errors: {console_errors:#?}");
    let _ = std::fs::remove_dir_all(&out);
}
