//! Risk signals: why a change could hide something, each explained, with
//! where to look. The xz-utils backdoor is the model: opaque binary "test
//! files", a tampered build script, small changes by a trusted insider.
//! Pure: the pipeline gathers the facts (content scans, provenance, author
//! history, drift); this module only judges them.

use super::drift::Interdiff;
use crate::config::Config;
use crate::inspect;
use crate::model::{
    short_sha, BuildClass, BuildEdit, Change, ChangeKind, ContentScan, Evidence, FileStatus, Location, RiskKind,
    RiskSignal, Severity,
};
use crate::paths::glob_match;

/// How the author stands in the history examined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Novelty {
    /// No earlier change by this author among `examined` changes.
    FirstChange { examined: usize },
    /// The author's previous change was `days` ago.
    Dormant { days: i64 },
    /// The author never touched this directory before.
    NewDirectory { dir: String },
}

/// The facts about one change.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub scan: Option<&'a ContentScan>,
    pub novelty: Vec<Novelty>,
    pub drift: Option<&'a Interdiff>,
}

/// The severity a kind has when nothing about the finding moves it.
pub fn base_severity(kind: RiskKind) -> Severity {
    match kind {
        RiskKind::EmbeddedPayload => Severity::Critical,
        RiskKind::HiddenCharacters
        | RiskKind::BinaryWithoutProvenance
        | RiskKind::BuildSystem
        | RiskKind::FeatureTest
        | RiskKind::SuspiciousSymlink => Severity::High,
        RiskKind::SecuritySensitivePath
        | RiskKind::BackportDrift
        | RiskKind::BinaryFile
        | RiskKind::StaleApproval
        | RiskKind::UnusualAuthor => Severity::Medium,
        RiskKind::LargeChange | RiskKind::SelfMerged => Severity::Low,
    }
}

/// A kind's weight at a severity: each step above or below the kind's
/// usual severity doubles or halves it (never below 1).
pub fn scaled_weight(weight: u32, kind: RiskKind, severity: Severity) -> u32 {
    let steps = severity as i32 - base_severity(kind) as i32;
    if steps >= 0 {
        weight.saturating_mul(1 << steps)
    } else {
        (weight >> (-steps).min(31)).max(1)
    }
}

/// Signals of one kind listed one by one before the rest is summed up.
const PER_KIND: usize = 12;

struct Signals<'c> {
    config: &'c Config,
    out: Vec<RiskSignal>,
}

impl Signals<'_> {
    /// A signal at its kind's usual severity.
    fn push(&mut self, kind: RiskKind, explanation: String, location: Location) {
        self.push_at(kind, base_severity(kind), explanation, location);
    }

    fn push_at(&mut self, kind: RiskKind, severity: Severity, explanation: String, location: Location) {
        let weight = scaled_weight(self.config.risk.weight(kind), kind, severity);
        self.out.push(RiskSignal { kind, severity, weight, explanation, location });
    }

    fn at(path: &str) -> Location {
        Location { path: Some(path.to_string()), ..Location::default() }
    }
}

/// Every signal of a change, strongest kinds first.
pub fn signals(change: &Change, facts: &Facts, config: &Config) -> Vec<RiskSignal> {
    let mut s = Signals { config, out: Vec::new() };
    let live: Vec<_> = change.files.iter().filter(|f| f.status != FileStatus::Deleted).collect();

    if let Some(scan) = facts.scan {
        for f in &scan.findings {
            let location = Location { path: Some(f.path.clone()), line: f.line, column: f.column, offset: f.offset };
            let (kind, severity, explanation) = super::content::judge_finding(f);
            s.push_at(kind, severity, explanation, location);
        }
        for path in &scan.unmentioned {
            let name = path.rsplit('/').next().unwrap_or(path);
            s.push_at(
                RiskKind::BinaryWithoutProvenance,
                provenance_severity(path),
                format!("no text file in the tree mentions `{name}`: nothing says how {path} was made"),
                Signals::at(path),
            );
        }
    }

    let binaries: Vec<_> = live.iter().filter(|f| f.binary).collect();
    for f in &binaries {
        let verb = if f.status == FileStatus::Added { "added" } else { "changed" };
        s.push(
            RiskKind::BinaryFile,
            format!("binary {} {verb}: no diff shows what it holds (x opens it in hex)", f.path),
            Signals::at(&f.path),
        );
    }
    if !binaries.is_empty() && binaries.len() == change.files.len() {
        let only = if binaries.len() == 1 { "a binary file" } else { "binary files" };
        let severity = binaries.iter().map(|f| provenance_severity(&f.path)).max().unwrap_or(Severity::High);
        s.push_at(
            RiskKind::BinaryWithoutProvenance,
            severity,
            format!("the change touches only {only}: no source shows where it came from"),
            Signals::at(&binaries[0].path),
        );
    }

    let by_bot = config.is_bot(change.author_login.as_deref().unwrap_or(&change.author));
    let scanned: Vec<&BuildEdit> = facts.scan.map(|scan| scan.build.iter().collect()).unwrap_or_default();
    for f in &change.files {
        let edit = scanned.iter().find(|e| e.path == f.path).map(|e| (*e).clone()).or_else(|| {
            // Not scanned yet (or a glob of the config's): judged by its path.
            let extra = config.risk.build_globs.iter().find(|g| glob_match(g, &f.path));
            let class = extra.map(|_| BuildClass::BuildLogic).or_else(|| inspect::build::path_class(&f.path))?;
            let detail = match extra {
                Some(glob) => format!("matches risk.build_globs `{glob}`"),
                None => "not read yet".to_string(),
            };
            Some(BuildEdit { path: f.path.clone(), class, line: None, detail })
        });
        if let Some(edit) = edit {
            let (severity, explanation) = super::content::judge_build(&edit, by_bot);
            let location = Location { path: Some(f.path.clone()), line: edit.line, ..Location::default() };
            s.push_at(RiskKind::BuildSystem, severity, explanation, location);
        }
        for rule in config.risk.paths.iter().filter(|r| glob_match(&r.glob, &f.path)) {
            let weight = rule.weight;
            s.out.push(RiskSignal {
                kind: RiskKind::SecuritySensitivePath,
                severity: base_severity(RiskKind::SecuritySensitivePath),
                weight,
                explanation: format!("{}: {}", f.path, rule.reason),
                location: Signals::at(&f.path),
            });
        }
    }

    for e in &change.evidence {
        if let Evidence::UnapprovedCommits { shas } = e {
            let list: Vec<&str> = shas.iter().map(|s| short_sha(s)).collect();
            s.push(
                RiskKind::StaleApproval,
                format!("pushed after the last independent approval: {}", list.join(", ")),
                Location::default(),
            );
        }
    }

    if change.kind == ChangeKind::Backport && change.patch_id_matches == Some(false) {
        let original = change.original.as_ref();
        let of = original
            .map(|o| format!(" from {}{}", short_sha(&o.sha), o.pr.map(|n| format!(" (#{n})")).unwrap_or_default()))
            .unwrap_or_default();
        let (what, location) = match facts.drift {
            Some(d) => {
                let first = d
                    .only_backport
                    .first()
                    .map(|(p, h)| (p, h.new_start))
                    .or_else(|| d.changed.first().map(|(p, _, h)| (p, h.new_start)));
                let location = first
                    .map(|(p, line)| Location { path: Some(p.clone()), line: Some(line), ..Location::default() })
                    .unwrap_or_default();
                (d.summary(), location)
            }
            None => ("its patch-id differs".to_string(), Location::default()),
        };
        if facts.drift.is_none_or(|d| !d.is_empty()) {
            s.push(RiskKind::BackportDrift, format!("drifts{of}: {what} (rearview drift shows it)"), location);
        }
    }

    let lines: u32 = change.files.iter().map(|f| f.additions + f.deletions).sum();
    let (max_lines, max_files) = (config.risk.large_lines, config.risk.large_files);
    if lines > max_lines || change.files.len() > max_files as usize {
        s.push(
            RiskKind::LargeChange,
            format!(
                "{lines} lines in {} files (beyond {max_lines} lines or {max_files} files): easy to hide a line in",
                change.files.len()
            ),
            Location::default(),
        );
    }

    let who = change.author_login.as_deref().unwrap_or(&change.author);
    // A bot's first change is no news.
    let novelty = if config.is_bot(who) { &[][..] } else { &facts.novelty[..] };
    for n in novelty {
        let (severity, text) = match n {
            Novelty::FirstChange { examined } => {
                (Severity::Medium, format!("{who}'s first change in the project's history ({examined} commits)"))
            }
            Novelty::Dormant { days } => {
                (Severity::Medium, format!("{who}'s first change after {days} days without one"))
            }
            // An established author in a new place: worth knowing, rarely news.
            Novelty::NewDirectory { dir } => (Severity::Low, format!("{who} never changed {dir}/ before")),
        };
        let location = match n {
            Novelty::NewDirectory { dir } => Signals::at(dir),
            _ => Location::default(),
        };
        s.push_at(RiskKind::UnusualAuthor, severity, text, location);
    }

    let merged_by_author = match (change.merged_by.as_deref(), change.author_login.as_deref()) {
        (Some(m), Some(a)) => m.eq_ignore_ascii_case(a),
        _ => false,
    };
    if merged_by_author {
        s.push(RiskKind::SelfMerged, format!("merged by its own author, {who}"), Location::default());
    }

    let mut out = s.out;
    // Strongest first; within a kind, in the order found.
    out.sort_by_key(|r| (std::cmp::Reverse(r.severity), RiskKind::ALL.iter().position(|k| *k == r.kind)));
    cap_per_kind(out)
}

/// How much an unexplained binary matters: images and documentation are
/// rarely generated from anything; test data and everything else should
/// say where it came from.
fn provenance_severity(path: &str) -> Severity {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    let image =
        matches!(ext, "png" | "jpg" | "jpeg" | "gif" | "ico" | "icns" | "webp" | "bmp" | "svgz" | "tif" | "tiff");
    let docs = lower.starts_with("docs/") || lower.starts_with("doc/") || lower.contains("/_static/");
    if image || (docs && !lower.contains("test")) {
        Severity::Medium
    } else {
        Severity::High
    }
}

/// At most [`PER_KIND`] signals of a kind; the rest become one line.
fn cap_per_kind(signals: Vec<RiskSignal>) -> Vec<RiskSignal> {
    let mut out: Vec<RiskSignal> = Vec::new();
    let mut counts: Vec<(RiskKind, usize)> = Vec::new();
    for signal in signals {
        let seen = match counts.iter_mut().find(|(k, _)| *k == signal.kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((signal.kind, 1));
                1
            }
        };
        if seen <= PER_KIND {
            out.push(signal);
        } else if seen == PER_KIND + 1 {
            out.push(RiskSignal {
                explanation: "… and more of the same kind".into(),
                location: Location::default(),
                ..signal
            });
        }
    }
    out
}

/// The score: each kind counts once, at its strongest weight (fifty binary
/// files are one risk, not fifty).
pub fn score(signals: &[RiskSignal]) -> u32 {
    let mut best: Vec<(RiskKind, u32)> = Vec::new();
    for s in signals {
        match best.iter_mut().find(|(k, _)| *k == s.kind) {
            Some((_, w)) => *w = (*w).max(s.weight),
            None => best.push((s.kind, s.weight)),
        }
    }
    best.iter().map(|(_, w)| w).sum()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{ContentFinding, ContentKind, FileChange, Original, OriginalLink, Place};

    /// A merged change touching `files` (path, binary), for tests.
    pub(crate) fn change(files: &[(&str, bool)]) -> Change {
        let files = files
            .iter()
            .map(|(path, binary)| FileChange {
                path: path.to_string(),
                old_path: None,
                status: FileStatus::Added,
                binary: *binary,
                additions: if *binary { 0 } else { 10 },
                deletions: 0,
            })
            .collect();
        Change { files, ..crate::model::sample::change() }
    }

    fn kinds(signals: &[RiskSignal]) -> Vec<RiskKind> {
        let mut k: Vec<RiskKind> = signals.iter().map(|s| s.kind).collect();
        k.dedup();
        k
    }

    fn scan(findings: Vec<ContentFinding>, unmentioned: &[&str]) -> ContentScan {
        ContentScan {
            findings,
            unmentioned: unmentioned.iter().map(|s| s.to_string()).collect(),
            ..ContentScan::default()
        }
    }

    #[test]
    fn each_signal_fires_on_its_case_and_not_on_its_look_alike() {
        let config = Config::default();
        let payload = ContentFinding {
            kind: ContentKind::Payload,
            path: "tests/files/bad.xz".into(),
            line: None,
            column: None,
            offset: Some(0x345),
            detail: "ELF header".into(),
            place: Place::Binary,
        };
        let hidden = ContentFinding {
            kind: ContentKind::Hidden,
            path: "Lib/access.py".into(),
            line: Some(5),
            column: Some(23),
            offset: None,
            detail: "U+202E RLO".into(),
            place: Place::Code,
        };
        let stale = Evidence::UnapprovedCommits { shas: vec!["b".repeat(40)] };
        let with_drift = |mut c: Change, matches: bool| {
            c.kind = ChangeKind::Backport;
            c.patch_id_matches = Some(matches);
            c.original = Some(Original {
                sha: "c".repeat(40),
                pr: Some(5),
                branch: "main".into(),
                link: OriginalLink::CherryPickTrailer,
            });
            c
        };
        let drift = Interdiff {
            only_backport: vec![(
                "a.py".into(),
                crate::model::Hunk {
                    old_start: 1,
                    old_lines: 1,
                    new_start: 3,
                    new_lines: 1,
                    context: String::new(),
                    lines: Vec::new(),
                },
            )],
            ..Interdiff::default()
        };
        let no_drift = Interdiff { moved: 1, ..Interdiff::default() };
        let documented = scan(Vec::new(), &[]);
        let undocumented = scan(Vec::new(), &["tests/files/blob.bin"]);
        let payload_scan = scan(vec![payload], &[]);
        let hidden_scan = scan(vec![hidden], &[]);

        struct Case<'a> {
            name: &'a str,
            change: Change,
            facts: Facts<'a>,
            expect: Option<RiskKind>,
            absent: Option<RiskKind>,
        }
        let mut merged_by_self = change(&[("a.py", false)]);
        merged_by_self.merged_by = Some("Alice".into());
        let mut stale_change = change(&[("a.py", false)]);
        stale_change.evidence.push(stale);
        let mut big = change(&[("a.py", false)]);
        big.files[0].additions = 5000;
        let cases = vec![
            Case {
                name: "payload in a binary",
                change: change(&[("tests/files/bad.xz", true), ("t.py", false)]),
                facts: Facts { scan: Some(&payload_scan), ..Facts::default() },
                expect: Some(RiskKind::EmbeddedPayload),
                absent: None,
            },
            Case {
                name: "bidi in source",
                change: change(&[("Lib/access.py", false)]),
                facts: Facts { scan: Some(&hidden_scan), ..Facts::default() },
                expect: Some(RiskKind::HiddenCharacters),
                absent: Some(RiskKind::EmbeddedPayload),
            },
            Case {
                name: "a png documented in a README is not without provenance",
                change: change(&[("docs/logo.png", true), ("README.md", false)]),
                facts: Facts { scan: Some(&documented), ..Facts::default() },
                expect: Some(RiskKind::BinaryFile),
                absent: Some(RiskKind::BinaryWithoutProvenance),
            },
            Case {
                name: "a binary nothing mentions",
                change: change(&[("tests/files/blob.bin", true), ("t.py", false)]),
                facts: Facts { scan: Some(&undocumented), ..Facts::default() },
                expect: Some(RiskKind::BinaryWithoutProvenance),
                absent: None,
            },
            Case {
                name: "a change of binaries only",
                change: change(&[("a.bin", true), ("b.bin", true)]),
                facts: Facts { scan: Some(&documented), ..Facts::default() },
                expect: Some(RiskKind::BinaryWithoutProvenance),
                absent: None,
            },
            Case {
                name: "an m4 macro",
                change: change(&[("m4/build-to-host.m4", false)]),
                facts: Facts::default(),
                expect: Some(RiskKind::BuildSystem),
                absent: None,
            },
            Case {
                name: "a CI workflow",
                change: change(&[(".github/workflows/tests.yml", false)]),
                facts: Facts::default(),
                expect: Some(RiskKind::BuildSystem),
                absent: None,
            },
            Case {
                name: "an ordinary source file is no build file",
                change: change(&[("Lib/configure_helpers.py", false)]),
                facts: Facts::default(),
                expect: None,
                absent: Some(RiskKind::BuildSystem),
            },
            Case {
                name: "stale approval",
                change: stale_change,
                facts: Facts::default(),
                expect: Some(RiskKind::StaleApproval),
                absent: None,
            },
            Case {
                name: "drifted backport",
                change: with_drift(change(&[("a.py", false)]), false),
                facts: Facts { drift: Some(&drift), ..Facts::default() },
                expect: Some(RiskKind::BackportDrift),
                absent: None,
            },
            Case {
                name: "a renamed file is not drift",
                change: with_drift(change(&[("a.py", false)]), false),
                facts: Facts { drift: Some(&no_drift), ..Facts::default() },
                expect: None,
                absent: Some(RiskKind::BackportDrift),
            },
            Case {
                name: "a clean backport",
                change: with_drift(change(&[("a.py", false)]), true),
                facts: Facts::default(),
                expect: None,
                absent: Some(RiskKind::BackportDrift),
            },
            Case {
                name: "large",
                change: big,
                facts: Facts::default(),
                expect: Some(RiskKind::LargeChange),
                absent: None,
            },
            Case {
                name: "first change",
                change: change(&[("a.py", false)]),
                facts: Facts { novelty: vec![Novelty::FirstChange { examined: 40 }], ..Facts::default() },
                expect: Some(RiskKind::UnusualAuthor),
                absent: None,
            },
            Case {
                name: "self-merged",
                change: merged_by_self,
                facts: Facts::default(),
                expect: Some(RiskKind::SelfMerged),
                absent: None,
            },
            Case {
                name: "merged by someone else",
                change: change(&[("a.py", false)]),
                facts: Facts::default(),
                expect: None,
                absent: Some(RiskKind::SelfMerged),
            },
        ];
        for case in cases {
            let found = signals(&case.change, &case.facts, &config);
            let k = kinds(&found);
            if let Some(e) = case.expect {
                assert!(k.contains(&e), "{}: expected {e:?} in {found:#?}", case.name);
            }
            if let Some(a) = case.absent {
                assert!(!k.contains(&a), "{}: {a:?} should not fire: {found:#?}", case.name);
            }
            for s in &found {
                assert!(!s.explanation.is_empty(), "{}", case.name);
            }
        }
    }

    #[test]
    fn locations_point_at_the_finding() {
        let finding = ContentFinding {
            kind: ContentKind::Hidden,
            path: "Lib/access.py".into(),
            line: Some(5),
            column: Some(23),
            offset: None,
            detail: "U+202E RLO".into(),
            place: Place::Code,
        };
        let scan = scan(vec![finding], &[]);
        let found = signals(
            &change(&[("Lib/access.py", false)]),
            &Facts { scan: Some(&scan), ..Facts::default() },
            &Config::default(),
        );
        let s = found.iter().find(|s| s.kind == RiskKind::HiddenCharacters).expect("signal");
        assert_eq!(s.location.path.as_deref(), Some("Lib/access.py"));
        assert_eq!((s.location.line, s.location.column), (Some(5), Some(23)));
        assert_eq!(s.severity, Severity::High);
    }

    #[test]
    fn an_edited_check_program_leads_a_build_edit_and_outranks_a_plain_one() {
        let config = Config::default();
        let finding = |kind| ContentFinding {
            kind,
            path: "CMakeLists.txt".into(),
            line: Some(10),
            column: None,
            offset: None,
            detail: "check_c_source_compiles HAVE_LINUX_LANDLOCK: program line 5:1: error: expected identifier".into(),
            place: Place::Code,
        };
        let cmake = change(&[("CMakeLists.txt", false)]);
        let plain = score(&signals(&cmake, &Facts::default(), &config));
        for (kind, severity, weight) in
            [(ContentKind::FeatureTest, Severity::High, 35), (ContentKind::FeatureTestBroken, Severity::Critical, 70)]
        {
            let scan = scan(vec![finding(kind)], &[]);
            let found = signals(&cmake, &Facts { scan: Some(&scan), ..Facts::default() }, &config);
            assert_eq!((found[0].kind, found[0].severity, found[0].weight), (RiskKind::FeatureTest, severity, weight));
            assert_eq!(found[0].location.line, Some(10));
            assert!(found.iter().any(|s| s.kind == RiskKind::BuildSystem), "still a build edit: {found:#?}");
            assert!(score(&found) > plain, "{} > {plain}", score(&found));
        }
    }

    #[test]
    fn the_score_counts_each_kind_once_and_weights_are_configurable() {
        let files: Vec<(String, bool)> = (0..30).map(|i| (format!("data/{i}.bin"), true)).collect();
        let refs: Vec<(&str, bool)> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
        let mut config = Config::default();
        let found = signals(&change(&refs), &Facts::default(), &config);
        let binary = found.iter().filter(|s| s.kind == RiskKind::BinaryFile).count();
        assert_eq!(binary, PER_KIND + 1, "capped, with a line for the rest");
        assert_eq!(score(&found), 10 + 25, "binary file + only binaries");
        config.risk.weights.insert("binary_file".into(), 1);
        assert_eq!(score(&signals(&change(&refs), &Facts::default(), &config)), 1 + 25);
    }
}
