//! The source snippet under a diagnostic: the problem's line and one line
//! either side, each cut to a window of columns around the problem, with
//! control characters shown as visible symbols.
//!
//! Rendering a diagnostic therefore costs the size of its window, not of its
//! file: a minified 64 KiB request or a contract with 24,000 problems renders
//! in linear time, and no line is ever wider than the renderer can format
//! (miette panics on lines wider than 65,535 columns).

use super::text::is_unsafe;
use caio_core::yaml::{LineIndex, Span};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Columns of a line shown around the problem.
const WINDOW: usize = 240;
/// How far into the window the problem's column sits.
const LEAD: usize = 60;
/// Lines shown above and below the problem's line.
const CONTEXT: usize = 1;

/// A few lines of a file, cut for one diagnostic.
#[derive(Debug)]
pub(crate) struct Excerpt {
    name: String,
    text: String,
    /// The problem's span within `text`.
    span: SourceSpan,
    /// 0-based line of the file where `text` starts.
    first_line: usize,
    /// 0-based column (in characters) of the problem in its file's line.
    column: usize,
}

impl Excerpt {
    /// The excerpt of `text` around `span`; `index` is the file's line index.
    pub(crate) fn new(name: &str, text: &str, index: &LineIndex<'_>, span: Span) -> Excerpt {
        let (line, column) = index.line_col(span.offset);
        let (line, column) = (line - 1, column - 1);
        let first_line = line.saturating_sub(CONTEXT);
        // Lines are cut only when the problem lies beyond the first window.
        let end = column + span.len.min(WINDOW);
        let start = if end < WINDOW - LEAD / 2 {
            0
        } else {
            column.saturating_sub(LEAD)
        };
        let mut out = String::new();
        let mut at = (0, 0);
        for n in first_line..=line + CONTEXT {
            let Some(full) = line_text(text, index, n) else {
                break;
            };
            if n > first_line {
                out.push('\n');
            }
            if n == line {
                // The span's columns on its own line (clamped to that line).
                let from = span.offset - line_start(index, n);
                let mut to = (from + span.len).min(full.len());
                // A span that ends inside a character covers all of it.
                while !full.is_char_boundary(to) {
                    to += 1;
                }
                let from_col = column;
                let to_col = from_col + full.get(from..to).map_or(0, |s| s.chars().count());
                at = push_window(&mut out, full, start, Some((from_col, to_col)));
            } else {
                push_window(&mut out, full, start, None);
            }
        }
        Excerpt {
            name: name.to_string(),
            span: SourceSpan::new(at.0.into(), at.1 - at.0),
            text: out,
            first_line,
            column,
        }
    }

    /// The problem's span within the excerpt, for the label.
    pub(crate) fn span(&self) -> SourceSpan {
        self.span
    }
}

/// Line `n` (0-based) of `text`, without its line break.
fn line_text<'t>(text: &'t str, index: &LineIndex<'_>, n: usize) -> Option<&'t str> {
    let start = index.starts().get(n).copied()?;
    let end = index
        .starts()
        .get(n + 1)
        .map_or(text.len(), |next| next - 1);
    let line = text.get(start..end.max(start))?;
    Some(line.strip_suffix('\r').unwrap_or(line))
}

fn line_start(index: &LineIndex<'_>, n: usize) -> usize {
    index.starts().get(n).copied().unwrap_or(0)
}

/// Appends the window `[start, start + WINDOW)` of `line`'s characters to
/// `out` (with `…` where it was cut), control characters made visible;
/// returns where the columns `mark` landed in `out` (byte offsets; a column
/// past the window lands at its end).
fn push_window(
    out: &mut String,
    line: &str,
    start: usize,
    mark: Option<(usize, usize)>,
) -> (usize, usize) {
    if start > 0 && !line.is_empty() {
        out.push('…');
    }
    let (mut from, mut to) = (None, None);
    let mut cut = false;
    for (column, c) in line.chars().enumerate() {
        if column >= start + WINDOW {
            cut = true;
            break;
        }
        if column < start {
            continue;
        }
        if let Some(mark) = mark {
            if column == mark.0 {
                from = Some(out.len());
            }
            if column == mark.1 {
                to = Some(out.len());
            }
        }
        out.push(visible(c));
    }
    let end = out.len();
    if cut {
        out.push('…');
    }
    let from = from.unwrap_or(end);
    (from, to.unwrap_or(end).max(from))
}

/// A character as it is shown: tabs as one space (so columns stay
/// aligned), control characters as their Unicode control pictures.
fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        c if is_unsafe(c) => match c as u32 {
            n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
            0x7f => '\u{2421}',
            _ => '\u{fffd}',
        },
        c => c,
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // The problem's own column in the file, not in the cut line.
        let column = if *span == self.span {
            self.column
        } else {
            inner.column()
        };
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line() + self.first_line,
                column,
                inner.line_count(),
            )
            .with_language("yaml"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, offset: usize, len: usize) -> (String, String) {
        let index = LineIndex::new(text);
        let e = Excerpt::new("f", text, &index, Span::new(offset, len));
        let marked = e.text[e.span.offset()..e.span.offset() + e.span.len()].to_string();
        (e.text, marked)
    }

    #[test]
    fn short_lines_are_shown_whole_with_one_line_of_context() {
        let text = "a: 1\nb: two\nc: 3\nd: 4\n";
        let (excerpt, marked) = cut(text, 8, 3);
        assert_eq!(excerpt, "a: 1\nb: two\nc: 3");
        assert_eq!(marked, "two");
    }

    #[test]
    fn a_wide_line_is_cut_around_the_problem() {
        let mut text = "x".repeat(100_000);
        text.push_str("BAD");
        text.push_str(&"y".repeat(100_000));
        let (excerpt, marked) = cut(&text, 100_000, 3);
        assert_eq!(marked, "BAD");
        assert!(excerpt.chars().count() <= WINDOW + 2, "{}", excerpt.len());
        assert!(excerpt.starts_with('…') && excerpt.ends_with('…'));
    }

    #[test]
    fn control_characters_are_made_visible() {
        let (excerpt, marked) = cut("name: \x1b]0;owned\x07\n", 6, 10);
        assert!(!excerpt.contains('\x1b') && !excerpt.contains('\x07'));
        assert_eq!(marked, "\u{241b}]0;owned\u{2407}");
    }

    #[test]
    fn a_span_at_the_end_of_the_text_is_empty_there() {
        let (excerpt, marked) = cut("a: 1", 4, 0);
        assert_eq!(excerpt, "a: 1");
        assert_eq!(marked, "");
    }
}
