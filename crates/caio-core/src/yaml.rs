//! Safe, spanned YAML loading shared by every YAML input caio reads (contracts,
//! policy sets, invariants).
//!
//! Parsing goes through `serde-saphyr` with tight budgets, into a small tree of
//! [`Node`]s that remember their byte span, so later layers can report every
//! problem with a line, a column and an underlined snippet instead of stopping at
//! the first serde error.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Largest YAML file caio reads. Contracts and policy sets are a few KiB; this
/// bound is checked from file metadata before a single byte is read.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Deepest nesting accepted (mappings + sequences). Contracts need 5.
pub(crate) const MAX_DEPTH: usize = 32;

/// Most nodes (scalars + collections, counting alias expansions) in one file.
pub(crate) const MAX_NODES: usize = 50_000;

/// A byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

impl Span {
    /// The span of `len` bytes from `offset`.
    pub fn new(offset: usize, len: usize) -> Self {
        Span { offset, len }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.offset, s.len).into()
    }
}

/// One YAML node with the span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node is in the source text.
    pub span: Span,
    /// What the node is.
    pub kind: Kind,
}

/// What a YAML node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in an `i64`.
    Int(i64),
    /// A floating-point number, or an integer beyond `i64`.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence, in document order.
    Seq(Vec<Node>),
    /// Entries in document order; duplicate keys are kept so they can be reported.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What a user would call this node's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The string, if the node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self.kind {
            Kind::Int(i) => Some(i as f64),
            Kind::Float(f) => Some(f),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if the node is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a mapping (the first one, if duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The key node under `key` in a mapping, for pointing at a key rather than its value.
    pub(crate) fn key_node(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }

    /// Follows a dotted path of mapping keys: `node.path("guarantees.latency_ms.p99")`.
    pub(crate) fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// Converts to a JSON value (for typed deserialisation once the shape is known good).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (key_text(k), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The text of a mapping key as written (non-string keys are rendered).
pub(crate) fn key_text(key: &Node) -> String {
    match &key.kind {
        Kind::Str(s) => s.clone(),
        Kind::Null => "null".into(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => f.to_string(),
        Kind::Seq(_) | Kind::Map(_) => "<complex key>".into(),
    }
}

/// Why a YAML text could not be turned into a [`Node`] tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) kind: ParseErrorKind,
    pub(crate) message: String,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseErrorKind {
    /// Not well-formed YAML.
    Syntax,
    /// Well-formed but over a resource budget (alias bomb, nesting, size).
    Limit,
    /// A second document (`---`) where one is expected: a format problem,
    /// reported as a syntax error.
    SecondDocument,
    /// No document at all.
    Empty,
    /// A tag (`!custom`) other than YAML's core ones: caio's formats take
    /// plain values, and a tag would be silently ignored.
    Tag,
}

/// Parses one YAML document into a spanned tree, under caio's budgets.
pub(crate) fn parse(text: &str) -> Result<Node, ParseError> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(ParseError {
            kind: ParseErrorKind::Empty,
            message: "the file holds no YAML document".into(),
            span: Span::new(0, 0),
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_documents: 1,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: MAX_FILE_BYTES as usize,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_NODES,
        },
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
        strict_booleans: true,
    };
    let node = serde_saphyr::from_str_with_options::<Node>(text, options)
        .map_err(|e| convert_error(text, &e))?;
    reject_tags(text)?;
    Ok(node)
}

/// Refuses the first tag that is not one of YAML's core tags (`!!str`,
/// `!!int`, …). Runs on a document that already parsed within the budgets,
/// over the parser's event stream (no recursion, linear in the text).
fn reject_tags(text: &str) -> Result<(), ParseError> {
    const CORE: &str = "tag:yaml.org,2002:";
    for event in granit_parser::Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            break;
        };
        if let Some(tag) = event.tag()
            && tag.handle() != CORE
        {
            let shown = format!("{}{}", tag.original_handle(), tag.suffix());
            // The event starts at its value; point at the tag before it.
            let at = span.start.byte_offset().unwrap_or(0).min(text.len());
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let offset = text[line_start..at]
                .find('!')
                .map_or(at, |i| line_start + i);
            let len = text[offset..]
                .find(char::is_whitespace)
                .unwrap_or(text.len() - offset);
            return Err(ParseError {
                kind: ParseErrorKind::Tag,
                message: format!("unknown YAML tag `{shown}`"),
                span: Span::new(offset, len),
            });
        }
    }
    Ok(())
}

fn convert_error(text: &str, err: &serde_saphyr::Error) -> ParseError {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let inner = err.without_snippet();
    if let E::Budget {
        breach: B::Documents { .. },
        ..
    } = inner
    {
        return ParseError {
            kind: ParseErrorKind::SecondDocument,
            message: "a second YAML document starts here; a file holds one document".into(),
            span: error_span(text, err),
        };
    }
    let depth = format!("nesting deeper than {MAX_DEPTH} levels");
    let nodes = format!("more than {MAX_NODES} nodes, alias expansions included");
    let limit = match inner {
        E::Budget { breach, .. } => Some(match breach {
            B::Depth { .. } => depth,
            B::Nodes { .. } | B::Events { .. } => nodes,
            B::Aliases { .. } => "more than 1,000 aliases".to_string(),
            B::Anchors { .. } => "more than 1,000 anchors".to_string(),
            B::ScalarBytes { .. } => "more than 1 MiB of scalar text".to_string(),
            _ => "a document over caio's parsing budget".to_string(),
        }),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => Some(nodes),
        _ => None,
    };
    let mut render = serde_saphyr::RenderOptions::new(&serde_saphyr::UserMessageFormatter);
    render.snippets = serde_saphyr::SnippetMode::Off;
    let parser_message = first_line_without_position(&inner.render_with_options(render));
    // Some limits (the parser's own recursion guard, alias replay wrapped in
    // the alias chain) only show in the text.
    let limit = limit.or_else(|| {
        if parser_message.contains("recursion limit") {
            Some(format!("nesting deeper than {MAX_DEPTH} levels"))
        } else if ["limit exceeded", "budget breached", "limits breached"]
            .iter()
            .any(|needle| parser_message.contains(needle))
        {
            Some(format!(
                "more than {MAX_NODES} nodes, alias expansions included"
            ))
        } else {
            None
        }
    });
    let (kind, message) = match limit {
        Some(what) => (
            ParseErrorKind::Limit,
            format!("document rejected: {what} (caio's limit for YAML input)"),
        ),
        None => {
            let mut message = parser_message;
            if let Some(i) = message.find(" at line ") {
                message.truncate(i);
            }
            (ParseErrorKind::Syntax, message)
        }
    };
    ParseError {
        kind,
        message,
        span: error_span(text, err),
    }
}

/// Where the parser says the error is, clamped to the text.
fn error_span(text: &str, err: &serde_saphyr::Error) -> Span {
    let span = err
        .location()
        .and_then(|loc| {
            let sp = loc.span();
            match sp.byte_offset() {
                Some(off) => Some(Span::new(off as usize, sp.byte_len().unwrap_or(0) as usize)),
                None if loc.line() > 0 => Some(Span::new(
                    LineIndex::new(text).offset(loc.line() as usize, loc.column() as usize),
                    0,
                )),
                None => None,
            }
        })
        .unwrap_or_default();
    let offset = span.offset.min(text.len());
    Span::new(offset, span.len.min(text.len() - offset))
}

/// serde-saphyr prefixes messages with `error: line L column C:`; caio reports
/// the position itself, so keep only the message.
fn first_line_without_position(rendered: &str) -> String {
    let line = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let line = line.strip_prefix("error:").unwrap_or(line).trim();
    let line = match line.strip_prefix("line ") {
        Some(rest) => match rest.find(": ") {
            Some(i) => &rest[i + 2..],
            None => line,
        },
        None => line,
    };
    line.to_string()
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// The index of `text`'s lines.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The byte offset where each line starts (the first is 0).
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// Byte offset of a 1-based (line, column).
    pub(crate) fn offset(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(d)?;
        let sp = spanned.referenced.span();
        Ok(Node {
            span: Span::new(
                sp.byte_offset().unwrap_or(0) as usize,
                sp.byte_len().unwrap_or(0) as usize,
            ),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Kind, E> {
        Err(E::custom("binary values are not supported"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Kind::Map(entries))
    }
}

/// Deepest nesting [`plain_json`] reads; deeper text takes the YAML
/// reader, whose budget ([`MAX_DEPTH`]) then decides.
const PLAIN_MAX_DEPTH: usize = 16;

/// Most nodes [`plain_json`] reads (well within the YAML budget).
const PLAIN_MAX_NODES: usize = 10_000;

/// The tree of `text` (already known to be valid JSON) read by serde_json,
/// without spans, when the text is one line of plain JSON that the YAML
/// reader reads the same: printable ASCII or YAML-printable characters
/// (no tab, no carriage return, no byte-order mark, no `\u` escape of a
/// surrogate), within the nesting and size budgets. `None` otherwise.
pub(crate) fn plain_json(text: &str) -> Option<Node> {
    if text.len() as u64 > MAX_FILE_BYTES
        || text.trim_end_matches('\n').contains('\n')
        || text.contains("\\ud")
        || text.contains("\\uD")
        || !text.chars().all(|c| {
            matches!(c, ' '..='~' | '\n' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{10000}'..)
                || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
        })
    {
        return None;
    }
    let nodes = std::cell::Cell::new(0usize);
    let mut de = serde_json::Deserializer::from_str(text);
    let node = serde::de::DeserializeSeed::deserialize(
        PlainSeed {
            depth: 0,
            nodes: &nodes,
        },
        &mut de,
    )
    .ok()?;
    de.end().ok()?;
    Some(node)
}

/// Reads one JSON value as a [`Node`] (span-less), counting nodes and
/// refusing past the budgets.
#[derive(Clone, Copy)]
struct PlainSeed<'a> {
    depth: usize,
    nodes: &'a std::cell::Cell<usize>,
}

impl<'de> serde::de::DeserializeSeed<'de> for PlainSeed<'_> {
    type Value = Node;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        let kind = d.deserialize_any(self)?;
        Ok(Node {
            span: Span::default(),
            kind,
        })
    }
}

impl<'de> serde::de::Visitor<'de> for PlainSeed<'_> {
    type Value = Kind;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Kind, E> {
        // serde_json reads `-0` as a float, the YAML reader as the
        // integer 0: leave that to the YAML reader.
        if v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            inner.count()?;
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let inner = self.inner()?;
        // Duplicate keys are kept, as the YAML reader keeps them, so that
        // the shape check reports them.
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(inner)? {
            let value = map.next_value_seed(inner)?;
            inner.count()?;
            inner.count()?;
            entries.push((key, value));
        }
        Ok(Kind::Map(entries))
    }
}

impl PlainSeed<'_> {
    /// The seed of a collection's items, unless that nests too deep.
    fn inner<E: serde::de::Error>(self) -> Result<Self, E> {
        if self.depth >= PLAIN_MAX_DEPTH {
            return Err(E::custom("nested too deep for the plain reader"));
        }
        Ok(PlainSeed {
            depth: self.depth + 1,
            nodes: self.nodes,
        })
    }

    /// Counts one node against the budget.
    fn count<E: serde::de::Error>(self) -> Result<(), E> {
        self.nodes.set(self.nodes.get() + 1);
        if self.nodes.get() > PLAIN_MAX_NODES {
            return Err(E::custom("too many nodes for the plain reader"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_tags_are_refused_and_core_tags_kept() {
        let err = parse("a: !custom 1\n").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Tag);
        assert!(err.message.contains("`!custom`"), "{}", err.message);
        assert_eq!(err.span.offset, 3);
        let core = parse("a: !!str 1\n");
        assert!(core.is_ok(), "{core:?}");
        let err = parse("a: !<tag:example.com,2000:x> 1\n").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Tag);
    }

    #[test]
    fn spans_point_at_values_and_keys() {
        let src = "a: 1\nb:\n  - x\n  - 'y'\nc: 2.5\n";
        let n = parse(src).unwrap();
        let idx = LineIndex::new(src);
        let y = &n.get("b").unwrap().as_seq().unwrap()[1];
        assert_eq!(y.as_str(), Some("y"));
        assert_eq!(idx.line_col(y.span.offset), (4, 5));
        let c = n.key_node("c").unwrap();
        assert_eq!(idx.line_col(c.span.offset), (5, 1));
        assert_eq!(n.get("c").unwrap().as_f64(), Some(2.5));
    }

    #[test]
    fn duplicate_keys_are_kept_for_reporting() {
        let n = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(n.as_map().unwrap().len(), 2);
    }

    #[test]
    fn aliases_expand() {
        let n = parse("x: &k {d: true}\ny: *k\n").unwrap();
        assert_eq!(n.path("y.d").unwrap().kind, Kind::Bool(true));
    }

    #[test]
    fn syntax_error_has_position() {
        let src = "a: [1, 2\nb: 3\n";
        let e = parse(src).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Syntax);
        assert!(!e.message.starts_with("error"), "{}", e.message);
    }

    /// A second document was once reported as a resource limit, with help
    /// about nesting and aliases; the README calls it a syntax error.
    #[test]
    fn a_second_document_is_a_format_error_at_its_separator() {
        let src = "a: 1\n---\nb: 2\n";
        let e = parse(src).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::SecondDocument);
        assert_eq!(LineIndex::new(src).line_col(e.span.offset), (2, 1));
        assert!(e.message.contains("second YAML document"), "{}", e.message);
        // An explicit start and end of one document is fine.
        assert!(parse("---\na: 1\n...\n").is_ok());
    }

    #[test]
    fn empty_and_comment_only_files_are_empty() {
        assert_eq!(parse("").unwrap_err().kind, ParseErrorKind::Empty);
        assert_eq!(parse("# x\n\n").unwrap_err().kind, ParseErrorKind::Empty);
    }

    #[test]
    fn hostile_inputs_hit_limits() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(parse(&deep).unwrap_err().kind, ParseErrorKind::Limit);
        let dashes = "- ".repeat(10_000) + "x\n";
        let e = parse(&dashes).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Limit);
        assert!(
            e.message.contains("nesting deeper than 32"),
            "{}",
            e.message
        );
        assert!(!e.message.contains('{'), "no Debug dump: {}", e.message);
        let mut bomb = String::from("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(",");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let e = parse(&bomb).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Limit);
        assert!(e.message.contains("50000 nodes"), "{}", e.message);
    }

    #[test]
    fn line_index_round_trips() {
        let src = "ab\nçd\n\nx";
        let idx = LineIndex::new(src);
        for off in [0, 1, 3, 5, 6, 7, 8] {
            let (l, c) = idx.line_col(off);
            assert_eq!(idx.offset(l, c), off);
        }
    }
}
