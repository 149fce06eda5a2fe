//! Tags and their signatures, and the release tags of watched branches as
//! `rearview releases` lists them. Plain data: `repo` reads the tags and
//! checks their signatures, `pipeline::releases` decides branches and
//! signer changes.

use serde::{Deserialize, Serialize};

use super::Person;

/// How a tag is signed: the armor its signature block starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureKind {
    /// `-----BEGIN PGP SIGNATURE-----` (or `PGP MESSAGE`).
    Openpgp,
    /// `-----BEGIN SSH SIGNATURE-----`.
    Ssh,
    /// `-----BEGIN SIGNED MESSAGE-----` (x509, CMS).
    X509,
}

impl SignatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureKind::Openpgp => "openpgp",
            SignatureKind::Ssh => "ssh",
            SignatureKind::X509 => "x509",
        }
    }
}

/// What a tag's signature says and whether a configured key vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSignature {
    pub kind: SignatureKind,
    /// The key that made it: an OpenPGP issuer fingerprint (else key id),
    /// upper-case hex; an SSH key's `SHA256:` fingerprint. `None` when the
    /// signature names none or cannot be read.
    pub signer_key: Option<String>,
    /// `Some(true)`: a configured key verifies it; `Some(false)`: a
    /// configured key is the signer's and the signature is bad (the tag was
    /// changed after signing); `None`: no configured key is the signer's.
    pub verified: Option<bool>,
    /// Why the signature block cannot be read (or is not for git), if so.
    pub error: Option<String>,
}

/// One tag as git holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    /// The commit it points at (full hex id).
    pub commit: String,
    /// An annotated tag's tagger; `None` for a lightweight tag (or an
    /// annotated one without a tagger line).
    pub tagger: Option<Person>,
    /// The tagger date (seconds since the epoch); a lightweight tag's
    /// commit's committer date.
    pub time: i64,
    /// A tag object (`git tag -a`/`-s`), not a bare reference.
    pub annotated: bool,
    /// The signature block of an annotated tag, if it has one.
    pub signature: Option<TagSignature>,
}

/// A release tag on a watched branch: one object of `rearview releases
/// --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseTag {
    pub tag: String,
    pub commit: String,
    /// The watched branch whose history holds it: its series' branch
    /// (`3.12` for `v3.12.4`) when that one does, else the main line, else
    /// the first other watched branch that does.
    pub branch: String,
    pub tagger: Option<Person>,
    /// RFC 3339: the tagger date, or a lightweight tag's commit date.
    pub date: String,
    /// Seconds since the epoch (the same instant as `date`).
    #[serde(skip)]
    pub time: i64,
    pub signed: bool,
    pub signature: Option<SignatureKind>,
    pub signer_key: Option<String>,
    pub verified: Option<bool>,
    /// Why a signature block cannot be read, if it cannot.
    pub signature_error: Option<String>,
    /// The signer key differs from that of `previous`.
    pub signer_changed: bool,
    /// The release this one's signer is compared with: the newest earlier
    /// signed release of the same series (by tag date).
    pub previous: Option<String>,
    /// That release's signer key.
    pub previous_signer_key: Option<String>,
}

/// How much a release tag needs a look, most first (the table's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TagConcern {
    /// A configured key says the signature is bad, or it cannot be read.
    BadSignature,
    SignerChanged,
    Unsigned,
    /// Signed, by a key no configured keyring or allowed-signers file holds.
    Unverified,
    Fine,
}

impl TagConcern {
    pub fn as_str(self) -> &'static str {
        match self {
            TagConcern::BadSignature => "bad signature",
            TagConcern::SignerChanged => "signer changed",
            TagConcern::Unsigned => "unsigned",
            TagConcern::Unverified => "unverified",
            TagConcern::Fine => "verified",
        }
    }
}

impl ReleaseTag {
    /// Its most pressing concern.
    pub fn concern(&self) -> TagConcern {
        if self.verified == Some(false) || (self.signed && self.signature_error.is_some()) {
            TagConcern::BadSignature
        } else if self.signer_changed {
            TagConcern::SignerChanged
        } else if !self.signed {
            TagConcern::Unsigned
        } else if self.verified != Some(true) {
            TagConcern::Unverified
        } else {
            TagConcern::Fine
        }
    }

    /// Signed, and a configured key verifies it.
    pub fn trusted(&self) -> bool {
        self.signed && self.verified == Some(true) && self.signature_error.is_none()
    }
}

/// Something about a release tag that a release manager must look at
/// before shipping; the release checklist and `audit` list them. More kinds
/// are added as other views learn them (a tagger whose escalation is fast).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReleaseFinding {
    /// Signed by another key than the previous release of its series.
    SignerChanged {
        tag: String,
        signer_key: Option<String>,
        previous: String,
        previous_signer_key: Option<String>,
        /// A configured key verifies the new signature.
        verified: Option<bool>,
    },
    /// A configured key says the signature is bad, or it cannot be read.
    BadSignature { tag: String, reason: String },
    /// Tagged by someone who rose to tagging releases faster than the
    /// project's pace (`rearview people`).
    FastEscalation { tag: String, tagger: String, explanation: String },
}

impl ReleaseFinding {
    pub fn tag(&self) -> &str {
        match self {
            ReleaseFinding::SignerChanged { tag, .. }
            | ReleaseFinding::BadSignature { tag, .. }
            | ReleaseFinding::FastEscalation { tag, .. } => tag,
        }
    }

    /// One line for a person (unsanitized: repository text is in it).
    pub fn describe(&self) -> String {
        match self {
            ReleaseFinding::SignerChanged { tag, signer_key, previous, previous_signer_key, verified } => {
                let key = |k: &Option<String>| k.clone().unwrap_or_else(|| "an unknown key".into());
                let trust = match verified {
                    Some(true) => "a configured key",
                    _ => "a key no configured keyring holds",
                };
                format!(
                    "{tag} is signed by {} ({trust}), {previous} by {}: the signer changed",
                    key(signer_key),
                    key(previous_signer_key)
                )
            }
            ReleaseFinding::BadSignature { tag, reason } => format!("{tag} has a bad signature: {reason}"),
            ReleaseFinding::FastEscalation { tag, tagger, explanation } => {
                format!("{tag} was tagged by {tagger}, a fast escalation: {explanation}")
            }
        }
    }
}

/// The findings among `releases` (in their order).
pub fn release_findings(releases: &[ReleaseTag]) -> Vec<ReleaseFinding> {
    let mut found = Vec::new();
    for r in releases {
        if r.concern() == TagConcern::BadSignature {
            let reason = match (&r.signature_error, r.verified) {
                (Some(error), _) => error.clone(),
                (None, _) => format!(
                    "the configured key {} does not verify it (the tag was changed after it was signed)",
                    r.signer_key.as_deref().unwrap_or("?")
                ),
            };
            found.push(ReleaseFinding::BadSignature { tag: r.tag.clone(), reason });
        }
        if r.signer_changed {
            found.push(ReleaseFinding::SignerChanged {
                tag: r.tag.clone(),
                signer_key: r.signer_key.clone(),
                previous: r.previous.clone().unwrap_or_default(),
                previous_signer_key: r.previous_signer_key.clone(),
                verified: r.verified,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(tag: &str) -> ReleaseTag {
        ReleaseTag {
            tag: tag.into(),
            commit: "a".repeat(40),
            branch: "3.12".into(),
            tagger: None,
            date: "2024-05-06T09:00:00Z".into(),
            time: 0,
            signed: true,
            signature: Some(SignatureKind::Openpgp),
            signer_key: Some("AB".into()),
            verified: Some(true),
            signature_error: None,
            signer_changed: false,
            previous: None,
            previous_signer_key: None,
        }
    }

    #[test]
    fn concerns_rank_bad_signatures_first() {
        let fine = release("v1.0.0");
        let mut bad = release("v1.0.1");
        bad.verified = Some(false);
        let mut changed = release("v1.0.2");
        changed.signer_changed = true;
        changed.verified = None;
        let mut unsigned = release("v1.0.3");
        unsigned.signed = false;
        unsigned.signature = None;
        unsigned.verified = None;
        let mut unknown = release("v1.0.4");
        unknown.verified = None;
        let mut malformed = release("v1.0.5");
        malformed.verified = None;
        malformed.signature_error = Some("cannot read it".into());
        assert_eq!(fine.concern(), TagConcern::Fine);
        assert_eq!(bad.concern(), TagConcern::BadSignature);
        assert_eq!(malformed.concern(), TagConcern::BadSignature);
        assert_eq!(changed.concern(), TagConcern::SignerChanged);
        assert_eq!(unsigned.concern(), TagConcern::Unsigned);
        assert_eq!(unknown.concern(), TagConcern::Unverified);
        assert!(TagConcern::BadSignature < TagConcern::SignerChanged && TagConcern::Unverified < TagConcern::Fine);
        let found = release_findings(&[fine, bad, changed]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].tag(), "v1.0.1");
        assert!(found[1].describe().contains("the signer changed"), "{}", found[1].describe());
    }
}
