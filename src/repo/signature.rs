//! Tag signatures, read in pure Rust: the signature block split off a tag
//! object as git splits it, OpenPGP signatures through rPGP, SSH signatures
//! (`sshsig`) through `ssh-key`, and the keys that vouch for them (an armored
//! OpenPGP keyring, git's allowed-signers file).

use std::path::{Path, PathBuf};

use crate::model::{SignatureKind, TagSignature};

/// The line starts git recognizes as a signature block, by kind.
const STARTS: &[(&str, SignatureKind)] = &[
    ("-----BEGIN PGP SIGNATURE-----", SignatureKind::Openpgp),
    ("-----BEGIN PGP MESSAGE-----", SignatureKind::Openpgp),
    ("-----BEGIN SSH SIGNATURE-----", SignatureKind::Ssh),
    ("-----BEGIN SIGNED MESSAGE-----", SignatureKind::X509),
];

/// The namespace git signs with (`ssh-keygen -Y sign -n git`).
const SSH_NAMESPACE: &str = "git";

/// A tag object's bytes split as git splits them (`parse_signed_buffer`):
/// the signature runs from the last line that begins with a signature
/// block's first line to the end; everything before it is what was signed.
/// `None` when no line begins one.
pub fn split_signed(raw: &[u8]) -> Option<(&[u8], &[u8], SignatureKind)> {
    let mut found = None;
    let mut at = 0;
    while at < raw.len() {
        let line = &raw[at..];
        if let Some((_, kind)) = STARTS.iter().find(|(start, _)| line.starts_with(start.as_bytes())) {
            found = Some((at, *kind));
        }
        at += memchr::memchr(b'\n', line).map_or(line.len(), |end| end + 1);
    }
    found.map(|(start, kind)| (&raw[..start], &raw[start..], kind))
}

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot read the release {what} {path}: {source} (fix [release] {what} in the config)")]
    Read { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("the release keyring {path} holds no readable OpenPGP public key ({why}): export it with `gpg --export --armor KEYID`")]
    Keyring { path: PathBuf, why: String },
    #[error("{path} line {line}: {why} (the allowed-signers format is `principals [options] key-type base64-key`)")]
    AllowedSigners { path: PathBuf, line: usize, why: String },
}

/// One key of an allowed-signers file.
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    pub principals: Vec<String>,
    /// `namespaces="git,file"`: the namespaces it may sign for (empty: any).
    pub namespaces: Vec<String>,
    /// `cert-authority`: the key signs certificates, not tags.
    pub cert_authority: bool,
    /// `valid-after` / `valid-before`, seconds since the epoch.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    pub key: ssh_key::PublicKey,
}

/// The keys configured to vouch for release tags.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    openpgp: Vec<pgp::composed::SignedPublicKey>,
    ssh: Vec<AllowedSigner>,
}

impl Keyring {
    /// No keys: every signature reads as unverified (`verified: null`).
    pub fn empty() -> Keyring {
        Keyring::default()
    }

    /// Reads the keyring and the allowed-signers file, either of which may
    /// be absent from the config.
    pub fn load(keyring: Option<&Path>, allowed_signers: Option<&Path>) -> Result<Keyring, KeysError> {
        let mut keys = Keyring::empty();
        if let Some(path) = keyring {
            let text = read(path, "keyring")?;
            keys.openpgp = parse_keyring(&text).map_err(|why| KeysError::Keyring { path: path.to_path_buf(), why })?;
        }
        if let Some(path) = allowed_signers {
            let text = read(path, "allowed_signers")?;
            keys.ssh = parse_allowed_signers(&text).map_err(|(line, why)| KeysError::AllowedSigners {
                path: path.to_path_buf(),
                line,
                why,
            })?;
        }
        Ok(keys)
    }

    #[cfg(test)]
    pub(crate) fn from_parts(openpgp: Vec<pgp::composed::SignedPublicKey>, ssh: Vec<AllowedSigner>) -> Keyring {
        Keyring { openpgp, ssh }
    }

    /// How many keys it holds (OpenPGP certificates, allowed SSH keys).
    pub fn len(&self) -> (usize, usize) {
        (self.openpgp.len(), self.ssh.len())
    }
}

fn read(path: &Path, what: &'static str) -> Result<String, KeysError> {
    let bytes = std::fs::read(path).map_err(|source| KeysError::Read { what, path: path.to_path_buf(), source })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Every armored public key block in `text`.
pub fn parse_keyring(text: &str) -> Result<Vec<pgp::composed::SignedPublicKey>, String> {
    use pgp::composed::{Deserializable as _, SignedPublicKey};
    let mut keys = Vec::new();
    for block in armor_blocks(text, "PUBLIC KEY BLOCK") {
        let (found, _) = SignedPublicKey::from_armor_many(std::io::Cursor::new(block.as_bytes()))
            .map_err(|e| format!("cannot parse a key block: {e}"))?;
        for key in found {
            keys.push(key.map_err(|e| format!("cannot parse a key: {e}"))?);
        }
    }
    if keys.is_empty() {
        return Err("no `-----BEGIN PGP PUBLIC KEY BLOCK-----` in it".into());
    }
    Ok(keys)
}

/// The armored blocks of one type, each from its BEGIN line to its END line.
fn armor_blocks<'t>(text: &'t str, kind: &str) -> Vec<&'t str> {
    let (begin, end) = (format!("-----BEGIN PGP {kind}-----"), format!("-----END PGP {kind}-----"));
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start..];
        let Some(stop) = after.find(&end) else { break };
        blocks.push(&after[..stop + end.len()]);
        rest = &after[stop + end.len()..];
    }
    blocks
}

/// git's allowed-signers file: one key a line, `principals [options]
/// key-type base64 [comment]`; `#` comments and blank lines skipped. The
/// error carries the line number.
pub fn parse_allowed_signers(text: &str) -> Result<Vec<AllowedSigner>, (usize, String)> {
    let mut signers = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        signers.push(allowed_signer(line).map_err(|why| (index + 1, why))?);
    }
    Ok(signers)
}

fn allowed_signer(line: &str) -> Result<AllowedSigner, String> {
    let mut fields = split_fields(line)?.into_iter();
    let principals = fields.next().ok_or("no principals")?;
    let mut next = fields.next().ok_or("no key")?;
    let (mut namespaces, mut cert_authority, mut valid_after, mut valid_before) = (Vec::new(), false, None, None);
    // A field that is no key type is the options (a comma-separated list).
    if !is_key_type(&next) {
        for option in split_options(&next)? {
            let (name, value) = match option.split_once('=') {
                Some((name, value)) => (name.to_ascii_lowercase(), Some(value.trim_matches('"').to_string())),
                None => (option.to_ascii_lowercase(), None),
            };
            match (name.as_str(), value) {
                ("cert-authority", None) => cert_authority = true,
                ("namespaces", Some(v)) => namespaces = v.split(',').map(str::to_string).collect(),
                ("valid-after", Some(v)) => valid_after = Some(ssh_time(&v)?),
                ("valid-before", Some(v)) => valid_before = Some(ssh_time(&v)?),
                (other, _) => return Err(format!("unknown option `{other}`")),
            }
        }
        next = fields.next().ok_or("no key after the options")?;
    }
    let blob = fields.next().ok_or_else(|| format!("no key data after `{next}`"))?;
    let key = ssh_key::PublicKey::from_openssh(&format!("{next} {blob}"))
        .map_err(|e| format!("cannot read the `{next}` key: {e}"))?;
    let principals = principals.split(',').map(str::to_string).collect();
    Ok(AllowedSigner { principals, namespaces, cert_authority, valid_after, valid_before, key })
}

fn is_key_type(field: &str) -> bool {
    field.starts_with("ssh-") || field.starts_with("ecdsa-sha2-") || field.starts_with("sk-")
}

/// `text` split at the characters `at` matches outside double quotes (the
/// quotes are kept), with empty pieces dropped or kept.
fn split_unquoted(text: &str, at: impl Fn(char) -> bool, keep_empty: bool) -> Result<Vec<String>, String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted && at(c) {
            if keep_empty || !piece.is_empty() {
                pieces.push(std::mem::take(&mut piece));
            }
        } else {
            piece.push(c);
        }
    }
    if quoted {
        return Err("an unclosed double quote".into());
    }
    if keep_empty || !piece.is_empty() {
        pieces.push(piece);
    }
    Ok(pieces)
}

/// Whitespace-separated fields; double quotes keep spaces inside one. A
/// quoted principals field loses its quotes.
fn split_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = split_unquoted(line, char::is_whitespace, false)?;
    if let Some(first) = fields.first_mut() {
        *first = first.trim_matches('"').to_string();
    }
    Ok(fields)
}

/// Options split at commas outside double quotes.
fn split_options(field: &str) -> Result<Vec<String>, String> {
    let options = split_unquoted(field, |c| c == ',', true)?;
    if options.iter().any(String::is_empty) {
        return Err(format!("an empty option in `{field}`"));
    }
    Ok(options)
}

/// `YYYYMMDD[HHMM[SS]][Z]`, as ssh-keygen writes validity times (UTC: a
/// time without `Z` is local to ssh-keygen, read here as UTC).
fn ssh_time(text: &str) -> Result<i64, String> {
    let digits = text.trim_end_matches(['Z', 'z']);
    let bad = || format!("`{text}` is no time (YYYYMMDD[HHMM[SS]][Z])");
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let padded = match digits.len() {
        8 => format!("{digits}000000"),
        12 => format!("{digits}00"),
        14 => digits.to_string(),
        _ => return Err(bad()),
    };
    chrono::NaiveDateTime::parse_from_str(&padded, "%Y%m%d%H%M%S").map(|t| t.and_utc().timestamp()).map_err(|_| bad())
}

/// A tag's signature block read and checked against `keys`. `payload` is
/// what was signed; `time` the tag's date (for keys valid for a while).
pub fn check(kind: SignatureKind, payload: &[u8], block: &[u8], keys: &Keyring, time: i64) -> TagSignature {
    let unread = |error: String| TagSignature { kind, signer_key: None, verified: None, error: Some(error) };
    match kind {
        SignatureKind::X509 => TagSignature { kind, signer_key: None, verified: None, error: None },
        SignatureKind::Openpgp => match openpgp(payload, block, keys) {
            Ok(checked) => checked,
            Err(e) => unread(format!("cannot read the OpenPGP signature: {e}")),
        },
        SignatureKind::Ssh => match ssh(payload, block, keys, time) {
            Ok(checked) => checked,
            Err(e) => unread(format!("cannot read the SSH signature: {e}")),
        },
    }
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn openpgp(payload: &[u8], block: &[u8], keys: &Keyring) -> Result<TagSignature, String> {
    use pgp::composed::{Deserializable as _, DetachedSignature};
    let text = String::from_utf8_lossy(block);
    let (signature, _) =
        DetachedSignature::from_armor_single(std::io::Cursor::new(text.as_bytes())).map_err(|e| e.to_string())?;
    let signature = signature.signature;
    let fingerprint = signature.issuer_fingerprint().first().map(|f| upper_hex(f.as_bytes()));
    let key_id = signature.issuer_key_id().first().map(|k| upper_hex(AsRef::<[u8]>::as_ref(*k)));
    let signer_key = fingerprint.clone().or(key_id.clone());
    // Each configured (sub)key that is the issuer; with no issuer named, every key.
    for cert in &keys.openpgp {
        let primary = std::iter::once(&cert.primary_key as &dyn Component);
        let subkeys = cert.public_subkeys.iter().map(|s| &s.key as &dyn Component);
        for key in primary.chain(subkeys) {
            let (fp, id) = (upper_hex(key.fp().as_bytes()), upper_hex(AsRef::<[u8]>::as_ref(&key.id())));
            let named = match (&fingerprint, &key_id) {
                (Some(f), _) => *f == fp,
                (None, Some(k)) => *k == id,
                (None, None) => true,
            };
            if !named {
                continue;
            }
            let good = key.verify(&signature, payload);
            if good || signer_key.is_some() {
                let signer_key = signer_key.clone().or(Some(fp));
                return Ok(TagSignature {
                    kind: SignatureKind::Openpgp,
                    signer_key,
                    verified: Some(good),
                    error: None,
                });
            }
        }
    }
    Ok(TagSignature { kind: SignatureKind::Openpgp, signer_key, verified: None, error: None })
}

/// A primary key or a subkey: what verifying needs of either.
trait Component {
    fn fp(&self) -> pgp::types::Fingerprint;
    fn id(&self) -> pgp::types::KeyId;
    fn verify(&self, signature: &pgp::packet::Signature, payload: &[u8]) -> bool;
}

macro_rules! component {
    ($t:ty) => {
        impl Component for $t {
            fn fp(&self) -> pgp::types::Fingerprint {
                pgp::types::KeyDetails::fingerprint(self)
            }
            fn id(&self) -> pgp::types::KeyId {
                pgp::types::KeyDetails::legacy_key_id(self)
            }
            fn verify(&self, signature: &pgp::packet::Signature, payload: &[u8]) -> bool {
                signature.verify(self, payload).is_ok()
            }
        }
    };
}

component!(pgp::packet::PublicKey);
component!(pgp::packet::PublicSubkey);

fn ssh(payload: &[u8], block: &[u8], keys: &Keyring, time: i64) -> Result<TagSignature, String> {
    let signature = ssh_key::SshSig::from_pem(block).map_err(|e| e.to_string())?;
    let signer = ssh_key::PublicKey::from(signature.public_key().clone());
    let signer_key = Some(signer.fingerprint(ssh_key::HashAlg::Sha256).to_string());
    let wrong_namespace = (signature.namespace() != SSH_NAMESPACE)
        .then(|| format!("it is signed for the namespace `{}`, not `{SSH_NAMESPACE}`", signature.namespace()));
    let allowed = keys.ssh.iter().find(|s| {
        !s.cert_authority
            && s.key.key_data() == signature.public_key()
            && (s.namespaces.is_empty() || s.namespaces.iter().any(|n| n == SSH_NAMESPACE))
            && s.valid_after.is_none_or(|t| time >= t)
            && s.valid_before.is_none_or(|t| time <= t)
    });
    let verified =
        allowed.map(|s| wrong_namespace.is_none() && s.key.verify(SSH_NAMESPACE, payload, &signature).is_ok());
    Ok(TagSignature { kind: SignatureKind::Ssh, signer_key, verified, error: wrong_namespace })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_that_begins_a_signature_starts_it() {
        let raw =
            b"object 1\ntype commit\n\nmsg\n-----BEGIN PGP SIGNATURE-----\nold\n-----BEGIN SSH SIGNATURE-----\nx\n";
        let (payload, block, kind) = split_signed(raw).expect("signed");
        assert_eq!(kind, SignatureKind::Ssh);
        assert!(payload.ends_with(b"-----BEGIN PGP SIGNATURE-----\nold\n"));
        assert_eq!(block, b"-----BEGIN SSH SIGNATURE-----\nx\n");
        assert!(split_signed(b"object 1\n\nsee  -----BEGIN PGP SIGNATURE----- inside a line\n").is_none());
        let (_, _, kind) = split_signed(b"x\n-----BEGIN SIGNED MESSAGE-----\n").expect("x509");
        assert_eq!(kind, SignatureKind::X509);
    }

    #[test]
    fn allowed_signers_lines_with_options_and_quotes() {
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let text = format!(
            "# maintainers\n\nalice@example.org,bob@example.org {key} alice\n\"carol@example.org\" namespaces=\"git,file\",valid-after=\"20240101\" {key}\n"
        );
        let signers = parse_allowed_signers(&text).expect("parses");
        assert_eq!(signers.len(), 2);
        assert_eq!(signers[0].principals, ["alice@example.org", "bob@example.org"]);
        assert_eq!(signers[1].principals, ["carol@example.org"]);
        assert_eq!(signers[1].namespaces, ["git", "file"]);
        assert_eq!(signers[1].valid_after, Some(1_704_067_200));
        let bad = parse_allowed_signers(&format!("a@b {key}\nx@y frobnicate {key}\n")).map(|_| ()).unwrap_err();
        assert_eq!(bad.0, 2);
        assert!(bad.1.contains("unknown option `frobnicate`"), "{bad:?}");
        assert!(parse_allowed_signers("a@b ssh-ed25519\n").is_err());
        assert!(parse_allowed_signers("\"a@b ssh-ed25519 AAAA\n").is_err());
    }

    #[test]
    fn a_keyring_without_keys_says_so() {
        let err = parse_keyring("just text").map(|_| ()).unwrap_err();
        assert!(err.contains("no `-----BEGIN PGP PUBLIC KEY BLOCK-----`"), "{err}");
    }

    #[test]
    fn unreadable_blocks_are_errors_not_panics() {
        let keys = Keyring::empty();
        let pgp = check(SignatureKind::Openpgp, b"x", b"-----BEGIN PGP SIGNATURE-----\n\nnot base64!\n", &keys, 0);
        assert!(pgp.error.as_deref().is_some_and(|e| e.starts_with("cannot read the OpenPGP signature")), "{pgp:?}");
        let ssh = check(SignatureKind::Ssh, b"x", b"-----BEGIN SSH SIGNATURE-----\nAAAA\n", &keys, 0);
        assert!(ssh.error.is_some() && ssh.verified.is_none(), "{ssh:?}");
        let x509 = check(SignatureKind::X509, b"x", b"-----BEGIN SIGNED MESSAGE-----\n", &keys, 0);
        assert_eq!(x509.error, None);
    }
}
