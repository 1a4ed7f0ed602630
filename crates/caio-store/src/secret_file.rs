//! Files that hold secrets (the home's principal and instance keys, a
//! vendor's license signing key): created atomically with mode 0600 and never
//! overwritten; refused when group or others may read them.
//!
//! Reading judges a path in the order that gives the right advice: what it
//! is (a directory or a FIFO is not a key file), then what it holds (the
//! caller can tell a public key from a private one), and only then its mode.

use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

/// Key files are a few hundred bytes; anything past this is not one.
pub(crate) const MAX_BYTES: u64 = 64 * 1024;

/// Why a secret file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A directory, FIFO, socket or device: never opened.
    #[error("not a regular file: it is {kind}")]
    NotRegular {
        /// What it is, in words: "a directory", "a FIFO (named pipe)"…
        kind: &'static str,
    },
    /// Larger than any key file.
    #[error("it is larger than {MAX_BYTES} bytes: not a key file")]
    TooLarge,
    /// The file is readable (or writable) by group or others.
    #[error("mode {mode:o} lets other users read it; run `chmod 600 {path}`")]
    Exposed {
        /// Its permission bits.
        mode: u32,
        /// The file, for the `chmod` advice.
        path: String,
    },
}

/// A secret file's contents, read but not yet judged by its permissions.
pub struct Unchecked {
    bytes: Zeroizing<Vec<u8>>,
    /// Permission bits (unix); `None` where there are none to check.
    mode: Option<u32>,
}

impl Unchecked {
    /// The contents, whoever may read the file.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The permission bits when group or others have any access.
    fn exposed_mode(&self) -> Option<u32> {
        self.mode.filter(|m| m & 0o077 != 0)
    }

    /// The contents, when only the owner may access the file.
    pub fn into_private(self, path: &Path) -> Result<Zeroizing<Vec<u8>>, ReadError> {
        match self.exposed_mode() {
            Some(mode) => Err(ReadError::Exposed {
                mode,
                path: path.display().to_string(),
            }),
            None => Ok(self.bytes),
        }
    }
}

/// Reads a file that should hold a secret, refusing anything but a regular
/// file before opening it, without judging its permissions yet.
pub fn read_unchecked(path: &Path) -> Result<Unchecked, ReadError> {
    use crate::files::{ReadFailure, read_bounded_into};
    let mut bytes = Zeroizing::new(Vec::new());
    let meta = read_bounded_into(path, MAX_BYTES, &mut bytes).map_err(|e| match e {
        ReadFailure::Io(e) => ReadError::Io(e),
        ReadFailure::NotRegular { kind } => ReadError::NotRegular { kind },
        ReadFailure::TooLarge { .. } => ReadError::TooLarge,
    })?;
    Ok(Unchecked {
        bytes,
        mode: mode_of(&meta),
    })
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> Option<u32> {
    None
}

/// The permission bits of `path` when group or others have any access to
/// it (`None` for a private file, a missing one, or where there are no
/// permission bits).
pub fn exposed_mode(path: &Path) -> Option<u32> {
    std::fs::metadata(path)
        .ok()
        .and_then(|meta| mode_of(&meta))
        .filter(|m| m & 0o077 != 0)
}

/// Reads a secret file: a regular file that group and others have no
/// access to.
pub fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    read_unchecked(path)?.into_private(path)
}

/// Writes `bytes` to `path` atomically and only if `path` does not exist
/// (`ErrorKind::AlreadyExists` otherwise): a private temporary file in the
/// same directory, then a hard link, which never overwrites.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // A directory made for a secret is private too (mode 0700).
    crate::home::create_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options
        .open(&tmp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn written_once_private_and_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sub/secret.key");
        write_new(&path, b"one").unwrap();
        let err = write_new(&path, b"two").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(*read(&path).unwrap(), b"one");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["secret.key"]);
    }

    #[cfg(unix)]
    #[test]
    fn readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("secret.key");
        write_new(&path, b"k").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read(&path).unwrap_err();
        assert!(
            matches!(err, ReadError::Exposed { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"), "{err}");
        // The contents can still be looked at (is it a key at all?).
        let unchecked = read_unchecked(&path).unwrap();
        assert_eq!(unchecked.bytes(), b"k");
        assert_eq!(unchecked.exposed_mode(), Some(0o644));
    }

    /// `--key /tmp` was told "mode 777 lets other users read it; run chmod
    /// 600 /tmp": the type is judged before the mode.
    #[cfg(unix)]
    #[test]
    fn a_directory_is_not_a_key_file_whatever_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("open");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = read(&dir).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::NotRegular {
                    kind: "a directory"
                }
            ),
            "{err}"
        );
        assert!(!err.to_string().contains("chmod"), "{err}");
    }

    #[test]
    fn an_oversized_file_is_not_a_key_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("big.key");
        write_new(&path, &vec![b'k'; MAX_BYTES as usize + 1]).unwrap();
        assert!(matches!(read(&path), Err(ReadError::TooLarge)));
    }
}
