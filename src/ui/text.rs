//! Text that came from a file or a request, made safe to print on a
//! terminal: control characters (ESC, BEL, C1 codes …) would let a
//! third-party contract or policy rewrite the screen or the window title.

use std::borrow::Cow;

/// `text` with every control character but newline and tab shown as a
/// visible escape (`\u{1b}`); borrowed when there is none.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `n` and the noun that agrees with it: "1 test", "2 tests", "0 tests".
pub fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + TryInto<i64> + Copy,
{
    let single = n.try_into().ok() == Some(1);
    format!("{n} {}", if single { one } else { many })
}

/// A control character other than newline and tab, including the C1 range
/// (U+0080–U+009F) that some terminals also obey.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1u8, "test", "tests"), "1 test");
        assert_eq!(count(0u8, "test", "tests"), "0 tests");
        assert_eq!(count(2usize, "policy", "policies"), "2 policies");
        assert_eq!(count(-1i64, "day", "days"), "-1 days");
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            escape_controls("a\x1b]0;pwned\x07b"),
            "a\\u{1b}]0;pwned\\u{7}b"
        );
        assert_eq!(escape_controls("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            escape_controls("line one\n\tline two"),
            Cow::Borrowed(_)
        ));
    }
}
