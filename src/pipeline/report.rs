//! `report --html`: the page for a steering council or a release manager,
//! from one census of the history (the queue, its file lists and the
//! people), the binaries of the main line's tip and the release tags.

use crate::config::{Config, Since};
use crate::model::release_findings;
use crate::repo::Repo;
use crate::report::html::{self, Section};
use crate::store::Store;

use super::binaries::binaries;
use super::people::{census, escalated_taggers_of};
use super::releases::releases;
use super::trends::overview_of;
use super::Error;

/// The page's sections, in order: review debt over time, coverage,
/// binaries, people, releases. `since` is the trends' and the coverage's
/// window.
pub fn sections(repo: &Repo, store: &mut Store, config: &Config, since: Option<&Since>) -> Result<Vec<Section>, Error> {
    let census = census(repo, store, config, None)?;
    let (trends, coverage) = overview_of(repo, store, config, &census, since)?;
    let tags = releases(repo, config)?;
    let mut findings = release_findings(&tags);
    findings.extend(escalated_taggers_of(&census, &tags));
    let inventory = binaries(repo, store, config, None)?;
    Ok(vec![
        html::trends_section(&trends),
        html::coverage_section(&coverage, Some(&trends)),
        html::binaries_section(&inventory.files, &inventory.rev, &inventory.commit),
        html::people_section(&census.people, config.risk.dormancy_days),
        html::releases_section(&tags, &findings),
    ])
}

/// The whole page, titled with the repository's name; `generated` says
/// when (the caller's clock: this module reads none).
pub fn page(repo: &Repo, sections: &[Section], generated: &str) -> String {
    let title = format!("rearview report: {}", repo.name());
    let meta = format!("Generated {generated} by rearview {}", env!("CARGO_PKG_VERSION"));
    html::page(&title, &meta, sections)
}
