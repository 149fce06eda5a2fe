//! Signing keys made from text, for the demo and tests: an Ed25519 key
//! whose seed is the SHA-256 of a passphrase (through a ChaCha20 generator),
//! as an OpenPGP certificate or an SSH key. The same phrase gives the same
//! key on every machine, so no key file is ever committed. Never for real
//! releases: anyone who reads the phrase holds the key.

use pgp::composed::{
    ArmorOptions, DetachedSignature, KeyType, SecretKeyParamsBuilder, SignedSecretKey, SubpacketConfig,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Subpacket, SubpacketData};
use pgp::types::{KeyDetails as _, Password, Timestamp};
use rand_chacha::rand_core::SeedableRng as _;
use sha2::Digest as _;

use crate::model::SignatureKind;

#[derive(Debug, thiserror::Error)]
#[error("cannot {doing}: {why}")]
pub struct SigningError {
    doing: &'static str,
    why: String,
}

fn failed(doing: &'static str) -> impl FnOnce(String) -> SigningError {
    move |why| SigningError { doing, why }
}

/// A deterministic generator seeded from a passphrase.
fn rng(phrase: &str) -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::from_seed(sha2::Sha256::digest(phrase.as_bytes()).into())
}

/// A key that signs tags.
pub enum Signer {
    OpenPgp(Box<SignedSecretKey>),
    Ssh(Box<ssh_key::PrivateKey>),
}

impl Signer {
    /// An OpenPGP Ed25519 key for `user_id` (`Name <email>`), created at
    /// `created` (seconds; part of its fingerprint).
    pub fn openpgp(phrase: &str, user_id: &str, created: i64) -> Result<Signer, SigningError> {
        let created = Timestamp::from_secs(u32::try_from(created).unwrap_or(0));
        let params = SecretKeyParamsBuilder::default()
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(true)
            .primary_user_id(user_id.into())
            .created_at(created)
            .preferred_hash_algorithms([HashAlgorithm::Sha256].into_iter().collect())
            .build()
            .map_err(|e| failed("describe an OpenPGP key")(e.to_string()))?;
        let key = params.generate(rng(phrase)).map_err(|e| failed("make an OpenPGP key")(e.to_string()))?;
        Ok(Signer::OpenPgp(Box::new(key)))
    }

    /// An SSH Ed25519 key with `comment`.
    pub fn ssh(phrase: &str, comment: &str) -> Result<Signer, SigningError> {
        use rand_chacha::rand_core::RngCore as _;
        let mut seed = [0u8; 32];
        rng(phrase).fill_bytes(&mut seed);
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&seed);
        let mut key = ssh_key::PrivateKey::from(pair);
        key.set_comment(comment);
        Ok(Signer::Ssh(Box::new(key)))
    }

    pub fn kind(&self) -> SignatureKind {
        match self {
            Signer::OpenPgp(_) => SignatureKind::Openpgp,
            Signer::Ssh(_) => SignatureKind::Ssh,
        }
    }

    /// The key as `releases` reports a signer: the OpenPGP fingerprint in
    /// upper-case hex, or the SSH key's `SHA256:` fingerprint.
    pub fn fingerprint(&self) -> String {
        match self {
            Signer::OpenPgp(key) => {
                key.primary_key.fingerprint().as_bytes().iter().map(|b| format!("{b:02X}")).collect()
            }
            Signer::Ssh(key) => key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
        }
    }

    /// The public key as a keyring holds it: an armored OpenPGP certificate,
    /// or an OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    pub fn public_key(&self) -> Result<String, SigningError> {
        match self {
            Signer::OpenPgp(key) => key
                .to_public_key()
                .to_armored_string(ArmorOptions::default())
                .map_err(|e| failed("armor an OpenPGP public key")(e.to_string())),
            Signer::Ssh(key) => {
                key.public_key().to_openssh().map_err(|e| failed("write an SSH public key")(e.to_string()))
            }
        }
    }

    /// A detached signature of `payload`, armored as git appends it to a
    /// tag (OpenPGP: made at `time`).
    pub fn sign(&self, payload: &[u8], time: i64) -> Result<String, SigningError> {
        match self {
            Signer::OpenPgp(key) => {
                let signing = &key.primary_key;
                let when = Timestamp::from_secs(u32::try_from(time).unwrap_or(0));
                let packets = (|| {
                    Ok::<_, pgp::errors::Error>(SubpacketConfig::UserDefined {
                        hashed: vec![
                            Subpacket::regular(SubpacketData::IssuerFingerprint(signing.fingerprint()))?,
                            Subpacket::regular(SubpacketData::SignatureCreationTime(when))?,
                        ],
                        unhashed: vec![Subpacket::regular(SubpacketData::IssuerKeyId(signing.legacy_key_id()))?],
                    })
                })()
                .map_err(|e| failed("describe an OpenPGP signature")(e.to_string()))?;
                let signature = DetachedSignature::sign_binary_data_with_subpackets(
                    rng(&format!("{time}")),
                    signing,
                    &Password::empty(),
                    HashAlgorithm::Sha256,
                    payload,
                    packets,
                )
                .map_err(|e| failed("sign with an OpenPGP key")(e.to_string()))?;
                signature
                    .to_armored_string(ArmorOptions::default())
                    .map_err(|e| failed("armor an OpenPGP signature")(e.to_string()))
            }
            Signer::Ssh(key) => key
                .sign("git", ssh_key::HashAlg::Sha512, payload)
                .and_then(|s| s.to_pem(ssh_key::LineEnding::LF))
                .map_err(|e| failed("sign with an SSH key")(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::signature::{check, parse_allowed_signers, parse_keyring, Keyring};

    #[test]
    fn a_phrase_makes_the_same_key_and_its_signatures_verify() {
        let a = Signer::openpgp("phrase one", "A <a@example.org>", 1_700_000_000).expect("key");
        let again = Signer::openpgp("phrase one", "A <a@example.org>", 1_700_000_000).expect("key");
        let other = Signer::openpgp("phrase two", "A <a@example.org>", 1_700_000_000).expect("key");
        assert_eq!(a.fingerprint(), again.fingerprint());
        assert_ne!(a.fingerprint(), other.fingerprint());
        assert_eq!(a.fingerprint().len(), 40);

        let armored = a.public_key().expect("armor");
        let keyring = parse_keyring(&armored).expect("keyring");
        let keys = Keyring::from_parts(keyring, Vec::new());
        let signed = a.sign(b"payload\n", 1_700_000_100).expect("sign");
        let good = check(SignatureKind::Openpgp, b"payload\n", signed.as_bytes(), &keys, 0);
        assert_eq!(good.verified, Some(true), "{good:?}");
        assert_eq!(good.signer_key.as_deref(), Some(a.fingerprint().as_str()));
        let bad = check(SignatureKind::Openpgp, b"payload!\n", signed.as_bytes(), &keys, 0);
        assert_eq!(bad.verified, Some(false), "{bad:?}");
        let by_other = other.sign(b"payload\n", 1_700_000_100).expect("sign");
        let unknown = check(SignatureKind::Openpgp, b"payload\n", by_other.as_bytes(), &keys, 0);
        assert_eq!(unknown.verified, None);
        assert_eq!(unknown.signer_key.as_deref(), Some(other.fingerprint().as_str()));
    }

    #[test]
    fn ssh_keys_from_phrases_sign_for_git() {
        let key = Signer::ssh("an ssh phrase", "alice").expect("key");
        assert!(key.fingerprint().starts_with("SHA256:"), "{}", key.fingerprint());
        let line = format!("alice@example.org {}", key.public_key().expect("public"));
        let keys = Keyring::from_parts(Vec::new(), parse_allowed_signers(&line).expect("allowed"));
        let signed = key.sign(b"payload\n", 0).expect("sign");
        let good = check(SignatureKind::Ssh, b"payload\n", signed.as_bytes(), &keys, 0);
        assert_eq!(good.verified, Some(true), "{good:?}");
        assert_eq!(good.signer_key.as_deref(), Some(key.fingerprint().as_str()));
        let bad = check(SignatureKind::Ssh, b"tampered\n", signed.as_bytes(), &keys, 0);
        assert_eq!(bad.verified, Some(false));
        let unknown = check(SignatureKind::Ssh, b"payload\n", signed.as_bytes(), &Keyring::empty(), 0);
        assert_eq!(unknown.verified, None);
    }
}
