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
/// a directory, recursively, sorted, hidden entries skipped), or a problem
/// saying why it stands for none.
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

/// Reads a file as UTF-8 text under the size cap.
pub fn read_text(format: &Format, path: &Path) -> Result<String, ReadError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > yaml::MAX_FILE_BYTES => {
            return Err(ReadError::new(
                String::new(),
                Problem::error(
                    format.code("too-large"),
                    Span::default(),
                    format!(
                        "file is {} bytes; a {} is limited to {} bytes (1 MiB)",
                        meta.len(),
                        format.noun,
                        yaml::MAX_FILE_BYTES
                    ),
                )
                .help(format!(
                    "a {} is a few KiB; check that this is the file you meant",
                    format.noun
                )),
            ));
        }
        Ok(_) => {}
        Err(e) => return Err(ReadError::new(String::new(), unreadable(format, path, &e))),
    }
    let bytes = read_capped(path)
        .map_err(|e| ReadError::new(String::new(), unreadable(format, path, &e)))?;
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

/// Reads at most `MAX_FILE_BYTES + 1` bytes, so a file that grows after the
/// metadata check still cannot exhaust memory.
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(yaml::MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > yaml::MAX_FILE_BYTES {
        return Err(std::io::Error::other("file exceeds the 1 MiB limit"));
    }
    Ok(buf)
}
