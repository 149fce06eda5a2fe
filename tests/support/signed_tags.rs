//! Signed tags made by keys the tests generate from phrases (never a key
//! file): the keyring and allowed-signers files that trust some of them,
//! and tags signed, tampered with after signing, or with a broken block.
#![allow(dead_code)] // each test crate that includes this uses a part of it

use std::path::{Path, PathBuf};

use rearview::model::Person;
use rearview::repo::signing::Signer;
use rearview::repo::write::{tag_payload, Writer};
use rearview::repo::Oid;

/// A tagger and the key they sign with.
pub struct Key {
    pub who: Person,
    pub signer: Signer,
}

pub fn person(name: &str) -> Person {
    Person { name: name.to_string(), email: format!("{}@example.org", name.to_lowercase()) }
}

/// An OpenPGP key for `name`, made from `phrase`.
pub fn openpgp(name: &str, phrase: &str) -> Key {
    let who = person(name);
    let user_id = format!("{} <{}>", who.name, who.email);
    Key { signer: Signer::openpgp(phrase, &user_id, 1_600_000_000).expect("an OpenPGP key from a phrase"), who }
}

/// An SSH key for `name`, made from `phrase`.
pub fn ssh(name: &str, phrase: &str) -> Key {
    let who = person(name);
    Key { signer: Signer::ssh(phrase, &who.email).expect("an SSH key from a phrase"), who }
}

/// Writes `keys.asc` (the OpenPGP keys among `trusted`), `allowed_signers`
/// (the SSH ones, one with options) and a `config.toml` naming both by
/// relative paths, in `dir`; returns the config's path.
pub fn trust(dir: &Path, trusted: &[&Key]) -> PathBuf {
    let mut keyring = String::new();
    let mut allowed = String::from("# who may sign release tags\n");
    for key in trusted {
        let public = key.signer.public_key().expect("a public key");
        match key.signer.kind() {
            rearview::model::SignatureKind::Ssh => {
                allowed.push_str(&format!("{} namespaces=\"git\" {public}\n", key.who.email));
            }
            _ => keyring.push_str(&public),
        }
    }
    std::fs::write(dir.join("keys.asc"), keyring).expect("write the keyring");
    std::fs::write(dir.join("allowed_signers"), allowed).expect("write allowed_signers");
    let config = dir.join("config.toml");
    std::fs::write(&config, "[release]\nkeyring = \"keys.asc\"\nallowed_signers = \"allowed_signers\"\n")
        .expect("write the config");
    config
}

/// An annotated tag of `target`, signed by `key` when given (else by no
/// one, tagged by `tagger`).
pub fn tag(writer: &Writer, name: &str, target: Oid, tagger: &Person, time: i64, key: Option<&Key>) -> Oid {
    writer
        .annotated_tag(name, target, tagger, time, &format!("Release {name}\n"), key.map(|k| &k.signer))
        .expect("write a tag")
}

/// A tag signed by `key` whose message was changed after signing: the
/// signature no longer matches what it signs.
pub fn tampered_tag(writer: &Writer, name: &str, target: Oid, key: &Key, time: i64) -> Oid {
    let payload = tag_payload(target, name, &key.who, time, &format!("Release {name}\n"));
    let signature = key.signer.sign(payload.as_bytes(), time).expect("sign");
    let changed = payload.replace(&format!("Release {name}"), &format!("Release {name} (with a backdoor)"));
    writer.raw_tag(name, format!("{changed}{signature}").as_bytes()).expect("write a tampered tag")
}

/// A tag whose OpenPGP signature block is not a signature at all.
pub fn malformed_tag(writer: &Writer, name: &str, target: Oid, tagger: &Person, time: i64) -> Oid {
    let payload = tag_payload(target, name, tagger, time, &format!("Release {name}\n"));
    let block = "-----BEGIN PGP SIGNATURE-----\n\nthis is not base64 @@@\n-----END PGP SIGNATURE-----\n";
    writer.raw_tag(name, format!("{payload}{block}").as_bytes()).expect("write a malformed tag")
}
