//! Telling whether a persistent secret still holds its configured definition.
//!
//! `duckdb_secrets()` redacts credential values, so comparing with it cannot
//! see a rotated credential. duckalog records, with each persistent secret it
//! writes, an HMAC-SHA256 of the statement that wrote it, keyed with a random
//! key kept in the secret directory beside the secrets, with their
//! permissions. The catalog file, which travels further than the secret
//! directory, then holds nothing a credential can be guessed from.

use crate::config::SecretDef;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// The key's file in the secret directory. DuckDB reads only the files named
/// `*.duckdb_secret` there.
pub const KEY_FILE: &str = "duckalog.digest-key";

const KEY_LEN: usize = 32;

/// The key digests are made with; it never leaves its file.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestKey([u8; KEY_LEN]);

impl std::fmt::Debug for DigestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestKey(***)")
    }
}

impl DigestKey {
    /// The key stored in `dir`, if there is one. A file of the wrong size is
    /// treated as missing: every secret then counts as changed once.
    pub fn load(dir: &Path) -> io::Result<Option<Self>> {
        match fs::read(dir.join(KEY_FILE)) {
            Ok(bytes) => Ok(<[u8; KEY_LEN]>::try_from(bytes.as_slice()).ok().map(DigestKey)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The key stored in `dir`, made (with the directory, if need be) when
    /// there is none. Only the owner can read either.
    pub fn load_or_create(dir: &Path) -> io::Result<Self> {
        if let Some(key) = Self::load(dir)? {
            return Ok(key);
        }
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| io::Error::other(e.to_string()))?;
        create_private_dir(dir)?;
        // Written aside and renamed, so that a reader never sees half a key.
        let tmp = dir.join(format!(".{KEY_FILE}.{}", std::process::id()));
        write_private(&tmp, &key)?;
        fs::rename(&tmp, dir.join(KEY_FILE))?;
        Ok(DigestKey(key))
    }

    /// The digest of what duckalog writes for `def`, in hex.
    pub fn digest(&self, def: &SecretDef) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(def.statement(true).sql().as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = dir.path().join("secrets");
        let made = DigestKey::load_or_create(&secrets).unwrap();
        assert_eq!(DigestKey::load(&secrets).unwrap(), Some(made.clone()));
        assert_eq!(DigestKey::load_or_create(&secrets).unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&secrets.join(KEY_FILE)), 0o600);
            assert_eq!(mode(&secrets), 0o700);
        }
        assert_eq!(format!("{made:?}"), "DigestKey(***)");
    }

    #[test]
    fn a_truncated_key_counts_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(KEY_FILE), b"short").unwrap();
        assert_eq!(DigestKey::load(dir.path()).unwrap(), None);
    }
}
