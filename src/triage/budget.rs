//! The noise budget: how many changes each signal kind marks at each
//! severity, and the share of changes at high or above. A signal that
//! marks one change in eight is one nobody reads.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Change, RiskKind, Severity};

/// Counts over a list of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budget {
    pub changes: usize,
    /// Changes with at least one high or critical signal.
    pub high_or_above: usize,
    /// Changes with at least one critical signal.
    pub critical: usize,
    /// Per kind: the changes whose strongest signal of that kind is low,
    /// medium, high, critical.
    pub per_kind: BTreeMap<RiskKind, [usize; 4]>,
}

pub fn budget(changes: &[Change]) -> Budget {
    let mut out = Budget { changes: changes.len(), ..Budget::default() };
    for change in changes {
        let top = change.risks.iter().map(|r| r.severity).max();
        if top >= Some(Severity::High) {
            out.high_or_above += 1;
        }
        if top == Some(Severity::Critical) {
            out.critical += 1;
        }
        let mut strongest: BTreeMap<RiskKind, Severity> = BTreeMap::new();
        for r in &change.risks {
            let entry = strongest.entry(r.kind).or_insert(r.severity);
            *entry = (*entry).max(r.severity);
        }
        for (kind, severity) in strongest {
            out.per_kind.entry(kind).or_default()[severity as usize] += 1;
        }
    }
    out
}

impl Budget {
    /// The share of changes at high or above, in percent.
    pub fn high_share(&self) -> f64 {
        if self.changes == 0 {
            return 0.0;
        }
        self.high_or_above as f64 * 100.0 / self.changes as f64
    }

    /// A Markdown table: one row per kind, then the totals.
    pub fn markdown(&self) -> String {
        let mut out = String::from("| kind | low | medium | high | critical |\n|---|---:|---:|---:|---:|\n");
        for kind in RiskKind::ALL {
            let [low, medium, high, critical] = self.per_kind.get(&kind).copied().unwrap_or_default();
            let _ = writeln!(out, "| `{}` | {low} | {medium} | {high} | {critical} |", kind.as_str());
        }
        let _ = writeln!(
            out,
            "\n{} changes; {} ({:.1}%) with a high or critical signal; {} with a critical one.",
            self.changes,
            self.high_or_above,
            self.high_share(),
            self.critical
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, RiskSignal};

    fn signal(kind: RiskKind, severity: Severity) -> RiskSignal {
        RiskSignal { kind, severity, weight: 1, explanation: String::new(), location: Location::default() }
    }

    #[test]
    fn each_change_counts_once_per_kind_at_its_strongest() {
        let with = |risks: Vec<RiskSignal>| Change { risks, ..crate::triage::risk::tests::change(&[]) };
        let changes = vec![
            with(vec![signal(RiskKind::BuildSystem, Severity::Low), signal(RiskKind::BuildSystem, Severity::High)]),
            with(vec![signal(RiskKind::EmbeddedPayload, Severity::Critical)]),
            with(vec![signal(RiskKind::UnusualAuthor, Severity::Medium)]),
            with(Vec::new()),
        ];
        let b = budget(&changes);
        assert_eq!((b.changes, b.high_or_above, b.critical), (4, 2, 1));
        assert_eq!(b.per_kind[&RiskKind::BuildSystem], [0, 0, 1, 0]);
        assert_eq!(b.high_share(), 50.0);
        assert!(b.markdown().contains("| `build_system` | 0 | 0 | 1 | 0 |"), "{}", b.markdown());
    }
}
