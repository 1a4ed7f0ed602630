//! RFC 8785 JSON Canonicalization Scheme (JCS) and BLAKE3 content hashes.
//!
//! Contract versions (and policy sets and trace records) are addressed by
//! `BLAKE3(jcs(value))`: object keys sorted by UTF-16 code units, no
//! insignificant whitespace, ECMAScript number formatting, minimal string
//! escaping.

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JcsError {
    /// A float is NaN or infinite.
    #[error("a number is not finite (NaN or infinity has no JSON form)")]
    NonFinite,
    /// An integer (shown as text) beyond ±2^53, which JSON numbers cannot hold exactly.
    #[error("integer {0} is outside the range JSON numbers represent exactly (±2^53)")]
    UnsafeInteger(String),
    /// Serialising the value into JSON failed (serde's message).
    #[error("value cannot be represented as JSON: {0}")]
    Serialize(String),
}

/// The canonical JSON text of any serialisable value.
pub fn to_jcs<T: Serialize + ?Sized>(value: &T) -> Result<String, JcsError> {
    let mut writer = Writer::default();
    match value.serialize(&mut writer) {
        Ok(()) => Ok(writer.out),
        // serde_json would turn NaN or infinity into null: refuse instead,
        // so a non-finite number can never reach a record or a hash.
        Err(WriteError::Jcs(JcsError::NonFinite)) => Err(JcsError::NonFinite),
        // The Value route also names the failure the reference way (the
        // first in key order, not in serialisation order).
        Err(_) => to_jcs_via_value(value),
    }
}

/// [`to_jcs`] through a `serde_json::Value`: the reference the direct
/// writer matches, and its fallback.
fn to_jcs_via_value<T: Serialize + ?Sized>(value: &T) -> Result<String, JcsError> {
    let value = serde_json::to_value(value).map_err(|e| JcsError::Serialize(e.to_string()))?;
    let mut out = String::new();
    write_value(&value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), JcsError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(n, out)?,
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(Vec<u16>, &String, &Value)> = map
                .iter()
                .map(|(k, v)| (k.encode_utf16().collect(), k, v))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (_, k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

const MAX_SAFE_INTEGER: u64 = 1 << 53;

fn write_number(n: &serde_json::Number, out: &mut String) -> Result<(), JcsError> {
    if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER {
            return Err(JcsError::UnsafeInteger(u.to_string()));
        }
        let _ = write!(out, "{u}");
        return Ok(());
    }
    if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(JcsError::UnsafeInteger(i.to_string()));
        }
        let _ = write!(out, "{i}");
        return Ok(());
    }
    let f = n.as_f64().ok_or(JcsError::NonFinite)?;
    write_es_number(f, out)
}

/// A number as people read it in messages and tables: the ECMAScript form
/// (`0.1`, `1e-7`, `900`), with `NaN`/`Infinity` spelt out rather than refused.
pub fn display_number(f: f64) -> String {
    format_es_number(f).unwrap_or_else(|_| f.to_string())
}

/// [`display_number`] of `f` rounded to 12 significant digits, for computed
/// values in messages: 0.98 × 0.98 reads 0.9604, 0.1 + 0.2 reads 0.3.
pub fn display_tidy(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return display_number(f);
    }
    display_number(format!("{f:.11e}").parse().unwrap_or(f))
}

/// ECMAScript `Number.prototype.toString` for a finite double (ECMA-262
/// §6.1.6.1.20), which RFC 8785 §3.2.2.3 prescribes.
pub fn format_es_number(f: f64) -> Result<String, JcsError> {
    let mut s = String::new();
    write_es_number(f, &mut s)?;
    Ok(s)
}

/// [`format_es_number`], appended to `s`.
fn write_es_number(f: f64, s: &mut String) -> Result<(), JcsError> {
    if !f.is_finite() {
        return Err(JcsError::NonFinite);
    }
    if f == 0.0 {
        s.push('0'); // also -0
        return Ok(());
    }
    // A whole number under 2^53 is exactly an integer, and ECMAScript
    // prints integers under 10^21 as their digits.
    if f.fract() == 0.0 && f.abs() < MAX_SAFE_INTEGER as f64 {
        let _ = write!(s, "{}", f as i64);
        return Ok(());
    }
    write_es_fraction(f, s);
    Ok(())
}

/// [`write_es_number`] of a finite, nonzero `f`, by its shortest
/// round-trip digits (any such number; the caller takes whole numbers
/// under 2^53 a shorter way).
fn write_es_fraction(f: f64, s: &mut String) {
    // Rust's `{:e}` prints the shortest digits that round-trip: d.ddde±x.
    let mut sci = Short::default();
    let spilled;
    let sci = if write!(sci, "{:e}", f.abs()).is_ok() {
        sci.as_str()
    } else {
        spilled = format!("{:e}", f.abs());
        &spilled
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut shortest = Short::default();
    for part in mantissa.split('.') {
        let _ = shortest.write_str(part);
    }
    // A tie needs the exact value to have one significant digit more than
    // the shortest form; skip the probe when it provably has not.
    let k = shortest.as_str().len() as u32;
    let even = match exact_significant_digits(f.abs()) {
        Some(digits) if digits != k + 1 => None,
        _ => even_on_tie(f.abs(), shortest.as_str(), exp),
    };
    let digits = even.as_deref().unwrap_or(shortest.as_str());
    let k = digits.len() as i32;
    let n = exp + 1; // the decimal point sits after `n` digits
    if f < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let e = n - 1;
        let _ = write!(s, "e{}{}", if e >= 0 { "+" } else { "-" }, e.abs());
    }
}

/// How many significant decimal digits the exact value of a positive finite
/// `x` has, when that is cheap to tell: `x = m·2^e` with `m` odd is
/// `m·5^-e / 10^-e` for `e < 0` (a number ending in 5, so no trailing zeros)
/// and the integer `m·2^e` otherwise. `None` when the count needs big
/// numbers; `Some(u32::MAX)` stands for "more than 18".
fn exact_significant_digits(x: f64) -> Option<u32> {
    const MANY: u32 = u32::MAX;
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return None;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e += zeros as i32;
    let mut n: u128 = if e < 0 {
        // 5^26 > 10^18: such a value has more than 18 digits.
        if e < -25 {
            return Some(MANY);
        }
        u128::from(m) * 5u128.pow(e.unsigned_abs())
    } else if e <= 64 {
        u128::from(m) << e
    } else {
        return None;
    };
    while n.is_multiple_of(10) {
        n /= 10;
    }
    let mut digits = 0;
    while n > 0 {
        n /= 10;
        digits += 1;
        if digits > 18 {
            return Some(MANY);
        }
    }
    Some(digits)
}

/// A few dozen bytes of formatted text on the stack, so that writing a
/// number allocates nothing; a write that does not fit fails.
struct Short {
    bytes: [u8; 40],
    len: usize,
}

impl Default for Short {
    fn default() -> Short {
        Short {
            bytes: [0; 40],
            len: 0,
        }
    }
}

impl Short {
    fn as_str(&self) -> &str {
        // Only whole `str`s are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl Write for Short {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// ECMAScript picks, among the shortest digit strings that round-trip, the one
/// closest to the exact value, and the even one on a tie; Rust's formatter can
/// pick the odd one. A tie means the exact decimal expansion of `x` continues
/// after the shortest digits with exactly `5` then zeros. Returns the digits
/// to use instead of `digits`, if any.
fn even_on_tie(x: f64, digits: &str, exp: i32) -> Option<String> {
    let k = digits.len();
    // Cheap filter first: a tie needs the exact digits after the shortest
    // ones to start with `500`, so the correctly rounded (k + 3)-digit form
    // must show them too. Almost every number stops here.
    let mut probe = Short::default();
    let spilled;
    let probe = if write!(probe, "{:.*e}", k + 2, x).is_ok() {
        probe.as_str()
    } else {
        spilled = format!("{:.*e}", k + 2, x);
        &spilled
    };
    let mantissa = probe.split('e').next().unwrap_or("");
    let mut probe_digits = mantissa.bytes().filter(|c| *c != b'.').skip(k);
    if (
        probe_digits.next(),
        probe_digits.next(),
        probe_digits.next(),
    ) != (Some(b'5'), Some(b'0'), Some(b'0'))
    {
        return None;
    }
    let exact = format!("{:.766e}", x);
    let (mantissa, exact_exp) = exact.split_once('e')?;
    if exact_exp.parse::<i32>().ok() != Some(exp) {
        return None;
    }
    let exact_digits: Vec<u8> = mantissa.bytes().filter(|c| *c != b'.').collect();
    let tie =
        exact_digits.get(k) == Some(&b'5') && exact_digits[k + 1..].iter().all(|c| *c == b'0');
    if !tie {
        return None;
    }
    let low = String::from_utf8_lossy(&exact_digits[..k]).into_owned();
    let high = increment(&low)?;
    let even = if low.ends_with(['0', '2', '4', '6', '8']) {
        low
    } else {
        high
    };
    // Keep the choice only if it still round-trips.
    let candidate = format!("0.{even}e{}", exp + 1);
    (candidate.parse::<f64>().ok() == Some(x)).then_some(even)
}

/// `digits + 1` with the same number of digits, or `None` on overflow.
fn increment(digits: &str) -> Option<String> {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

/// RFC 8785 §3.2.2.2: escape `"`, `\` and control characters; short forms for
/// \b \t \n \f \r, `\u00xx` (lower-case hex) for the rest; everything else as is.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    // Runs of characters that need no escape are copied whole.
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.push_str(&s[plain..i]);
        plain = i + 1;
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0C => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            _ => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

// ---------------------------------------------------------------------------
// Direct serialisation
// ---------------------------------------------------------------------------

/// Writes the canonical text of a value straight from its `Serialize`
/// implementation, without building a `serde_json::Value` first: each object's
/// members are written in the order they come, then put in key order. The
/// output is the one `serde_json::to_value` followed by [`write_value`] gives;
/// whatever this writer does not handle in exactly that way (byte strings,
/// 128-bit integers, raw JSON, non-string map keys, repeated keys) is reported
/// as `Unsupported` so that [`to_jcs`] takes the `Value` route instead, as it
/// does for a document with no canonical form.
#[derive(Default)]
struct Writer {
    out: String,
    /// Buffers of objects put in key order, reused across objects.
    spare: Vec<String>,
    /// Member lists of finished objects, reused across objects.
    members: Vec<Vec<Member>>,
}

/// Why the direct writer gave up (or failed for real).
#[derive(Debug)]
enum WriteError {
    /// Not handled here: use the `Value` route.
    Unsupported,
    Jcs(JcsError),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Unsupported => f.write_str("unsupported by the direct writer"),
            WriteError::Jcs(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WriteError {}

impl serde::ser::Error for WriteError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        WriteError::Jcs(JcsError::Serialize(msg.to_string()))
    }
}

/// The token serde_json uses to pass raw JSON through a serializer.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// One member of an object being written: its key and where it lies in
/// the output (`"key":value`).
struct Member {
    /// Struct fields and variant names are static; map keys are owned.
    key: std::borrow::Cow<'static, str>,
    text: std::ops::Range<usize>,
}

/// RFC 8785 key order: by UTF-16 code units. Over ASCII, code units are
/// bytes: the first ASCII byte that differs decides, and a key that is an
/// ASCII prefix of the other comes first; a non-ASCII byte before that
/// takes the UTF-16 comparison.
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    for (x, y) in a.bytes().zip(b.bytes()) {
        if !x.is_ascii() || !y.is_ascii() {
            return a.encode_utf16().cmp(b.encode_utf16());
        }
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// An object being written: its members are written as they come, behind
/// its `{`; `finish` puts them in key order when they did not come in it
/// (a struct whose fields are declared in key order, or a sorted map,
/// is written once and never moved).
struct Object<'w> {
    w: &'w mut Writer,
    /// Where the object's `{` is.
    start: usize,
    members: Vec<Member>,
    /// Whether the members came in strictly increasing key order.
    ordered: bool,
    /// The key of the member whose value comes next (maps).
    key: Option<std::borrow::Cow<'static, str>>,
}

impl Object<'_> {
    fn value<T: Serialize + ?Sized>(
        &mut self,
        key: std::borrow::Cow<'static, str>,
        value: &T,
    ) -> Result<(), WriteError> {
        if let Some(last) = self.members.last() {
            self.w.out.push(',');
            self.ordered &= key_order(&last.key, &key).is_lt();
        }
        let from = self.w.out.len();
        write_string(&key, &mut self.w.out);
        self.w.out.push(':');
        value.serialize(&mut *self.w)?;
        let to = self.w.out.len();
        self.members.push(Member {
            key,
            text: from..to,
        });
        Ok(())
    }

    fn finish(self) -> Result<(), WriteError> {
        let Object {
            w,
            start,
            mut members,
            ordered,
            ..
        } = self;
        if !ordered {
            let mut order: Vec<usize> = (0..members.len()).collect();
            order.sort_by(|&a, &b| key_order(&members[a].key, &members[b].key));
            // serde_json keeps the last of repeated keys; let it decide.
            if order
                .windows(2)
                .any(|p| members[p[0]].key == members[p[1]].key)
            {
                return Err(WriteError::Unsupported);
            }
            let body = start + 1;
            let mut written = w.spare.pop().unwrap_or_default();
            written.clear();
            written.push_str(&w.out[body..]);
            w.out.truncate(body);
            for (i, &m) in order.iter().enumerate() {
                if i > 0 {
                    w.out.push(',');
                }
                let text = &members[m].text;
                w.out.push_str(&written[text.start - body..text.end - body]);
            }
            w.spare.push(written);
        }
        w.out.push('}');
        members.clear();
        w.members.push(members);
        Ok(())
    }
}

/// An array being written.
struct Array<'w> {
    w: &'w mut Writer,
    first: bool,
}

impl Array<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        if !std::mem::replace(&mut self.first, false) {
            self.w.out.push(',');
        }
        value.serialize(&mut *self.w)
    }

    fn finish(self) {
        self.w.out.push(']');
    }
}

impl Writer {
    fn number(&mut self, n: f64) -> Result<(), WriteError> {
        write_es_number(n, &mut self.out).map_err(WriteError::Jcs)
    }

    fn unsigned(&mut self, u: u64) -> Result<(), WriteError> {
        if u > MAX_SAFE_INTEGER {
            return Err(WriteError::Jcs(JcsError::UnsafeInteger(u.to_string())));
        }
        let _ = write!(self.out, "{u}");
        Ok(())
    }

    fn signed(&mut self, i: i64) -> Result<(), WriteError> {
        if i >= 0 {
            return self.unsigned(i as u64);
        }
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(WriteError::Jcs(JcsError::UnsafeInteger(i.to_string())));
        }
        let _ = write!(self.out, "{i}");
        Ok(())
    }

    fn object(&mut self) -> Object<'_> {
        let start = self.out.len();
        self.out.push('{');
        let members = self.members.pop().unwrap_or_default();
        Object {
            w: self,
            start,
            members,
            ordered: true,
            key: None,
        }
    }
}

impl<'w> serde::Serializer for &'w mut Writer {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Array<'w>;
    type SerializeTuple = Array<'w>;
    type SerializeTupleStruct = Array<'w>;
    type SerializeTupleVariant = serde::ser::Impossible<(), WriteError>;
    type SerializeMap = Object<'w>;
    type SerializeStruct = Object<'w>;
    type SerializeStructVariant = serde::ser::Impossible<(), WriteError>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), WriteError> {
        self.signed(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), WriteError> {
        self.signed(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), WriteError> {
        self.signed(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), WriteError> {
        self.signed(v)
    }
    fn serialize_i128(self, _: i128) -> Result<(), WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_u8(self, v: u8) -> Result<(), WriteError> {
        self.unsigned(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), WriteError> {
        self.unsigned(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), WriteError> {
        self.unsigned(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), WriteError> {
        self.unsigned(v)
    }
    fn serialize_u128(self, _: u128) -> Result<(), WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.number(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        self.number(v)
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        write_string(v.encode_utf8(&mut [0; 4]), &mut self.out);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        write_string(v, &mut self.out);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), WriteError> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        if name == RAW_VALUE_TOKEN {
            return Err(WriteError::Unsupported);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        let mut object = self.object();
        object.value(variant.into(), value)?;
        object.finish()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Array<'w>, WriteError> {
        self.out.push('[');
        Ok(Array {
            w: self,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'w>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array<'w>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'w>, WriteError> {
        Ok(self.object())
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Object<'w>, WriteError> {
        if name == RAW_VALUE_TOKEN {
            return Err(WriteError::Unsupported);
        }
        Ok(self.object())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, WriteError> {
        Err(WriteError::Unsupported)
    }
}

impl serde::ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.item(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish();
        Ok(())
    }
}

impl serde::ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.item(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish();
        Ok(())
    }
}

impl serde::ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.item(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish();
        Ok(())
    }
}

impl serde::ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        self.key = Some(key.serialize(KeyWriter)?.into());
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let key = self.key.take().ok_or(WriteError::Unsupported)?;
        self.value(key, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish()
    }
}

impl serde::ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.value(key.into(), value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish()
    }
}

/// Map keys: strings (and what serde passes through to one); anything else
/// takes the `Value` route.
struct KeyWriter;

impl serde::Serializer for KeyWriter {
    type Ok = String;
    type Error = WriteError;
    type SerializeSeq = serde::ser::Impossible<String, WriteError>;
    type SerializeTuple = serde::ser::Impossible<String, WriteError>;
    type SerializeTupleStruct = serde::ser::Impossible<String, WriteError>;
    type SerializeTupleVariant = serde::ser::Impossible<String, WriteError>;
    type SerializeMap = serde::ser::Impossible<String, WriteError>;
    type SerializeStruct = serde::ser::Impossible<String, WriteError>;
    type SerializeStructVariant = serde::ser::Impossible<String, WriteError>;

    fn serialize_str(self, v: &str) -> Result<String, WriteError> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, WriteError> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, WriteError> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<String, WriteError> {
        if name == RAW_VALUE_TOKEN {
            return Err(WriteError::Unsupported);
        }
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_i8(self, _: i8) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_i16(self, _: i16) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_i32(self, _: i32) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_i64(self, _: i64) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_u8(self, _: u8) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_u16(self, _: u16) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_u32(self, _: u32) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_u64(self, _: u64) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_f32(self, _: f32) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_f64(self, _: f64) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_none(self) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_unit(self) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, WriteError> {
        Err(WriteError::Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, WriteError> {
        Err(WriteError::Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jcs_of(text: &str) -> String {
        let v: Value = serde_json::from_str(text).unwrap();
        to_jcs(&v).unwrap()
    }

    /// RFC 8785 §3.2.2 (the example of the whole section).
    #[test]
    fn rfc8785_section_3_2_2_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            jcs_of(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    /// RFC 8785 §3.2.3: sorting by UTF-16 code units.
    #[test]
    fn rfc8785_sorting_example() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let out = jcs_of(input);
        let values: Vec<&str> = out
            .split("\":\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        assert_eq!(
            values,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh"
            ]
        );
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their serialisations.
    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            let f = f64::from_bits(*bits);
            assert_eq!(format_es_number(f).unwrap(), *expected, "{bits:#018x}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// A whole number under 2^53 prints as the digits the general
        /// path gives it.
        #[test]
        fn whole_numbers_print_as_the_general_path_prints_them(
            i in proptest::prop_oneof![-100_000i64..100_000, -(1i64 << 53) + 1..(1i64 << 53)],
        ) {
            let f = i as f64;
            proptest::prop_assume!(f != 0.0);
            let mut general = String::new();
            write_es_fraction(f, &mut general);
            proptest::prop_assert_eq!(format_es_number(f).unwrap(), general);
        }

        /// Keys compare as their UTF-16 code units do, ASCII or not.
        #[test]
        fn keys_order_by_utf16_code_units(a in "[a-c\u{e9}\u{1f600}_]{0,4}", b in "[a-c\u{e9}\u{1f600}_]{0,4}") {
            proptest::prop_assert_eq!(key_order(&a, &b), a.encode_utf16().cmp(b.encode_utf16()));
        }

        /// Every finite double prints as a number that parses back to itself.
        #[test]
        fn numbers_round_trip(bits in proptest::num::u64::ANY) {
            let f = f64::from_bits(bits);
            proptest::prop_assume!(f.is_finite());
            let s = format_es_number(f).unwrap();
            let back: f64 = s.parse().unwrap();
            proptest::prop_assert!(back == f, "{s} != {f:e}");
        }
    }

    #[test]
    fn non_finite_and_unsafe_numbers_are_refused() {
        assert_eq!(format_es_number(f64::NAN), Err(JcsError::NonFinite));
        assert_eq!(format_es_number(f64::INFINITY), Err(JcsError::NonFinite));
        assert!(matches!(
            to_jcs(&json!({ "n": u64::MAX })),
            Err(JcsError::UnsafeInteger(_))
        ));
        assert_eq!(
            to_jcs(&json!({ "n": 9007199254740992u64 })).unwrap(),
            r#"{"n":9007199254740992}"#
        );
    }

    /// The direct writer gives exactly what the `Value` route gives.
    #[test]
    fn the_direct_writer_matches_the_value_route() {
        #[derive(Serialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Plain,
            Wrapped(u32),
            Pair(u8, u8),
            Named { z: bool, a: Option<f64> },
        }
        #[derive(Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Tagged {
            One { value: f64 },
            Two,
        }
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct Newtype(String);
        #[derive(Serialize)]
        struct Record {
            zeta: &'static str,
            alpha: Option<f64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<u8>,
            numbers: Vec<f64>,
            small: f32,
            negative: i64,
            letter: char,
            pair: (u8, String),
            unit: Unit,
            nothing: (),
            newtype: Newtype,
            kinds: Vec<Kind>,
            tagged: Vec<Tagged>,
            map: std::collections::BTreeMap<String, f64>,
            value: Value,
        }
        let map = [
            "\u{20ac}",
            "\r",
            "\u{fb33}",
            "1",
            "\u{1f600}",
            "\u{80}",
            "\u{f6}",
            "",
        ]
        .iter()
        .enumerate()
        .map(|(i, k)| (k.to_string(), i as f64 / 3.0))
        .collect();
        let record = Record {
            zeta: "quote \" backslash \\ control \u{1} tab \t",
            alpha: None,
            skipped: None,
            numbers: vec![0.0, -0.0, 1e21, 1e-7, 333333333.3333333, 5e-324],
            small: 0.1,
            negative: -(1 << 53),
            letter: '\u{1f600}',
            pair: (7, "x".into()),
            unit: Unit,
            nothing: (),
            newtype: Newtype("n".into()),
            kinds: vec![Kind::Plain, Kind::Wrapped(3)],
            tagged: vec![Tagged::One { value: 0.25 }, Tagged::Two],
            map,
            value: serde_json::from_str(
                r#"{"b": [1, 2.50, "x", null, {"d": {}, "c": []}], "a": -3, "\u00e9": true}"#,
            )
            .unwrap(),
        };
        let mut writer = Writer::default();
        record.serialize(&mut writer).expect("written directly");
        assert_eq!(Ok(writer.out), to_jcs_via_value(&record));
        // What the writer leaves to the `Value` route.
        let variants = [
            Kind::Pair(1, 2),
            Kind::Named {
                z: true,
                a: Some(2.5),
            },
        ];
        assert_eq!(to_jcs(&variants), to_jcs_via_value(&variants));
        assert_eq!(
            to_jcs(&json!({ "n": 9007199254740993u64 })),
            to_jcs_via_value(&json!({ "n": 9007199254740993u64 }))
        );
        assert_eq!(to_jcs(&[u128::MAX]), to_jcs_via_value(&[u128::MAX]));
        let by_number: std::collections::BTreeMap<u32, bool> = [(10, true), (9, false)].into();
        assert_eq!(to_jcs(&by_number), to_jcs_via_value(&by_number));
    }

    /// A case the property below once shrank to: integers beyond 2^53 in
    /// an object with non-ASCII keys (both routes must refuse it alike).
    #[test]
    fn the_direct_writer_matches_on_large_integers_under_non_ascii_keys() {
        let value = json!({ "\u{e000}": -9007199254740993i64, "\u{10000}": 9007199254740993u64 });
        let mut writer = Writer::default();
        let direct = value.serialize(&mut writer).map(|()| writer.out);
        match (direct, to_jcs_via_value(&value)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(WriteError::Jcs(_)), Err(_)) => {}
            (a, b) => panic!("{a:?} vs {b:?}"),
        }
    }

    proptest::proptest! {
        // Failures are turned into named tests like the one above, not
        // kept in a regressions file outside the crate's layout.
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Arbitrary JSON documents: the direct writer and the `Value`
        /// route agree.
        #[test]
        fn the_direct_writer_matches_on_any_document(value in arbitrary_json()) {
            let mut writer = Writer::default();
            let direct = value.serialize(&mut writer).map(|()| writer.out);
            match (direct, to_jcs_via_value(&value)) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b),
                (Err(WriteError::Jcs(_)), Err(_)) => {}
                (a, b) => proptest::prop_assert!(false, "{a:?} vs {b:?}"),
            }
        }
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|u| json!(u)),
            any::<f64>().prop_map(|f| json!(f)),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(".{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn non_finite_numbers_are_refused_not_written_as_null() {
        #[derive(Serialize)]
        struct Metrics {
            cost: f64,
        }
        for cost in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(to_jcs(&Metrics { cost }), Err(JcsError::NonFinite));
            assert_eq!(to_jcs(&[cost]), Err(JcsError::NonFinite));
        }
        assert_eq!(to_jcs(&Metrics { cost: 0.5 }).unwrap(), r#"{"cost":0.5}"#);
    }

    #[test]
    fn exact_digit_counts() {
        assert_eq!(exact_significant_digits(0.5), Some(1));
        assert_eq!(exact_significant_digits(1200.0), Some(2));
        assert_eq!(exact_significant_digits(2.5e-3), Some(u32::MAX)); // not a dyadic fraction
        assert_eq!(exact_significant_digits(0.375), Some(3));
        assert_eq!(exact_significant_digits(9007199254740993.0), Some(16));
        assert_eq!(exact_significant_digits(2f64.powi(70)), None);
        assert_eq!(exact_significant_digits(5e-324), Some(u32::MAX));
    }

    #[test]
    fn hash_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": [1.0, "x"]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":[1,"x"],"b":1}"#).unwrap();
        assert_eq!(to_jcs(&a).unwrap(), to_jcs(&b).unwrap());
        assert_eq!(to_jcs(&a).unwrap(), r#"{"a":[1,"x"],"b":1}"#);
    }
}
