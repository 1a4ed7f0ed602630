//! Reading caio's YAML documents from disk, for every format (contracts,
//! policy sets, invariants): expanding directories, the size cap, UTF-8, and
//! turning parser failures into diagnostics with the format's code prefix.

use crate::diagnostic::Problem;
use crate::yaml::{self, Node, ParseErrorKind, Span};
use std::path::{Path, PathBuf};

/// What the messages call a format and how its codes are prefixed.
#[derive(Debug)]
pub struct Format {
    /// Code prefix: `contract` → `contract::unreadable`.
    pub prefix: &'static str,
    /// What one document is, for messages: "contract", "policy set".
    pub noun: &'static str,
    /// How to start a document, shown for an empty file.
    pub empty_help: &'static str,
}

impl Format {
    fn code(&self, suffix: &str) -> String {
        format!("{}::{suffix}", self.prefix)
    }
}

/// The codes every format shares, with what they mean (suffixes).
pub const CODES: &[(&str, &str)] = &[
    ("unreadable", "the path does not exist or cannot be read"),
    (
        "not-regular-file",
        "the path is a FIFO, socket or device, not a regular file",
    ),
    ("no-files", "a directory holds no *.yaml or *.yml file"),
    ("too-large", "the file is larger than the 1 MiB limit"),
    ("not-utf8", "the file is not UTF-8 text"),
    ("empty", "the file holds no YAML document"),
    ("yaml-syntax", "the file is not well-formed YAML"),
    (
        "resource-limit",
        "nesting, node count or alias expansion over the budget",
    ),
];

/// The files a path stands for (a file, or the `*.yaml`/`*.yml` files under
/// a directory, recursively, sorted, hidden entries and special files
/// skipped), or a problem saying why it stands for none.
pub fn expand(format: &Format, path: &Path) -> Vec<Result<PathBuf, Problem>> {
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
        errors.push(
            Problem::error(
                format.code("no-files"),
                Span::default(),
                format!("no *.yaml or *.yml file under `{}`", path.display()),
            )
            .help(format!(
                "point at a directory of {} files, or at the files themselves",
                format.noun
            )),
        );
    }
    files
        .into_iter()
        .map(Ok)
        .chain(errors.into_iter().map(Err))
        .collect()
}

fn walk(format: &Format, dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(Problem::error(
                format.code("unreadable"),
                Span::default(),
                format!(
                    "cannot read directory `{}`: {}",
                    dir.display(),
                    io_reason(&e)
                ),
            ));
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

/// A path that cannot be read (missing, permissions, I/O error).
pub fn unreadable(format: &Format, path: &Path, e: &std::io::Error) -> Problem {
    Problem::error(
        format.code("unreadable"),
        Span::default(),
        format!("cannot read `{}`: {}", path.display(), io_reason(e)),
    )
    .help("check the path and its permissions")
}

/// A path that names something other than a regular file (a FIFO, a socket,
/// a device, a directory where a file is expected). Such a path is refused
/// before it is opened: opening a FIFO blocks until a writer comes, and a
/// device such as `/dev/zero` never ends.
pub fn not_regular(format: &Format, kind: std::fs::FileType) -> Problem {
    Problem::error(
        format.code("not-regular-file"),
        Span::default(),
        format!("not a regular file: it is {}", describe_file_type(kind)),
    )
    .help(format!(
        "pass the {} file itself; caio does not read FIFOs, sockets or devices (reading one could block or never end)",
        format.noun
    ))
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

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Why a file could not be read or parsed: the text read so far (for the
/// snippet) and the problem.
#[derive(Debug)]
pub struct ReadError {
    pub text: String,
    pub problem: Box<Problem>,
}

impl ReadError {
    fn new(text: String, problem: Problem) -> Self {
        ReadError {
            text,
            problem: Box::new(problem),
        }
    }
}

/// Reads a file as UTF-8 text under the size cap. Anything but a regular
/// file is refused before it is opened.
pub fn read_text(format: &Format, path: &Path) -> Result<String, ReadError> {
    let fail = |problem: Problem| ReadError::new(String::new(), problem);
    let meta = std::fs::metadata(path).map_err(|e| fail(unreadable(format, path, &e)))?;
    if !meta.is_file() {
        return Err(fail(not_regular(format, meta.file_type())));
    }
    if meta.len() > yaml::MAX_FILE_BYTES {
        return Err(fail(too_large(format, Some(meta.len()))));
    }
    let bytes = match read_capped(path) {
        Ok(Capped::Read(bytes)) => bytes,
        Ok(Capped::TooLarge) => return Err(fail(too_large(format, None))),
        Ok(Capped::NotRegular(kind)) => return Err(fail(not_regular(format, kind))),
        Err(e) => return Err(fail(unreadable(format, path, &e))),
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let offset = String::from_utf8_lossy(&e.as_bytes()[..at]).len();
        ReadError::new(
            text,
            Problem::error(
                format.code("not-utf8"),
                Span::new(offset, 1),
                format!("the file is not UTF-8: invalid byte at offset {at}"),
            )
            .label("not UTF-8")
            .help("save the file as UTF-8"),
        )
    })
}

/// A file over the size cap; `len` when its metadata told (a file that grew
/// while it was read does not have one).
fn too_large(format: &Format, len: Option<u64>) -> Problem {
    let size = match len {
        Some(len) => format!("file is {len} bytes"),
        None => "file grew past the limit while it was read".to_string(),
    };
    Problem::error(
        format.code("too-large"),
        Span::default(),
        format!(
            "{size}; a {} is limited to {} bytes (1 MiB)",
            format.noun,
            yaml::MAX_FILE_BYTES
        ),
    )
    .help(format!(
        "a {} is a few KiB; check that this is the file you meant",
        format.noun
    ))
}

/// Reads and parses one YAML file.
pub fn read(format: &Format, path: &Path) -> Result<(String, Node), ReadError> {
    let text = read_text(format, path)?;
    match parse(format, &text) {
        Ok(node) => Ok((text, node)),
        Err(problem) => Err(ReadError::new(text, problem)),
    }
}

/// Parses YAML text, mapping parser failures to the format's codes.
pub fn parse(format: &Format, text: &str) -> Result<Node, Problem> {
    yaml::parse(text).map_err(|e| {
        let (suffix, help) = match e.kind {
            ParseErrorKind::Syntax => (
                "yaml-syntax",
                "fix the YAML syntax at this position (indentation, quotes, brackets)".to_string(),
            ),
            ParseErrorKind::SecondDocument => (
                "yaml-syntax",
                format!(
                    "one file holds one {}: delete this `---` and what follows, or move it to a file of its own",
                    format.noun
                ),
            ),
            ParseErrorKind::Limit => (
                "resource-limit",
                format!(
                    "a {} is a small document; remove the deep nesting or alias expansion",
                    format.noun
                ),
            ),
            ParseErrorKind::Empty => ("empty", format.empty_help.to_string()),
        };
        Problem::error(format.code(suffix), e.span, e.message)
            .label(if suffix == "yaml-syntax" {
                "here"
            } else {
                "rejected"
            })
            .help(help)
    })
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
    use super::*;

    const FORMAT: Format = Format {
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

    #[test]
    fn every_file_format_lists_the_shared_codes() {
        for (prefix, codes) in [
            ("contract", crate::contract::validate::CODES),
            ("invariant", crate::invariants::spec::CODES),
            ("policy", crate::policy::load::CODES),
        ] {
            for (suffix, meaning) in CODES {
                let code = format!("{prefix}::{suffix}");
                assert!(
                    codes.iter().any(|(c, m)| *c == code && m == meaning),
                    "{prefix} lacks {code}: {meaning}"
                );
            }
        }
    }
}
