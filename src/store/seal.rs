//! Sealing secrets at rest (XChaCha20-Poly1305) and the key that seals
//! them: given in the settings, or kept in a key file in the data dir.
//!
//! Owns: the cipher, the sealed text's format (base64 of nonce ‖
//! ciphertext), reading a key and creating the key file (0600). Must not:
//! know what is sealed or where it is stored.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use super::{StoreError, StoreResult};
use crate::secret::Secret;

/// Name of the key file created in the data dir when no key is configured.
pub const KEY_FILE: &str = "secret.key";

/// Seals secrets with XChaCha20-Poly1305; the record's identity is bound in
/// as associated data so a sealed PIN cannot be moved to another account.
pub(super) struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub(super) fn new(key: &[u8; 32]) -> Sealer {
        Sealer {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    pub(super) fn seal(&self, plain: &str, context: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        B64.encode(out)
    }

    pub(super) fn open(&self, sealed: &str, context: &str) -> StoreResult<Secret> {
        let bytes = B64
            .decode(sealed)
            .map_err(|_| StoreError::Corrupt("sealed secret is not base64".into()))?;
        if bytes.len() < 24 {
            return Err(StoreError::Corrupt("sealed secret too short".into()));
        }
        let (nonce, body) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                StoreError::Key(
                    "a stored secret does not open with this key (was LOKET_SECRET_KEY changed?)"
                        .into(),
                )
            })?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| StoreError::Corrupt("secret is not UTF-8".into()))
    }
}

/// A fresh random key (a temporary database's).
pub(super) fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    key
}

/// Reads a 32-byte key from hex (64 chars) or base64 text.
pub fn parse_key(text: &str) -> StoreResult<[u8; 32]> {
    let t = text.trim();
    let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(t).map_err(|e| StoreError::Key(e.to_string()))?
    } else {
        B64.decode(t)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(t))
            .map_err(|_| {
                StoreError::Key("LOKET_SECRET_KEY must be 32 bytes as hex or base64".into())
            })?
    };
    bytes
        .try_into()
        .map_err(|_| StoreError::Key("the secret key must be exactly 32 bytes".into()))
}

/// The key file's key, if there is a key file (nothing is created).
pub(super) fn read_key_file(dir: &Path) -> StoreResult<Option<[u8; 32]>> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(&text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Key(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Replaces the key file by one holding `key` (0600): written beside it,
/// then renamed over it, so the file always holds one whole key.
pub(super) fn replace_key_file(dir: &Path, key: &[u8; 32]) -> StoreResult<()> {
    let path = dir.join(KEY_FILE);
    let next = dir.join(format!("{KEY_FILE}.new"));
    let cannot =
        |e: std::io::Error| StoreError::Key(format!("cannot replace {}: {e}", path.display()));
    match std::fs::remove_file(&next) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(cannot(e)),
    }
    write_private_file(&next, hex::encode(key).as_bytes()).map_err(cannot)?;
    std::fs::rename(&next, &path).map_err(cannot)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(cannot)
}

/// Loads the key file, or creates it (0600) with a fresh random key.
pub(super) fn key_from_file(dir: &Path) -> StoreResult<[u8; 32]> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random_key();
            write_private_file(&path, hex::encode(key).as_bytes())
                .map_err(|e| StoreError::Key(format!("cannot create {}: {e}", path.display())))?;
            Ok(key)
        }
        Err(e) => Err(StoreError::Key(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}
