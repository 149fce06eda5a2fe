//! The release tags of the watched branches with their signatures: which
//! branch each belongs to, who signed it, whether a configured key vouches
//! for it, and whether its signer changed since the previous release of its
//! series (`rearview releases`, the release checklist, `audit`).

use std::collections::BTreeMap;

use super::Error;
use crate::config::Config;
use crate::model::{rfc3339, ReleaseTag, Tag};
use crate::repo::scope::series;
use crate::repo::signature::{Keyring, KeysError};
use crate::repo::{Oid, Repo};

/// The keys `[release]` names (paths relative to the config file).
pub fn keyring(config: &Config) -> Result<Keyring, KeysError> {
    let keyring = config.release.keyring.as_deref().map(|p| config.resolve_path(p));
    let allowed = config.release.allowed_signers.as_deref().map(|p| config.resolve_path(p));
    Keyring::load(keyring.as_deref(), allowed.as_deref())
}

/// Every tag of the repository (release or not, annotated or not) with its
/// tagger, date, target commit and signature checked against the
/// configured keys: what `people` reads taggers from.
pub fn tags(repo: &Repo, config: &Config) -> Result<Vec<Tag>, Error> {
    Ok(repo.tags(&keyring(config)?)?)
}

/// Every release tag (a version-named tag, see `repo::scope::series`)
/// reachable from a watched branch, newest first (tag date, then name).
pub fn releases(repo: &Repo, config: &Config) -> Result<Vec<ReleaseTag>, Error> {
    let keys = keyring(config)?;
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let watched = super::watched_branches(repo, config, &default_branch)?;
    let tips: Vec<(String, Oid)> =
        watched.iter().map(|b| Ok((b.clone(), repo.branch_tip(b)?))).collect::<Result<_, Error>>()?;
    let all = repo.tags(&keys)?;
    // Which release commits each watched branch holds: a walk a branch.
    let commits: std::collections::HashSet<Oid> =
        all.iter().filter(|t| series(&t.name).is_some()).filter_map(|t| Oid::from_str(&t.commit).ok()).collect();
    let held: Vec<std::collections::HashSet<Oid>> =
        tips.iter().map(|(_, tip)| repo.reached_from(*tip, &commits)).collect::<Result<_, _>>()?;
    let holds = |branch: &str, commit: Oid| {
        tips.iter().zip(&held).any(|((name, _), set)| name == branch && set.contains(&commit))
    };
    let mut found = Vec::new();
    for tag in all {
        let Some(own) = series(&tag.name) else { continue };
        let commit = Oid::from_str(&tag.commit).map_err(|e| crate::repo::RepoError::Failed {
            what: format!("read the commit of tag {}", tag.name),
            source: e,
        })?;
        // Its series' branch first, then the main line, then the others.
        let mut order: Vec<&(String, Oid)> = tips.iter().filter(|(b, _)| series(b) == Some(own)).collect();
        order.extend(tips.iter().filter(|(b, _)| series(b) != Some(own)));
        let mut branch = None;
        for (name, _) in order {
            if holds(name, commit) {
                branch = Some(name.clone());
                break;
            }
        }
        let Some(branch) = branch else { continue };
        found.push(release(tag, branch));
    }
    mark_signer_changes(&mut found);
    found.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.tag.cmp(&a.tag)));
    Ok(found)
}

fn release(tag: Tag, branch: String) -> ReleaseTag {
    let signature = tag.signature.as_ref();
    ReleaseTag {
        date: rfc3339(tag.time),
        time: tag.time,
        signed: signature.is_some(),
        signature: signature.map(|s| s.kind),
        signer_key: signature.and_then(|s| s.signer_key.clone()),
        verified: signature.and_then(|s| s.verified),
        signature_error: signature.and_then(|s| s.error.clone()),
        signer_changed: false,
        previous: None,
        previous_signer_key: None,
        tag: tag.name,
        commit: tag.commit,
        branch,
        tagger: tag.tagger,
    }
}

/// Compares each signed release with the newest earlier signed release of
/// its series (by tag date, then name): a different signer key is a
/// change. The first signed release of a series is none. Unsigned releases
/// in between are skipped, so an unsigned tag cannot hide a key switch;
/// an unsigned release itself is reported as unsigned, not as a change.
/// A signature whose key is unknown (x509, unreadable) is compared with
/// nothing and leaves the last known key in place.
pub fn mark_signer_changes(releases: &mut [ReleaseTag]) {
    let mut by_series: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for (index, r) in releases.iter().enumerate() {
        if let Some(s) = series(&r.tag) {
            by_series.entry(s).or_default().push(index);
        }
    }
    for mut members in by_series.into_values() {
        members.sort_by(|&a, &b| {
            let (a, b) = (&releases[a], &releases[b]);
            a.time.cmp(&b.time).then_with(|| a.tag.cmp(&b.tag))
        });
        let mut last: Option<(String, String)> = None;
        for index in members {
            let r = &mut releases[index];
            let Some(key) = r.signer_key.clone().filter(|_| r.signed) else { continue };
            if let Some((tag, previous_key)) = &last {
                r.previous = Some(tag.clone());
                r.previous_signer_key = Some(previous_key.clone());
                r.signer_changed = *previous_key != key;
            }
            last = Some((r.tag.clone(), key));
        }
    }
}

/// The release tags on `branch` (as `releases` assigns them), newest first.
pub fn on_branch(releases: &[ReleaseTag], branch: &str) -> Vec<ReleaseTag> {
    releases.iter().filter(|r| r.branch == branch).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SignatureKind;

    fn tag(name: &str, time: i64, key: Option<&str>) -> ReleaseTag {
        ReleaseTag {
            tag: name.into(),
            commit: String::new(),
            branch: "3.12".into(),
            tagger: None,
            date: rfc3339(time),
            time,
            signed: key.is_some(),
            signature: key.map(|_| SignatureKind::Openpgp),
            signer_key: key.map(str::to_string),
            verified: None,
            signature_error: None,
            signer_changed: false,
            previous: None,
            previous_signer_key: None,
        }
    }

    #[test]
    fn a_key_switch_is_found_across_an_unsigned_release_and_per_series() {
        let mut releases = vec![
            tag("v3.12.3", 40, Some("BBBB")),
            tag("v3.12.2", 30, None),
            tag("v3.12.1", 20, Some("AAAA")),
            tag("v3.12.0", 10, Some("AAAA")),
            tag("v3.11.9", 35, Some("CCCC")),
        ];
        mark_signer_changes(&mut releases);
        let changed: Vec<&str> = releases.iter().filter(|r| r.signer_changed).map(|r| r.tag.as_str()).collect();
        assert_eq!(changed, ["v3.12.3"]);
        assert_eq!(releases[0].previous.as_deref(), Some("v3.12.1"), "the unsigned v3.12.2 is skipped");
        assert_eq!(releases[0].previous_signer_key.as_deref(), Some("AAAA"));
        assert_eq!(releases[3].previous, None, "the first signed release of a series is no change");
        assert_eq!(releases[4].previous, None, "3.11 is another series");
    }

    #[test]
    fn a_first_signature_after_unsigned_releases_is_no_change() {
        let mut releases = vec![tag("v2.0.1", 20, Some("AAAA")), tag("v2.0.0", 10, None)];
        mark_signer_changes(&mut releases);
        assert!(!releases[0].signer_changed);
        assert_eq!(releases[0].previous, None);
    }
}
