//! Declarative shapes of caio's YAML formats.
//!
//! A [`Shape`] is written once per format and used twice: [`check`] walks a
//! spanned YAML tree and reports *every* structural problem (unknown keys with
//! suggestions, missing keys, wrong types, bad enum values, patterns, ranges),
//! and `json_schema` turns the same description into a JSON Schema (draft
//! 2020-12) for editors and CI. The two can therefore never disagree.

use crate::diagnostic::Problem;
use crate::yaml::{Kind, Node, Span, key_text};
use serde_json::{Map, Value, json};

/// The expected form of one YAML value.
#[derive(Debug)]
pub enum Shape {
    /// `true` or `false`.
    Bool,
    /// A string, possibly restricted.
    Str(StrShape),
    /// A number, possibly bounded.
    Num(NumShape),
    /// A sequence of values of one shape.
    List(ListShape),
    /// A mapping with a fixed set of keys.
    Object(&'static [Field]),
    /// A mapping from free-form string keys to values of one shape.
    Dict(&'static Shape),
    /// Anything: the format's own checker takes over (policy conditions).
    Any,
}

/// What a string may be.
#[derive(Debug)]
pub struct StrShape {
    /// When non-empty, the only accepted values.
    pub one_of: &'static [&'static str],
    /// A format every value must match, if any.
    pub pattern: Option<&'static Pattern>,
}

impl StrShape {
    /// Any string.
    pub const ANY: StrShape = StrShape {
        one_of: &[],
        pattern: None,
    };
}

/// A string format: a regular expression (or a closed list of values) for the
/// JSON Schema and the same rule as a Rust function for the checker. A unit
/// test holds the two to the same answers.
#[derive(Debug)]
pub struct Pattern {
    /// The format as a regular expression, for the JSON Schema.
    pub regex: &'static str,
    /// A closed list the schema states as `enum` instead of the regex (ISO codes).
    pub values: Option<&'static [&'static str]>,
    /// The same rule as a function: what the checker runs.
    pub check: fn(&str) -> bool,
    /// Code suffix reported when the check fails, e.g. `invalid-id`.
    pub code: &'static str,
    /// What a valid value looks like, for the message.
    pub describe: &'static str,
}

/// What a number may be: an integer or any number, within bounds.
#[derive(Debug)]
pub struct NumShape {
    pub(crate) integer: bool,
    pub(crate) min: Option<f64>,
    /// `min` itself is not allowed.
    pub(crate) exclusive_min: bool,
    pub(crate) max: Option<f64>,
}

impl NumShape {
    pub(crate) const NON_NEGATIVE: NumShape = NumShape {
        integer: false,
        min: Some(0.0),
        exclusive_min: false,
        max: None,
    };
    pub(crate) const POSITIVE: NumShape = NumShape {
        integer: false,
        min: Some(0.0),
        exclusive_min: true,
        max: None,
    };
    pub(crate) const UNIT: NumShape = NumShape {
        integer: false,
        min: Some(0.0),
        exclusive_min: false,
        max: Some(1.0),
    };
    pub(crate) const POSITIVE_INT: NumShape = NumShape {
        integer: true,
        min: Some(1.0),
        exclusive_min: false,
        max: None,
    };
    pub(crate) const NON_NEGATIVE_INT: NumShape = NumShape {
        integer: true,
        min: Some(0.0),
        exclusive_min: false,
        max: None,
    };
}

/// What a list may hold: items of one shape, and at least how many.
#[derive(Debug)]
pub struct ListShape {
    pub(crate) item: &'static Shape,
    pub(crate) min_items: usize,
}

/// One key of an object shape: its name, shape, whether it is required, and its documentation.
#[derive(Debug)]
pub struct Field {
    pub(crate) name: &'static str,
    pub(crate) shape: &'static Shape,
    pub(crate) required: bool,
    pub(crate) doc: &'static str,
}

impl Field {
    /// A key that must be present; `doc` says what it holds (shown in help and the schema).
    pub const fn required(name: &'static str, shape: &'static Shape, doc: &'static str) -> Field {
        Field {
            name,
            shape,
            required: true,
            doc,
        }
    }
    /// A key that may be absent; `doc` says what it holds (shown in help and the schema).
    pub const fn optional(name: &'static str, shape: &'static Shape, doc: &'static str) -> Field {
        Field {
            name,
            shape,
            required: false,
            doc,
        }
    }
}

/// Walks `node` against `shape` and appends every problem to `out`.
///
/// `prefix` namespaces the codes (`contract` → `contract::unknown-key`). `anchor`
/// is where to point when something is missing from the node (the key that
/// introduced it).
pub fn check(prefix: &str, node: &Node, shape: &Shape, path: &str, out: &mut Vec<Problem>) {
    Walker { prefix, out }.walk(node, shape, &Path::Root(path), node.span);
}

/// Where a node lies, spelled out (`a.b[2].c`) only when a problem names
/// it: a walk over a valid document formats no path.
enum Path<'a> {
    /// Where the walk started (`""` for the top level).
    Root(&'a str),
    /// A key's value.
    Key(&'a Path<'a>, &'a str),
    /// A list item.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn text(&self) -> String {
        match self {
            Path::Root(path) => path.to_string(),
            Path::Key(parent, key) => join(&parent.text(), key),
            Path::Index(parent, i) => format!("{}[{i}]", parent.text()),
        }
    }
}

struct Walker<'a> {
    prefix: &'a str,
    out: &'a mut Vec<Problem>,
}

impl Walker<'_> {
    fn code(&self, suffix: &str) -> String {
        format!("{}::{suffix}", self.prefix)
    }

    fn walk(&mut self, node: &Node, shape: &Shape, path: &Path<'_>, anchor: Span) {
        match shape {
            Shape::Bool => {
                if !matches!(node.kind, Kind::Bool(_)) {
                    self.wrong_type(node, path, "true or false");
                }
            }
            Shape::Str(s) => self.string(node, s, path),
            Shape::Num(n) => self.number(node, n, path),
            Shape::List(l) => match node.as_seq() {
                Some(items) => {
                    if items.len() < l.min_items {
                        let path = path.text();
                        self.out.push(
                            Problem::error(
                                self.code("empty-list"),
                                span_or(node.span, anchor),
                                match l.min_items {
                                    1 => format!("`{path}` needs at least one entry"),
                                    n => format!("`{path}` needs at least {n} entries"),
                                },
                            )
                            .label("empty list")
                            .help(format!("add at least one entry under `{path}`")),
                        );
                    }
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item, l.item, &Path::Index(path, i), item.span);
                    }
                }
                None => self.wrong_type(node, path, "a list"),
            },
            Shape::Object(fields) => self.object(node, fields, path, anchor),
            Shape::Any => {}
            Shape::Dict(value) => match node.as_map() {
                Some(entries) => {
                    let mut seen: Vec<&str> = Vec::new();
                    for (k, v) in entries {
                        let Some(key) = self.key(k, path) else {
                            continue;
                        };
                        if seen.contains(&key) {
                            self.duplicate_key(k, key, path);
                            continue;
                        }
                        seen.push(key);
                        self.walk(v, value, &Path::Key(path, key), k.span);
                    }
                }
                None => self.wrong_type(node, path, "a mapping"),
            },
        }
    }

    fn key<'n>(&mut self, k: &'n Node, path: &Path<'_>) -> Option<&'n str> {
        match k.as_str() {
            Some(key) => Some(key),
            None => {
                self.out.push(
                    Problem::error(
                        self.code("wrong-type"),
                        k.span,
                        format!(
                            "keys under `{}` must be strings, found {}",
                            display_path(&path.text()),
                            k.type_name()
                        ),
                    )
                    .label("not a string key")
                    .help("quote the key"),
                );
                None
            }
        }
    }

    fn duplicate_key(&mut self, k: &Node, key: &str, path: &Path<'_>) {
        self.out.push(
            Problem::error(
                self.code("duplicate-key"),
                k.span,
                format!("`{}` is defined twice", join(&path.text(), key)),
            )
            .label("second definition")
            .help("keep one definition of the key; YAML would silently use the last one"),
        );
    }

    fn object(&mut self, node: &Node, fields: &[Field], path: &Path<'_>, anchor: Span) {
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, path, "a mapping");
            return;
        };
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in entries {
            let Some(key) = self.key(k, path) else {
                continue;
            };
            if seen.contains(&key) {
                self.duplicate_key(k, key, path);
                continue;
            }
            seen.push(key);
            match fields.iter().find(|f| f.name == key) {
                Some(field) => self.walk(v, field.shape, &Path::Key(path, key), k.span),
                None => {
                    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    let mut p = Problem::error(
                        self.code("unknown-key"),
                        k.span,
                        format!("unknown key `{}`", join(&path.text(), key)),
                    )
                    .label("unknown key");
                    p = match did_you_mean(key, &names) {
                        Some(s) => p.label(format!("did you mean `{s}`?")).help(format!(
                            "did you mean `{s}`? Valid keys here: {}",
                            names.join(", ")
                        )),
                        None => p.help(format!("valid keys here: {}", names.join(", "))),
                    };
                    self.out.push(p);
                }
            }
        }
        for field in fields
            .iter()
            .filter(|f| f.required && !seen.contains(&f.name))
        {
            let path = path.text();
            let where_ = if path.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{path}`")
            };
            self.out.push(
                Problem::error(
                    self.code("missing-key"),
                    span_or(anchor, node.span),
                    format!("missing required key `{}`", join(&path, field.name)),
                )
                .label(format!("`{}` missing here", field.name))
                .help(format!("add `{}:` to {where_}: {}", field.name, field.doc)),
            );
        }
    }

    fn string(&mut self, node: &Node, s: &StrShape, path: &Path<'_>) {
        let Some(value) = node.as_str() else {
            let hint = match node.kind {
                Kind::Int(_) | Kind::Float(_) | Kind::Bool(_) => " (quote it to make it a string)",
                _ => "",
            };
            self.wrong_type(node, path, &format!("a string{hint}"));
            return;
        };
        if !s.one_of.is_empty() && !s.one_of.contains(&value) {
            let path = path.text();
            let mut p = Problem::error(
                self.code("invalid-value"),
                node.span,
                format!(
                    "`{}` is not a valid value for `{}`",
                    value,
                    display_path(&path)
                ),
            );
            p = match did_you_mean(value, s.one_of) {
                Some(sugg) => p
                    .label(format!("did you mean `{sugg}`?"))
                    .help(format!("use one of: {}", s.one_of.join(", "))),
                None => p
                    .label("not allowed here")
                    .help(format!("use one of: {}", s.one_of.join(", "))),
            };
            self.out.push(p);
            return;
        }
        if let Some(pattern) = s.pattern
            && !(pattern.check)(value)
        {
            let path = path.text();
            self.out.push(
                Problem::error(
                    self.code(pattern.code),
                    node.span,
                    format!("`{}` is not {}", display_path(&path), pattern.describe),
                )
                .label(format!("invalid {}", field_name(&path)))
                .help(format!(
                    "`{}` must be {}",
                    display_path(&path),
                    pattern.describe
                )),
            );
        }
    }

    fn number(&mut self, node: &Node, n: &NumShape, path: &Path<'_>) {
        let value = match node.kind {
            Kind::Int(i) => i as f64,
            Kind::Float(f) if !n.integer => f,
            _ => {
                let expected = if n.integer {
                    "a whole number"
                } else {
                    "a number"
                };
                self.wrong_type(node, path, expected);
                return;
            }
        };
        if !value.is_finite() {
            let path = path.text();
            self.out.push(
                Problem::error(
                    self.code("out-of-range"),
                    node.span,
                    format!("`{}` is not a finite number", display_path(&path)),
                )
                .label("not finite")
                .help(format!(
                    "`{}` must be {}",
                    display_path(&path),
                    describe_range(n)
                )),
            );
            return;
        }
        let below = n
            .min
            .is_some_and(|min| value < min || (n.exclusive_min && value == min));
        let above = n.max.is_some_and(|max| value > max);
        if below || above {
            let path = path.text();
            self.out.push(
                Problem::error(
                    self.code("out-of-range"),
                    node.span,
                    format!(
                        "`{}` is {}, outside {}",
                        display_path(&path),
                        node_text(node),
                        describe_range(n)
                    ),
                )
                .label("out of range")
                .help(format!(
                    "`{}` must be {}",
                    display_path(&path),
                    describe_range(n)
                )),
            );
        }
    }

    fn wrong_type(&mut self, node: &Node, path: &Path<'_>, expected: &str) {
        let path = path.text();
        self.out.push(
            Problem::error(
                self.code("wrong-type"),
                node.span,
                format!(
                    "`{}` must be {expected}, found {}",
                    display_path(&path),
                    node.type_name()
                ),
            )
            .label(format!("expected {expected}"))
            .help(format!("write `{}` as {expected}", display_path(&path))),
        );
    }
}

fn span_or(primary: Span, fallback: Span) -> Span {
    if primary.len == 0 && primary.offset == 0 {
        fallback
    } else {
        primary
    }
}

fn node_text(node: &Node) -> String {
    match node.kind {
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => f.to_string(),
        _ => key_text(node),
    }
}

/// `a.b` from `a` and `b`; `b` at the top level.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}

fn field_name(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

fn describe_range(n: &NumShape) -> String {
    let kind = if n.integer {
        "a whole number"
    } else {
        "a number"
    };
    match (n.min, n.max) {
        (Some(min), Some(max)) if n.exclusive_min => format!("{kind} in ({min}, {max}]"),
        (Some(min), Some(max)) => format!("{kind} in [{min}, {max}]"),
        (Some(min), None) if n.exclusive_min => format!("{kind} greater than {min}"),
        (Some(min), None) => format!("{kind} of at least {min}"),
        (None, Some(max)) => format!("{kind} of at most {max}"),
        (None, None) => kind.to_string(),
    }
}

/// The closest candidate to a misspelt name, if any is close enough.
pub fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(input, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The JSON Schema (draft 2020-12) of a shape.
pub(crate) fn json_schema(shape: &Shape, id: &str, title: &str, description: &str) -> Value {
    let mut root = schema_of(shape);
    if let Value::Object(map) = &mut root {
        let mut head = Map::new();
        head.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        head.insert("$id".into(), json!(id));
        head.insert("title".into(), json!(title));
        head.insert("description".into(), json!(description));
        head.append(map);
        return Value::Object(head);
    }
    root
}

fn schema_of(shape: &Shape) -> Value {
    match shape {
        Shape::Bool => json!({ "type": "boolean" }),
        Shape::Str(s) => {
            let mut m = Map::new();
            m.insert("type".into(), json!("string"));
            if !s.one_of.is_empty() {
                m.insert("enum".into(), json!(s.one_of));
            }
            match s.pattern {
                Some(Pattern {
                    values: Some(values),
                    ..
                }) => {
                    m.insert("enum".into(), json!(values));
                }
                Some(p) => {
                    m.insert("pattern".into(), json!(p.regex));
                }
                None => {}
            }
            Value::Object(m)
        }
        Shape::Num(n) => {
            let mut m = Map::new();
            m.insert(
                "type".into(),
                json!(if n.integer { "integer" } else { "number" }),
            );
            if let Some(min) = n.min {
                let key = if n.exclusive_min {
                    "exclusiveMinimum"
                } else {
                    "minimum"
                };
                m.insert(key.into(), number(min));
            }
            if let Some(max) = n.max {
                m.insert("maximum".into(), number(max));
            }
            Value::Object(m)
        }
        Shape::List(l) => {
            let mut m = Map::new();
            m.insert("type".into(), json!("array"));
            m.insert("items".into(), schema_of(l.item));
            if l.min_items > 0 {
                m.insert("minItems".into(), json!(l.min_items));
            }
            Value::Object(m)
        }
        Shape::Object(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|f| {
                    let mut s = schema_of(f.shape);
                    if let Value::Object(m) = &mut s {
                        m.insert("description".into(), json!(f.doc));
                    }
                    (f.name.to_string(), s)
                })
                .collect();
            let required: Vec<&str> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name)
                .collect();
            json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        }
        Shape::Dict(value) => json!({
            "type": "object",
            "additionalProperties": schema_of(value),
        }),
        Shape::Any => json!({}),
    }
}

/// Whole numbers as JSON integers so the schema reads naturally.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    static NAME: Shape = Shape::Str(StrShape::ANY);
    static LEVEL: Shape = Shape::Str(StrShape {
        one_of: &["low", "medium", "high"],
        pattern: None,
    });
    static SHARE: Shape = Shape::Num(NumShape::UNIT);
    static TAGS: Shape = Shape::List(ListShape {
        item: &NAME,
        min_items: 1,
    });
    static INNER: Shape = Shape::Object(&[Field::required("level", &LEVEL, "how much")]);
    static TOP: Shape = Shape::Object(&[
        Field::required("name", &NAME, "a name"),
        Field::optional("share", &SHARE, "a share"),
        Field::optional("tags", &TAGS, "tags"),
        Field::required("inner", &INNER, "inner"),
    ]);

    fn codes(src: &str) -> Vec<String> {
        let node = parse(src).unwrap();
        let mut out = Vec::new();
        check("t", &node, &TOP, "", &mut out);
        out.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn every_problem_is_reported() {
        let c = codes("nme: x\nshare: 2\ntags: []\ninner: {level: hgh}\ninner: {}\n");
        assert_eq!(
            c,
            [
                "t::unknown-key",
                "t::out-of-range",
                "t::empty-list",
                "t::invalid-value",
                "t::duplicate-key",
                "t::missing-key"
            ]
        );
    }

    #[test]
    fn suggestions_for_keys_and_values() {
        let node = parse("nmae: x\ninner: {level: hihg}\n").unwrap();
        let mut out = Vec::new();
        check("t", &node, &TOP, "", &mut out);
        assert!(out[0].label.contains("`name`"), "{:?}", out[0]);
        assert!(out[1].label.contains("`high`"), "{:?}", out[1]);
    }

    #[test]
    fn valid_document_has_no_problems() {
        assert!(codes("name: x\nshare: 0.5\ninner: {level: low}\n").is_empty());
    }

    #[test]
    fn schema_mirrors_the_shape() {
        let s = json_schema(&TOP, "id", "t", "d");
        assert_eq!(s["required"], json!(["name", "inner"]));
        assert_eq!(s["properties"]["share"]["maximum"], json!(1));
        assert_eq!(
            s["properties"]["inner"]["additionalProperties"],
            json!(false)
        );
    }
}
