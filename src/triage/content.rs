//! How much a content finding or a build edit matters, by what it is and
//! where it sits: the same character is an attack in an identifier and a
//! word in a string; the same workflow file is a pin bump or a new script.

use crate::model::{BuildClass, BuildEdit, ContentFinding, ContentKind, Place, RiskKind, Severity};

/// A finding's kind of signal, severity and explanation.
pub fn judge_finding(f: &ContentFinding) -> (RiskKind, Severity, String) {
    let at_line = || match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{} line {l} column {c}", f.path),
        (Some(l), None) => format!("{} line {l}", f.path),
        _ => f.path.clone(),
    };
    let offset = f.offset.map(|o| format!(" at 0x{o:x}")).unwrap_or_default();
    let code = matches!(f.place, Place::Code | Place::Identifier | Place::String | Place::Comment);
    match f.kind {
        ContentKind::Payload => {
            let inside = match f.place {
                Place::Decompressed => format!("inside what binary {} decompresses to", f.path),
                _ => format!("inside binary {}", f.path),
            };
            let text = format!("{}{offset} {inside}: data should not carry code", f.detail);
            (RiskKind::EmbeddedPayload, Severity::Critical, text)
        }
        ContentKind::Incompressible => {
            let text = format!(
                "{}{offset} in {}: compressed test data should decompress to something compressible, not to encrypted or random bytes",
                f.detail, f.path
            );
            (RiskKind::EmbeddedPayload, Severity::High, text)
        }
        ContentKind::DecompressionBomb | ContentKind::DecompressionCut => {
            let text = format!("{}: {} was scanned only up to where decompression stopped{offset}", f.detail, f.path);
            let severity = if f.kind == ContentKind::DecompressionBomb { Severity::High } else { Severity::Medium };
            (RiskKind::EmbeddedPayload, severity, text)
        }
        ContentKind::Encoded => (
            RiskKind::EmbeddedPayload,
            Severity::High,
            format!("{} added to {}: what does it decode to?", f.detail, at_line()),
        ),
        ContentKind::Secret => {
            let text = format!("{} in {}: an encrypted secret, not a payload", f.detail, at_line());
            (RiskKind::EmbeddedPayload, Severity::Low, text)
        }
        ContentKind::Hidden => {
            let severity = if code { Severity::High } else { Severity::Medium };
            let text = format!("{} in {}: the code may not read the way it runs", f.detail, at_line());
            (RiskKind::HiddenCharacters, severity, text)
        }
        ContentKind::Invisible => {
            let severity = match f.place {
                Place::Identifier | Place::Code => Severity::High,
                Place::String => Severity::Medium,
                _ => Severity::Low,
            };
            let text = format!("{} in {} ({}): it shows as nothing", f.detail, at_line(), place_name(f.place));
            (RiskKind::HiddenCharacters, severity, text)
        }
        ContentKind::HiddenRun => {
            let severity = if f.place == Place::Prose { Severity::Medium } else { Severity::High };
            let text =
                format!("{} in {}: an \"empty\" text can carry a payload decoded at run time", f.detail, at_line());
            (RiskKind::HiddenCharacters, severity, text)
        }
        ContentKind::Confusable => {
            let severity = match f.place {
                Place::Identifier => Severity::High,
                Place::Code => Severity::Medium,
                _ => Severity::Low,
            };
            let text = format!("{} in {} ({})", f.detail, at_line(), place_name(f.place));
            (RiskKind::HiddenCharacters, severity, text)
        }
        ContentKind::HostilePath => {
            let text = format!("the path {} holds {}: listings show another name than the file's", f.path, f.detail);
            (RiskKind::HiddenCharacters, Severity::High, text)
        }
        ContentKind::Symlink => {
            let text = format!("symlink {} points at {}: outside the tree", f.path, f.detail);
            (RiskKind::SuspiciousSymlink, Severity::High, text)
        }
        ContentKind::FeatureTest => {
            let text = format!(
                "{} edits a build-time check program ({}): a check that stops compiling silently turns its feature off",
                at_line(),
                f.detail
            );
            (RiskKind::FeatureTest, Severity::High, text)
        }
        ContentKind::FeatureTestBroken => {
            let text = format!(
                "this check can no longer succeed; the feature it guards is silently disabled ({}: {})",
                at_line(),
                f.detail
            );
            (RiskKind::FeatureTest, Severity::Critical, text)
        }
    }
}

fn place_name(place: Place) -> &'static str {
    match place {
        Place::Code => "in code",
        Place::Identifier => "in an identifier",
        Place::String => "in a string",
        Place::Comment => "in a comment",
        Place::Prose => "in prose",
        Place::FileStart => "at the start of the file",
        Place::Binary => "in binary data",
        Place::Decompressed => "in decompressed data",
        Place::Path => "in a path",
    }
}

/// A build or CI edit's severity and explanation; `by_bot` when a
/// dependency bot made the change.
pub fn judge_build(edit: &BuildEdit, by_bot: bool) -> (Severity, String) {
    let at = match edit.line {
        Some(line) => format!("{} line {line}", edit.path),
        None => edit.path.clone(),
    };
    let (severity, why) = match edit.class {
        BuildClass::PinBump if by_bot => (Severity::Low, "a dependency bot moved version pins only"),
        BuildClass::PinBump => (Severity::Medium, "version pins moved (by a person, not a dependency bot)"),
        BuildClass::Metadata => (Severity::Medium, "packaging metadata"),
        BuildClass::CiConfig => (Severity::Medium, "CI configuration, no commands"),
        BuildClass::Tooling => (Severity::Medium, "developer tooling, not run by builders"),
        BuildClass::BuildCode => (Severity::High, "code that runs when the package is built or installed"),
        BuildClass::CiScriptEdit => (Severity::Medium, "a command a CI job already ran, changed or dropped"),
        BuildClass::CiScript => (Severity::High, "a new command a CI job runs"),
        BuildClass::CiPermissions => (Severity::High, "the workflow token's permissions"),
        BuildClass::CiSecrets => (Severity::High, "secrets a CI job uses"),
        BuildClass::DangerousTrigger => (
            Severity::High,
            "pull_request_target/workflow_run checking out the pull request's code, with the base's secrets",
        ),
        BuildClass::UntrustedInput => {
            (Severity::High, "untrusted ${{ github.event.* }} text interpolated into a script (script injection)")
        }
        BuildClass::BuildLogic => (Severity::High, "build logic that runs on every builder's machine"),
    };
    (severity, format!("{at}: {why}: {}", edit.detail))
}
