//! Policy conditions: compiled from YAML with spanned diagnostics, evaluated
//! against a [`Context`], and explained in words when they decide something.
//!
//! A condition is a mapping. Each key is an attribute path (with a scalar for
//! equality, or an operator mapping) or one of `any`, `all`, `not`; several
//! keys are ANDed. Evaluation stops at the first clause that decides (`all`
//! at a false one, `any` at a true one), in the written order of `all`/`any`
//! lists and in sorted key order within a mapping, so `all: [{x: {exists:
//! true}}, {x: {gt: 1}}]` guards an optional attribute.

use super::paths::{self, Context, PathDef, Ty, Val};
use crate::diagnostic::Problem;
use crate::yaml::{Kind, Node};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    In,
    NotIn,
    Contains,
    ContainsAny,
    ContainsAll,
    SubsetOf,
    Lt,
    Lte,
    Gt,
    Gte,
    Exists,
}

pub(crate) const OPERATORS: &[(&str, Op)] = &[
    ("contains", Op::Contains),
    ("contains_all", Op::ContainsAll),
    ("contains_any", Op::ContainsAny),
    ("exists", Op::Exists),
    ("gt", Op::Gt),
    ("gte", Op::Gte),
    ("in", Op::In),
    ("lt", Op::Lt),
    ("lte", Op::Lte),
    ("not_in", Op::NotIn),
    ("subset_of", Op::SubsetOf),
];

impl Op {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Eq => "=",
            _ => OPERATORS
                .iter()
                .find(|(_, op)| *op == self)
                .map_or("?", |(n, _)| n),
        }
    }
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Str(s) => f.write_str(s),
            Scalar::Num(n) => f.write_str(&crate::canonical::display_number(*n)),
            Scalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    One(Scalar),
    Many(Vec<Scalar>),
}

impl std::fmt::Display for Operand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Operand::One(s) => write!(f, "{s}"),
            Operand::Many(items) => {
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test {
        path: &'static PathDef,
        op: Op,
        operand: Operand,
    },
}

/// Why a condition could not be evaluated; the rule then fails closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EvalError(pub String);

impl Condition {
    /// Whether the condition holds for `ctx`.
    pub(crate) fn eval(&self, ctx: &Context<'_>) -> Result<bool, EvalError> {
        match self {
            Condition::All(items) => {
                for c in items {
                    if !c.eval(ctx)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Condition::Any(items) => {
                for c in items {
                    if c.eval(ctx)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Condition::Not(inner) => Ok(!inner.eval(ctx)?),
            Condition::Test { path, op, operand } => test(path, *op, operand, &(path.get)(ctx)),
        }
    }

    /// The clause that makes the condition evaluate as it does, in words.
    pub(crate) fn explain(&self, ctx: &Context<'_>) -> String {
        match self {
            Condition::All(items) => match items.iter().find(|c| c.eval(ctx) != Ok(true)) {
                Some(first_false) => first_false.explain(ctx),
                None => join(items.iter().map(|c| c.explain(ctx))),
            },
            Condition::Any(items) => match items.iter().find(|c| c.eval(ctx) == Ok(true)) {
                Some(first_true) => first_true.explain(ctx),
                None => join(items.iter().map(|c| c.explain(ctx))),
            },
            Condition::Not(inner) => format!("not ({})", inner.explain(ctx)),
            Condition::Test { path, op, operand } => {
                let actual = ctx.shown(path.path, &(path.get)(ctx));
                let clause = match op {
                    Op::Eq => format!("{} = {operand}", path.path),
                    _ => format!("{} {} {operand}", path.path, op.name()),
                };
                format!("{clause} (is {actual})")
            }
        }
    }
}

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(" and ")
}

/// Rank of `value` in an ordered enumeration.
fn rank(values: &[&str], value: &str) -> Option<usize> {
    values.iter().position(|v| *v == value)
}

fn test(path: &PathDef, op: Op, operand: &Operand, actual: &Val<'_>) -> Result<bool, EvalError> {
    let missing = || {
        EvalError(format!(
            "`{}` is not set, so `{}` cannot be evaluated",
            path.path,
            op.name()
        ))
    };
    let mismatch = || {
        EvalError(format!(
            "`{}` {} {operand}: operand and value types differ",
            path.path,
            op.name()
        ))
    };
    if op == Op::Exists {
        let want = matches!(operand, Operand::One(Scalar::Bool(true)));
        return Ok((*actual != Val::Missing) == want);
    }
    if *actual == Val::Missing {
        return match op {
            Op::Eq | Op::In => Ok(false),
            Op::NotIn => Ok(true),
            _ => Err(missing()),
        };
    }
    match (op, operand, actual) {
        (Op::Eq, Operand::One(s), v) => scalar_eq(s, v).ok_or_else(mismatch),
        (Op::In, Operand::Many(items), v) => any_eq(items, v).ok_or_else(mismatch),
        (Op::NotIn, Operand::Many(items), v) => any_eq(items, v).map(|b| !b).ok_or_else(mismatch),
        (Op::Contains, Operand::One(Scalar::Str(s)), Val::List(list)) => Ok(list.contains(s)),
        (Op::ContainsAny, Operand::Many(items), Val::List(list)) => {
            let mut wanted = strings(items).ok_or_else(mismatch)?;
            Ok(wanted.any(|w| list.contains(w)))
        }
        (Op::ContainsAll, Operand::Many(items), Val::List(list)) => {
            let mut wanted = strings(items).ok_or_else(mismatch)?;
            Ok(wanted.all(|w| list.contains(w)))
        }
        (Op::SubsetOf, Operand::Many(items), Val::List(list)) => {
            let allowed = strings(items).ok_or_else(mismatch)?;
            Ok(list.iter().all(|v| allowed.clone().any(|a| a == v)))
        }
        (Op::Lt | Op::Lte | Op::Gt | Op::Gte, Operand::One(s), v) => {
            let (a, b) = match (v, s, path.ty) {
                (Val::Num(a), Scalar::Num(b), _) => (*a, *b),
                (
                    Val::Str(a),
                    Scalar::Str(b),
                    Ty::Enum {
                        values,
                        ordered: true,
                    },
                ) => match (rank(values, a), rank(values, b)) {
                    (Some(a), Some(b)) => (a as f64, b as f64),
                    _ => return Err(mismatch()),
                },
                _ => return Err(mismatch()),
            };
            Ok(match op {
                Op::Lt => a < b,
                Op::Lte => a <= b,
                Op::Gt => a > b,
                _ => a >= b,
            })
        }
        _ => Err(mismatch()),
    }
}

fn scalar_eq(s: &Scalar, v: &Val<'_>) -> Option<bool> {
    match (s, v) {
        (Scalar::Str(a), Val::Str(b)) => Some(crate::routing::same_text(a, b)),
        (Scalar::Num(a), Val::Num(b)) => Some(a == b),
        (Scalar::Bool(a), Val::Bool(b)) => Some(a == b),
        _ => None,
    }
}

fn any_eq(items: &[Scalar], v: &Val<'_>) -> Option<bool> {
    let mut any = false;
    for s in items {
        any |= scalar_eq(s, v)?;
    }
    Some(any)
}

/// The operand's strings, when every item is one (read in place: a rule
/// is evaluated for every candidate).
fn strings(items: &[Scalar]) -> Option<impl Iterator<Item = &str> + Clone> {
    fn text(s: &Scalar) -> Option<&str> {
        match s {
            Scalar::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }
    items
        .iter()
        .all(|s| text(s).is_some())
        .then(|| items.iter().filter_map(text))
}

// ---------------------------------------------------------------------------
// Compilation with diagnostics
// ---------------------------------------------------------------------------

fn code(suffix: &str) -> String {
    format!("policy::{suffix}")
}

/// Compiles a condition mapping, reporting every problem; `None` when any.
pub(crate) fn compile(node: &Node, at: &str, out: &mut Vec<Problem>) -> Option<Condition> {
    let before = out.len();
    let cond = compile_map(node, at, out);
    if out.len() > before { None } else { cond }
}

fn compile_map(node: &Node, at: &str, out: &mut Vec<Problem>) -> Option<Condition> {
    let Some(entries) = node.as_map() else {
        out.push(
            Problem::error(code("wrong-type"), node.span, format!("`{at}` must be a mapping of conditions, found {}", node.type_name()))
                .label("expected a mapping")
                .help("write conditions as `path: value` or `path: { operator: value }`, or use any/all/not"),
        );
        return None;
    };
    if entries.is_empty() {
        out.push(
            Problem::error(
                code("empty-condition"),
                node.span,
                format!("`{at}` holds no condition"),
            )
            .label("empty")
            .help("remove the empty condition, or add `path: value` entries"),
        );
        return None;
    }
    // The keys of one mapping are ANDed in sorted order, so that evaluation
    // (which stops at the first false or failing clause) does not depend on
    // how the mapping was written or stored; `all`/`any` lists keep their order.
    let mut entries: Vec<&(Node, Node)> = entries.iter().collect();
    entries.sort_by_key(|(k, _)| k.as_str().map(str::to_string));
    let mut parts = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in entries {
        let Some(key) = k.as_str() else {
            out.push(
                Problem::error(code("wrong-type"), k.span, "condition keys must be strings")
                    .label("not a string"),
            );
            continue;
        };
        if seen.iter().any(|s| s == key) {
            out.push(
                Problem::error(
                    code("duplicate-key"),
                    k.span,
                    format!("`{key}` appears twice in one condition"),
                )
                .label("second definition")
                .help("combine the two into one operator mapping, or use `all: [...]`"),
            );
            continue;
        }
        seen.push(key.to_string());
        let part = match key {
            "all" | "any" => compile_list(key, v, at, out),
            "not" => compile_map(v, &format!("{at}.not"), out).map(|c| Condition::Not(Box::new(c))),
            _ => compile_path(key, k, v, out),
        };
        parts.extend(part);
    }
    Some(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Condition::All(parts)
    })
}

fn compile_list(key: &str, v: &Node, at: &str, out: &mut Vec<Problem>) -> Option<Condition> {
    let Some(items) = v.as_seq() else {
        out.push(
            Problem::error(
                code("wrong-type"),
                v.span,
                format!(
                    "`{key}` takes a list of conditions, found {}",
                    v.type_name()
                ),
            )
            .label("expected a list")
            .help(format!("write `{key}: [{{ path: value }}, ...]`")),
        );
        return None;
    };
    if items.is_empty() {
        out.push(
            Problem::error(
                code("empty-condition"),
                v.span,
                format!("`{key}` needs at least one condition"),
            )
            .label("empty list")
            .help(format!("add conditions under `{key}`, or remove it")),
        );
        return None;
    }
    let compiled: Vec<Condition> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| compile_map(item, &format!("{at}.{key}[{i}]"), out))
        .collect();
    Some(if key == "all" {
        Condition::All(compiled)
    } else {
        Condition::Any(compiled)
    })
}

fn compile_path(key: &str, k: &Node, v: &Node, out: &mut Vec<Problem>) -> Option<Condition> {
    let Some(path) = paths::lookup(key) else {
        let mut p = Problem::error(
            code("unknown-path"),
            k.span,
            format!("unknown attribute `{key}`"),
        );
        p = match paths::suggest(key) {
            Some(s) => p.label(format!("did you mean `{s}`?")).help(format!(
                "did you mean `{s}`? Policies address request.*, principal.* and service.* attributes; `caio policy validate --help` lists them"
            )),
            None => p.label("unknown attribute").help(
                "policies address request.*, principal.* and service.* attributes (or any/all/not); `caio policy validate --help` lists them",
            ),
        };
        out.push(p);
        return None;
    };
    if let Some(ops) = v.as_map() {
        let mut sorted: Vec<&(Node, Node)> = ops.iter().collect();
        sorted.sort_by_key(|(k, _)| k.as_str().map(str::to_string));
        let mut tests = Vec::new();
        for (ok, ov) in sorted {
            let Some(name) = ok.as_str() else {
                out.push(Problem::error(
                    code("wrong-type"),
                    ok.span,
                    "operator names must be strings",
                ));
                continue;
            };
            let Some(op) = OPERATORS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, op)| *op)
            else {
                let names: Vec<&str> = OPERATORS.iter().map(|(n, _)| *n).collect();
                let mut p = Problem::error(
                    code("unknown-operator"),
                    ok.span,
                    format!("unknown operator `{name}`"),
                );
                p = match crate::shape::did_you_mean(name, &names) {
                    Some(s) => p.label(format!("did you mean `{s}`?")),
                    None => p.label("unknown operator"),
                };
                out.push(p.help(format!("operators: {}", names.join(", "))));
                continue;
            };
            if let Some(t) = compile_test(path, op, ov, out) {
                tests.push(t);
            }
        }
        if tests.is_empty() {
            if ops.is_empty() {
                out.push(
                    Problem::error(
                        code("empty-condition"),
                        v.span,
                        format!("no operator for `{key}`"),
                    )
                    .label("empty")
                    .help("write `{ in: [...] }` or another operator"),
                );
            }
            return None;
        }
        return Some(if tests.len() == 1 {
            tests.remove(0)
        } else {
            Condition::All(tests)
        });
    }
    compile_test(path, Op::Eq, v, out)
}

fn scalar(node: &Node) -> Option<Scalar> {
    match &node.kind {
        Kind::Str(s) => Some(Scalar::Str(s.clone())),
        Kind::Int(i) => Some(Scalar::Num(*i as f64)),
        Kind::Float(f) if f.is_finite() => Some(Scalar::Num(*f)),
        Kind::Bool(b) => Some(Scalar::Bool(*b)),
        _ => None,
    }
}

/// The scalar kind a value of type `ty` (or its items) compares with.
fn scalar_fits(ty: Ty, s: &Scalar) -> bool {
    matches!(
        (ty, s),
        (
            Ty::Str | Ty::StrList | Ty::Enum { .. } | Ty::EnumList(_),
            Scalar::Str(_)
        ) | (Ty::Num, Scalar::Num(_))
            | (Ty::Bool, Scalar::Bool(_))
    )
}

fn compile_test(
    path: &'static PathDef,
    op: Op,
    v: &Node,
    out: &mut Vec<Problem>,
) -> Option<Condition> {
    let ty = path.ty;
    let mismatch = |what: String, help: String| {
        Problem::error(code("type-mismatch"), v.span, what)
            .label("does not fit the attribute")
            .help(help)
    };
    // Which operand form and which attribute types the operator takes.
    let (wants_list, fits_ty) = match op {
        Op::Eq => (false, !ty.is_list()),
        Op::In | Op::NotIn => (true, !ty.is_list()),
        Op::Contains => (false, ty.is_list()),
        Op::ContainsAny | Op::ContainsAll | Op::SubsetOf => (true, ty.is_list()),
        Op::Lt | Op::Lte | Op::Gt | Op::Gte => (
            false,
            matches!(ty, Ty::Num | Ty::Enum { ordered: true, .. }),
        ),
        Op::Exists => (false, true),
    };
    if !fits_ty {
        let help = match (op, ty.is_list()) {
            (Op::Eq, true) => "for a list attribute use contains, contains_any, contains_all or subset_of".to_string(),
            (Op::In | Op::NotIn, true) => "for a list attribute use contains_any (or subset_of)".to_string(),
            (_, false) if matches!(op, Op::Contains | Op::ContainsAny | Op::ContainsAll | Op::SubsetOf) => {
                "for a single value use equality, in or not_in".to_string()
            }
            _ => "lt, lte, gt and gte apply to numbers and to ordered values (data class, trust, hosting)".to_string(),
        };
        out.push(mismatch(
            format!(
                "`{}` cannot be used on `{}`, which is {}",
                op.name(),
                path.path,
                ty.describe()
            ),
            help,
        ));
        return None;
    }
    let operand = if op == Op::Exists {
        match v.kind {
            Kind::Bool(b) => Operand::One(Scalar::Bool(b)),
            _ => {
                out.push(mismatch(
                    "`exists` takes true or false".into(),
                    "write `{ exists: true }`".into(),
                ));
                return None;
            }
        }
    } else if wants_list {
        let Some(items) = v.as_seq() else {
            out.push(mismatch(
                format!("`{}` takes a list, found {}", op.name(), v.type_name()),
                format!("write `{{ {}: [a, b] }}`", op.name()),
            ));
            return None;
        };
        let mut scalars = Vec::new();
        for item in items {
            match scalar(item) {
                Some(s) if scalar_fits(ty, &s) => {
                    if check_enum_value(ty, &s, item, out) {
                        scalars.push(s);
                    }
                }
                _ => out.push(
                    Problem::error(
                        code("type-mismatch"),
                        item.span,
                        format!(
                            "`{}` compares with {}, found {}",
                            path.path,
                            item_kind(ty),
                            item.type_name()
                        ),
                    )
                    .label("wrong type")
                    .help(format!("list {} here", item_kind(ty))),
                ),
            }
        }
        Operand::Many(scalars)
    } else {
        match scalar(v) {
            Some(s) if scalar_fits(ty, &s) => {
                if !check_enum_value(ty, &s, v, out) {
                    return None;
                }
                Operand::One(s)
            }
            _ => {
                out.push(mismatch(
                    format!(
                        "`{}` compares with {}, found {}",
                        path.path,
                        item_kind(ty),
                        v.type_name()
                    ),
                    format!("write {} here", item_kind(ty)),
                ));
                return None;
            }
        }
    };
    Some(Condition::Test { path, op, operand })
}

fn item_kind(ty: Ty) -> &'static str {
    match ty {
        Ty::Num => "a number",
        Ty::Bool => "true or false",
        _ => "a string",
    }
}

fn check_enum_value(ty: Ty, s: &Scalar, node: &Node, out: &mut Vec<Problem>) -> bool {
    let (Some(values), Scalar::Str(value)) = (ty.values(), s) else {
        return true;
    };
    if values.contains(&value.as_str()) {
        return true;
    }
    let mut p = Problem::error(
        code("invalid-value"),
        node.span,
        format!("`{value}` is not one of {}", values.join(", ")),
    );
    p = match crate::shape::did_you_mean(value, values) {
        Some(s) => p.label(format!("did you mean `{s}`?")),
        None => p.label("unknown value"),
    };
    out.push(p.help(format!("use one of: {}", values.join(", "))));
    false
}
