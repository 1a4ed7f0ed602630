//! caio's YAML documents as the file reader hands them over, for every
//! format (contracts, policy sets, invariants): the problems reading can
//! meet (unreadable, not a regular file, too large, not UTF-8), and turning
//! parser failures into diagnostics with the format's code prefix.
//!
//! The reading itself (directories, size caps, file types) happens at the
//! edge, in `caio_store::files`; this module only names what it found.

use crate::diagnostic::Problem;
use crate::yaml::{self, Node, ParseErrorKind, Span};
use std::path::PathBuf;

/// What the messages call a format and how its codes are prefixed.
#[derive(Debug)]
pub struct DocumentKind {
    /// Code prefix: `contract` → `contract::unreadable`.
    pub prefix: &'static str,
    /// What one document is, for messages: "contract", "policy set".
    pub noun: &'static str,
    /// How to start a document, shown for an empty file.
    pub empty_help: &'static str,
}

impl DocumentKind {
    fn code(&self, suffix: &str) -> String {
        format!("{}::{suffix}", self.prefix)
    }

    /// A path that cannot be read (missing, permissions, I/O error);
    /// `reason` says why in words.
    pub fn unreadable(&self, what: &str, reason: &str) -> Problem {
        Problem::error(
            self.code("unreadable"),
            Span::default(),
            format!("cannot read {what}: {reason}"),
        )
        .help("check the path and its permissions")
    }

    /// A path that names something other than a regular file (a FIFO, a
    /// socket, a device, a directory where a file is expected); `kind` says
    /// what it is ("a FIFO (named pipe)"). Such a path is refused before it
    /// is opened: opening a FIFO blocks until a writer comes, and a device
    /// such as `/dev/zero` never ends.
    pub fn not_regular(&self, kind: &str) -> Problem {
        Problem::error(
            self.code("not-regular-file"),
            Span::default(),
            format!("not a regular file: it is {kind}"),
        )
        .help(format!(
            "pass the {} file itself; caio does not read FIFOs, sockets or devices (reading one could block or never end)",
            self.noun
        ))
    }

    /// A directory that holds no document.
    pub fn no_files(&self, dir: &str) -> Problem {
        Problem::error(
            self.code("no-files"),
            Span::default(),
            format!("no *.yaml or *.yml file under `{dir}`"),
        )
        .help(format!(
            "point at a directory of {} files, or at the files themselves",
            self.noun
        ))
    }

    /// A file over the size cap; `len` when its metadata told (a file that
    /// grew while it was read does not have one).
    pub fn too_large(&self, len: Option<u64>) -> Problem {
        too_large(
            self,
            match len {
                Some(len) => format!("file is {len} bytes"),
                None => "file grew past the limit while it was read".to_string(),
            },
        )
    }

    /// Standard input (a path `-`) that holds more than the size cap.
    pub fn stdin_too_large(&self) -> Problem {
        too_large(self, "standard input is over the limit".to_string())
    }

    /// The bytes of a file as UTF-8 text, or a `not-utf8` problem pointing
    /// at the first bad byte.
    pub fn decode(&self, bytes: Vec<u8>) -> Result<String, ReadError> {
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let offset = String::from_utf8_lossy(&e.as_bytes()[..at]).len();
            ReadError::new(
                text,
                Problem::error(
                    self.code("not-utf8"),
                    Span::new(offset, 1),
                    format!("the file is not UTF-8: invalid byte at offset {at}"),
                )
                .label("not UTF-8")
                .help("save the file as UTF-8"),
            )
        })
    }
}

/// One document as the file reader delivered it.
#[derive(Debug)]
pub struct Document {
    /// The path as the user named it (or as found under a directory): what
    /// diagnostics show.
    pub label: String,
    /// The file's path (relative paths inside a document resolve against its
    /// directory).
    pub path: PathBuf,
    /// The text, or why there is none.
    pub text: Result<String, ReadError>,
}

impl Document {
    /// Parses the document's text, keeping the text for snippets.
    pub fn parse(self, format: &DocumentKind) -> (String, Result<Node, Problem>) {
        match self.text {
            Ok(text) => {
                let node = parse(format, &text);
                (text, node)
            }
            Err(e) => (e.text, Err(*e.problem)),
        }
    }
}

/// The codes every format shares, with what they mean (suffixes).
#[cfg(test)]
const CODES: &[(&str, &str)] = &[
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

/// Why a file could not be read or parsed: the text read so far (for the
/// snippet) and the problem.
#[derive(Debug)]
pub struct ReadError {
    pub(crate) text: String,
    /// The problem, spanned in that text.
    pub problem: Box<Problem>,
}

impl ReadError {
    /// A problem with the text read so far (empty when nothing was read).
    pub fn new(text: String, problem: Problem) -> Self {
        ReadError {
            text,
            problem: Box::new(problem),
        }
    }
}

/// An input over the size cap; `size` says how it is known.
fn too_large(format: &DocumentKind, size: String) -> Problem {
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

/// Parses YAML text, mapping parser failures to the format's codes.
pub fn parse(format: &DocumentKind, text: &str) -> Result<Node, Problem> {
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
            ParseErrorKind::Tag => (
                "yaml-syntax",
                format!(
                    "remove the tag: a {} takes plain YAML values, and caio does not guess what a tag means",
                    format.noun
                ),
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    const FORMAT: DocumentKind = DocumentKind {
        prefix: "test",
        noun: "test document",
        empty_help: "write one",
    };

    #[test]
    fn bad_utf8_points_at_the_first_bad_byte() {
        let err = FORMAT.decode(b"ab\xffc".to_vec()).unwrap_err();
        assert_eq!(err.problem.code, "test::not-utf8");
        assert_eq!(err.problem.span.offset, 2);
    }

    #[test]
    fn every_file_format_lists_the_shared_codes() {
        for (prefix, codes) in [
            ("contract", crate::contract::validate::CODES),
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
