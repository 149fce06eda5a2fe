//! `rearview report --html` in a real browser: the demo's page is loaded by
//! headless Chromium, which must draw its charts (a screenshot that is not
//! blank and shows the charts' colours) and request nothing from the
//! network: Chromium is pointed at a proxy of the test's own, with no
//! bypass, and the proxy must see no connection. A control page that does
//! fetch an image shows that the proxy would have seen it.
//!
//! Chromium is required (Debian's `chromium`, which `.ci/run` installs;
//! `REARVIEW_CHROMIUM` names another binary): without it the test fails and
//! says how to install it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rearview");

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("REARVIEW_CHROMIUM") {
        return PathBuf::from(path);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("sh").args(["-c", &format!("command -v {name}")]).output() {
            let found = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !found.is_empty() {
                return PathBuf::from(found);
            }
        }
    }
    panic!("this test needs headless Chromium: `apt-get install chromium` (Debian), or set REARVIEW_CHROMIUM");
}

/// A listener standing in for an HTTP proxy: it records the first line of
/// every request it receives and answers 404.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut first = String::new();
                let _ = BufReader::new(&stream).read_line(&mut first);
                log.lock().expect("proxy log").push(first.trim().to_string());
                let _ = std::io::Write::write_all(
                    &mut &stream,
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Proxy { port, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().expect("proxy log").clone()
    }

    /// The requests not made by Chromium's own services. Debian's Chromium
    /// asks its update, time and sign-in hosts whatever the flags say;
    /// those hosts, exactly, are not the page's.
    fn page_requests(&self) -> Vec<String> {
        const CHROMIUM_SERVICES: [&str; 6] = [
            "update.googleapis.com",
            "accounts.google.com",
            "clients1.google.com",
            "clients2.google.com",
            "redirector.gvt1.com",
            "safebrowsing.googleapis.com",
        ];
        let host = |request: &str| {
            let target = request.split_whitespace().nth(1).unwrap_or("");
            let rest = target.split_once("://").map_or(target, |(_, r)| r);
            rest.split(['/', ':']).next().unwrap_or("").to_ascii_lowercase()
        };
        self.requests().into_iter().filter(|r| !CHROMIUM_SERVICES.contains(&host(r).as_str())).collect()
    }
}

/// Loads `page` in headless Chromium, every request through `proxy`, and
/// returns the screenshot's PNG bytes.
fn screenshot(page: &Path, proxy: &Proxy, dir: &Path) -> Vec<u8> {
    let shot = dir.join(format!("{}.png", page.file_stem().and_then(|s| s.to_str()).unwrap_or("page")));
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            // Chromium's own services (updates, time, sign-in, metrics)
            // would call out through the proxy; none of them is the page.
            "--disable-breakpad",
            "--disable-client-side-phishing-detection",
            "--disable-component-extensions-with-background-pages",
            "--disable-domain-reliability",
            "--disable-extensions",
            "--disable-features=Translate,MediaRouter,OptimizationHints,NetworkTimeServiceQuerying,AutofillServerCommunication,CertificateTransparencyComponentUpdater,SafeBrowsing",
            "--metrics-recording-only",
            "--no-pings",
            "--no-default-browser-check",
            "--password-store=basic",
            "--safebrowsing-disable-auto-update",
            "--hide-scrollbars",
            "--window-size=1200,2600",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        // Without this, Chromium sends loopback addresses past the proxy.
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Chromium");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for Chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("Chromium did not finish the screenshot in two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read(&shot).unwrap_or_else(|e| panic!("Chromium wrote no screenshot {}: {e}", shot.display()))
}

/// The screenshot's pixels as RGB.
fn pixels(png_bytes: &[u8]) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a PNG of a sane size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "a colour screenshot, got {:?}", info.color_type);
    buf[..info.buffer_size()].chunks(channels).map(|p| [p[0], p[1], p[2]]).collect()
}

fn near(p: [u8; 3], hex: &str) -> bool {
    let c = |i: usize| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).expect("a #rrggbb colour");
    (0..3).all(|i| p[i].abs_diff(c(i)) <= 6)
}

/// The binary with its data and config under `dir`: the demo's seeded
/// store is where `report` looks for it.
fn rearview(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("XDG_DATA_HOME", dir.join("data")).env("XDG_CONFIG_HOME", dir.join("config")).env("NO_COLOR", "1");
    c
}

fn demo_page(dir: &Path) -> (PathBuf, String) {
    let repo = dir.join("demo");
    let built = rearview(dir).args(["demo", "--no-tui", "--dir"]).arg(&repo).output().expect("run demo");
    assert!(built.status.success(), "demo: {}", String::from_utf8_lossy(&built.stderr));
    let page = dir.join("report.html");
    let out = rearview(dir).args(["report", "--html"]).arg(&page).current_dir(&repo).output().expect("run report");
    assert!(out.status.success(), "report: {}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).expect("the page");
    (page, html)
}

#[test]
fn the_demo_report_renders_its_charts_and_fetches_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (page, html) = demo_page(dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&page).expect("page").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report is readable by its owner only");
    }
    let charts = html.matches("<svg class=\"chart\"").count();
    assert!(charts >= 3, "at least three charts, found {charts}");
    // The demo's story, as the page tells it: the dormant maintainer, the
    // fast escalation who tagged v3.12.2, the single-maintainer m4/ area,
    // the "test data" hiding an ELF header.
    for told in
        ["Ola Nordmann", "fast escalation", "v3.12.2", "single maintainer", "m4/", "bad-3-corrupt_lzma2.xz", "ELF"]
    {
        assert!(html.contains(told), "the page names {told}");
    }
    for outside in ["<script", "<link", "<iframe", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(outside), "the page refers to something outside it: {outside}");
    }

    let proxy = Proxy::start();
    let shot = pixels(&screenshot(&page, &proxy, dir.path()));
    assert_eq!(proxy.page_requests(), Vec::<String>::new(), "the page made requests");
    let inked = shot.iter().filter(|p| !near(**p, "#ffffff")).count();
    assert!(inked * 20 > shot.len(), "the screenshot is mostly blank: {inked} of {} pixels", shot.len());
    for (what, colour) in [("reviewed", "#4477aa"), ("unreviewed", "#ee7733")] {
        let count = shot.iter().filter(|p| near(**p, colour)).count();
        assert!(count > 400, "the {what} bars ({colour}) are drawn: {count} pixels");
    }
}

#[test]
fn the_proxy_sees_a_page_that_does_fetch() {
    // The control for the test above: without it, a proxy Chromium never
    // used would pass it.
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("control.html");
    std::fs::write(&page, "<!DOCTYPE html><p>control</p><img src=\"http://rearview-test.invalid/pixel.png\">")
        .expect("write the control page");
    let proxy = Proxy::start();
    screenshot(&page, &proxy, dir.path());
    let requests = proxy.page_requests();
    assert!(
        requests.iter().any(|r| r.contains("rearview-test.invalid")),
        "the proxy saw the control page's image request: {requests:?}"
    );
}
