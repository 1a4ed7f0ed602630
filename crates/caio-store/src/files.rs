//! Reading caio's YAML documents from disk (contracts, policy sets,
//! invariants): expanding directories, the size cap, file types, UTF-8.
//! What it finds is handed to the pure core as [`Document`]s.

use caio_core::diagnostic::Problem;
use caio_core::source::{Document, DocumentKind, ReadError};
use caio_core::yaml;
use std::path::{Path, PathBuf};

/// The documents the paths stand for, in order, each path's files once:
/// a file, or the `*.yaml`/`*.yml` files under a directory, recursively,
/// sorted, hidden entries and special files skipped. A path that stands for
/// none yields one document holding the problem. Files are read when the
/// iterator reaches them, so a caller can show progress.
pub fn documents(format: &'static DocumentKind, paths: &[PathBuf]) -> Documents {
    collect(format, paths, None)
}

/// [`documents`], where the path `-` stands for one document read from
/// standard input (bounded like a file: at most 1 MiB), named `stdin_label`
/// in diagnostics. Relative paths inside it resolve against the directory
/// of `stdin_label`. Standard input is read once, however often `-` is given.
pub fn documents_or_stdin(
    format: &'static DocumentKind,
    paths: &[PathBuf],
    stdin_label: &str,
) -> Documents {
    collect(format, paths, Some(stdin_label))
}

/// What one entry of [`Documents`] is read from.
enum Found {
    File(PathBuf),
    Stdin,
    Problem(Problem),
}

fn collect(format: &'static DocumentKind, paths: &[PathBuf], stdin: Option<&str>) -> Documents {
    let mut found: Vec<(String, Found)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        if let Some(label) = stdin.filter(|_| path.as_os_str() == "-") {
            if seen.insert(label.to_string()) {
                found.push((label.to_string(), Found::Stdin));
            }
            continue;
        }
        for entry in expand(format, path) {
            let (label, entry) = match entry {
                Ok(p) => (p.display().to_string(), Found::File(p)),
                Err(problem) => (path.display().to_string(), Found::Problem(problem)),
            };
            if seen.insert(label.clone()) {
                found.push((label, entry));
            }
        }
    }
    Documents {
        format,
        found: found.into_iter(),
    }
}

/// The lazily read documents of [`documents`].
pub struct Documents {
    format: &'static DocumentKind,
    found: std::vec::IntoIter<(String, Found)>,
}

impl Iterator for Documents {
    type Item = Document;

    fn next(&mut self) -> Option<Document> {
        let (label, entry) = self.found.next()?;
        Some(match entry {
            Found::File(path) => Document {
                label,
                text: read_text(self.format, &path),
                path,
            },
            Found::Stdin => Document {
                path: PathBuf::from(&label),
                label,
                text: read_stdin_text(self.format),
            },
            Found::Problem(problem) => Document {
                path: PathBuf::from(&label),
                label,
                text: Err(ReadError::new(String::new(), problem)),
            },
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.found.size_hint()
    }
}

impl ExactSizeIterator for Documents {}

/// Standard input as UTF-8 text under the size cap of files.
fn read_stdin_text(format: &DocumentKind) -> Result<String, ReadError> {
    let fail = |problem: Problem| ReadError::new(String::new(), problem);
    match read_stdin_bounded(yaml::MAX_FILE_BYTES) {
        Ok(bytes) => format.decode(bytes),
        Err(ReadFailure::TooLarge { .. }) => Err(fail(format.stdin_too_large())),
        Err(e) => Err(fail(format.unreadable("standard input", &e.to_string()))),
    }
}

/// The files a path stands for, or a problem saying why it stands for none.
fn expand(format: &DocumentKind, path: &Path) -> Vec<Result<PathBuf, Problem>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return vec![Err(unreadable(format, path, &e))],
    };
    if !meta.is_dir() {
        return vec![Ok(path.to_path_buf())];
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    walk(format, path, &mut files, &mut errors);
    files.sort();
    if files.is_empty() && errors.is_empty() {
        errors.push(format.no_files(&path.display().to_string()));
    }
    files
        .into_iter()
        .map(Ok)
        .chain(errors.into_iter().map(Err))
        .collect()
}

fn walk(format: &DocumentKind, dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors
                .push(format.unreadable(&format!("directory `{}`", dir.display()), &io_reason(&e)));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // Symlinked directories are not followed: no loops, no surprises.
        // FIFOs, sockets and devices are skipped: reading one could block.
        if kind.is_dir() {
            walk(format, &path, files, errors);
        } else if is_yaml(&path) && (kind.is_file() || path.is_file()) {
            files.push(path);
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn unreadable(format: &DocumentKind, path: &Path, e: &std::io::Error) -> Problem {
    format.unreadable(&format!("`{}`", path.display()), &io_reason(e))
}

/// What a file type is, in words: "a FIFO", "a directory".
pub fn describe_file_type(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// An I/O error in words, without the OS error number.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads a file as UTF-8 text under the size cap. Anything but a regular
/// file is refused before it is opened.
pub fn read_text(format: &DocumentKind, path: &Path) -> Result<String, ReadError> {
    let fail = |problem: Problem| ReadError::new(String::new(), problem);
    let meta = std::fs::metadata(path).map_err(|e| fail(unreadable(format, path, &e)))?;
    if !meta.is_file() {
        return Err(fail(
            format.not_regular(describe_file_type(meta.file_type())),
        ));
    }
    if meta.len() > yaml::MAX_FILE_BYTES {
        return Err(fail(format.too_large(Some(meta.len()))));
    }
    let bytes = match read_capped(path) {
        Ok(Capped::Read(bytes)) => bytes,
        Ok(Capped::TooLarge) => return Err(fail(format.too_large(None))),
        Ok(Capped::NotRegular(kind)) => {
            return Err(fail(format.not_regular(describe_file_type(kind))));
        }
        Err(e) => return Err(fail(unreadable(format, path, &e))),
    };
    format.decode(bytes)
}

/// The size limit of the small files caio reads besides YAML documents:
/// public keys, signed checkpoints, verifier keys (each well under 1 KiB).
pub const SMALL_FILE_LIMIT: u64 = 64 * 1024;

/// Why a file caio reads (a key, a checkpoint, a licence, a request) could
/// not be read. Its message never quotes the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    /// Missing, unreadable or an I/O error.
    #[error("{}", io_reason(.0))]
    Io(#[from] std::io::Error),
    /// A directory, FIFO, socket or device: refused before it is opened
    /// (a FIFO blocks, a device such as `/dev/zero` never ends).
    #[error("not a regular file: it is {kind}")]
    NotRegular {
        /// What it is, in words ("a FIFO (named pipe)").
        kind: &'static str,
    },
    /// Larger than anything of its kind.
    #[error("it is larger than {limit} bytes, the limit for this kind of file")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
}

/// Reads a regular file of at most `limit` bytes into `buf`: anything else
/// is refused before it is opened, the open file is judged again (the path
/// may have been swapped), and no more than `limit + 1` bytes are ever
/// read. Returns the open file's metadata.
pub fn read_bounded_into(
    path: &Path,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<std::fs::Metadata, ReadFailure> {
    use std::io::Read;
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(ReadFailure::NotRegular {
            kind: describe_file_type(kind),
        });
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadFailure::NotRegular {
            kind: describe_file_type(meta.file_type()),
        });
    }
    if meta.len() > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    file.take(limit + 1).read_to_end(buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    Ok(meta)
}

/// [`read_bounded_into`] as UTF-8 text.
pub fn read_bounded_text(path: &Path, limit: u64) -> Result<String, ReadFailure> {
    let mut buf = Vec::new();
    read_bounded_into(path, limit, &mut buf)?;
    String::from_utf8(buf).map_err(|e| {
        ReadFailure::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })
}

/// At most `limit` bytes of standard input, or `TooLarge`.
pub fn read_stdin_bounded(limit: u64) -> Result<Vec<u8>, ReadFailure> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    Ok(buf)
}

/// What [`read_capped`] found.
enum Capped {
    Read(Vec<u8>),
    TooLarge,
    /// The path was swapped for a special file after the metadata check.
    NotRegular(std::fs::FileType),
}

/// Reads at most `MAX_FILE_BYTES + 1` bytes, so a file that grows after the
/// metadata check still cannot exhaust memory; checks again, on the open
/// file, that it is a regular file.
fn read_capped(path: &Path) -> std::io::Result<Capped> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Ok(Capped::NotRegular(kind));
    }
    let mut buf = Vec::new();
    file.take(yaml::MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > yaml::MAX_FILE_BYTES {
        return Ok(Capped::TooLarge);
    }
    Ok(Capped::Read(buf))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const FORMAT: DocumentKind = DocumentKind {
        prefix: "test",
        noun: "test document",
        empty_help: "write one",
    };

    #[test]
    fn a_directory_named_as_a_file_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_text(&FORMAT, dir.path()).unwrap_err();
        assert_eq!(err.problem.code, "test::not-regular-file");
        assert_eq!(err.problem.message, "not a regular file: it is a directory");
    }
}
