//! The demo's signing keys, made from the scenario's phrases at build time,
//! and the files that trust some of them: `keys.asc`, `allowed_signers` and
//! a `config.toml` naming both, in the demo's `.git/rearview/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::scenario::{KeySpec, Scenario};
use super::DemoError;
use crate::model::Person;
use crate::repo::signing::Signer;

/// Where the demo keeps its config, below its git directory.
pub const CONFIG_DIR: &str = "rearview";

/// Every key of the scenario by id.
pub fn signers(scenario: &Scenario, created: i64) -> Result<HashMap<String, Signer>, DemoError> {
    let mut signers = HashMap::new();
    for spec in &scenario.keys {
        let owner = owner(scenario, spec)?;
        let signer = match spec.kind.as_str() {
            "openpgp" => Signer::openpgp(&spec.phrase, &format!("{} <{}>", owner.name, owner.email), created),
            "ssh" => Signer::ssh(&spec.phrase, &owner.email),
            other => return Err(DemoError::Scenario(format!("key `{}`: kind `{other}` (openpgp or ssh)", spec.id))),
        }
        .map_err(|e| DemoError::Scenario(format!("key `{}`: {e}", spec.id)))?;
        signers.insert(spec.id.clone(), signer);
    }
    Ok(signers)
}

fn owner(scenario: &Scenario, spec: &KeySpec) -> Result<Person, DemoError> {
    let account = scenario.people.iter().find(|a| a.login == spec.owner);
    let account =
        account.ok_or_else(|| DemoError::Scenario(format!("key `{}`: unknown owner `{}`", spec.id, spec.owner)))?;
    Ok(Person { name: account.name.clone(), email: account.email.clone() })
}

/// Writes the trusted keys and a config naming them (each file 0600);
/// returns the config's path.
pub fn write_trust(
    git_dir: &Path,
    scenario: &Scenario,
    signers: &HashMap<String, Signer>,
) -> Result<PathBuf, DemoError> {
    let dir = git_dir.join(CONFIG_DIR);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DemoError::Io { path, source }
    };
    crate::paths::create_private_dir(&dir).map_err(io(&dir))?;
    let mut keyring = String::new();
    let mut allowed = String::from("# Release signers the demo trusts (git's allowed-signers format).\n");
    for spec in scenario.keys.iter().filter(|k| k.trusted) {
        let Some(signer) = signers.get(&spec.id) else { continue };
        let public = signer.public_key().map_err(|e| DemoError::Scenario(format!("key `{}`: {e}", spec.id)))?;
        match signer.kind() {
            crate::model::SignatureKind::Ssh => {
                let email = owner(scenario, spec)?.email;
                allowed.push_str(&format!("{email} namespaces=\"git\" {public}\n"));
            }
            _ => keyring.push_str(&public),
        }
    }
    let config = "# Written by `rearview demo`: the keys that vouch for the demo's release tags.\n\
                  [release]\nkeyring = \"keys.asc\"\nallowed_signers = \"allowed_signers\"\n";
    for (name, text) in [("keys.asc", keyring.as_str()), ("allowed_signers", allowed.as_str()), ("config.toml", config)]
    {
        let path = dir.join(name);
        crate::paths::write_private(&path, text.as_bytes()).map_err(io(&path))?;
    }
    Ok(dir.join("config.toml"))
}

/// The demo's config, if `git_dir` is a demo's that has one.
pub fn demo_config(git_dir: &Path) -> Option<PathBuf> {
    let path = git_dir.join(CONFIG_DIR).join("config.toml");
    (crate::paths::is_demo(git_dir) && path.is_file()).then_some(path)
}
