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
    #[error("a number is not finite (NaN or infinity has no JSON form)")]
    NonFinite,
    #[error("integer {0} is outside the range JSON numbers represent exactly (±2^53)")]
    UnsafeInteger(String),
    #[error("value cannot be represented as JSON: {0}")]
    Serialize(String),
}

/// The canonical JSON text of any serialisable value.
pub fn to_jcs<T: Serialize + ?Sized>(value: &T) -> Result<String, JcsError> {
    let value = serde_json::to_value(value).map_err(|e| JcsError::Serialize(e.to_string()))?;
    let mut out = String::new();
    write_value(&value, &mut out)?;
    Ok(out)
}

/// `BLAKE3(jcs(value))`: the content address of a value.
pub fn content_hash<T: Serialize + ?Sized>(value: &T) -> Result<blake3::Hash, JcsError> {
    Ok(blake3::hash(to_jcs(value)?.as_bytes()))
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
    out.push_str(&format_es_number(f)?);
    Ok(())
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
    if !f.is_finite() {
        return Err(JcsError::NonFinite);
    }
    if f == 0.0 {
        return Ok("0".into()); // also -0
    }
    // Rust's `{:e}` prints the shortest digits that round-trip: d.ddde±x.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = even_on_tie(
        f.abs(),
        mantissa.chars().filter(|c| *c != '.').collect(),
        exp,
    );
    let k = digits.len() as i32;
    let n = exp + 1; // the decimal point sits after `n` digits
    let mut s = String::new();
    if f < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let e = n - 1;
        let _ = write!(s, "e{}{}", if e >= 0 { "+" } else { "-" }, e.abs());
    }
    Ok(s)
}

/// ECMAScript picks, among the shortest digit strings that round-trip, the one
/// closest to the exact value, and the even one on a tie; Rust's formatter can
/// pick the odd one. A tie means the exact decimal expansion of `x` continues
/// after the shortest digits with exactly `5` then zeros.
fn even_on_tie(x: f64, digits: String, exp: i32) -> String {
    let k = digits.len();
    // Cheap filter first: a tie needs the exact digits after the shortest
    // ones to start with `500`, so the correctly rounded (k + 3)-digit form
    // must show them too. Almost every number stops here.
    let probe = format!("{:.*e}", k + 2, x);
    let probe_digits: Vec<u8> = probe
        .split('e')
        .next()
        .unwrap_or("")
        .bytes()
        .filter(|c| *c != b'.')
        .collect();
    if probe_digits.get(k..k + 3) != Some(b"500".as_slice()) {
        return digits;
    }
    // Rust prints the exact decimal expansion when asked for enough digits;
    // 767 significant digits cover every double.
    let exact = format!("{:.766e}", x);
    let Some((mantissa, exact_exp)) = exact.split_once('e') else {
        return digits;
    };
    if exact_exp.parse::<i32>().ok() != Some(exp) {
        return digits;
    }
    let exact_digits: Vec<u8> = mantissa.bytes().filter(|c| *c != b'.').collect();
    let tie =
        exact_digits.get(k) == Some(&b'5') && exact_digits[k + 1..].iter().all(|c| *c == b'0');
    if !tie {
        return digits;
    }
    let low = String::from_utf8_lossy(&exact_digits[..k]).into_owned();
    let Some(high) = increment(&low) else {
        return digits;
    };
    let even = if low.ends_with(['0', '2', '4', '6', '8']) {
        low
    } else {
        high
    };
    // Keep the choice only if it still round-trips.
    let candidate = format!("0.{even}e{}", exp + 1);
    if candidate.parse::<f64>().ok() == Some(x) {
        even
    } else {
        digits
    }
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
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
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

    #[test]
    fn hash_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": [1.0, "x"]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":[1,"x"],"b":1}"#).unwrap();
        assert_eq!(content_hash(&a).unwrap(), content_hash(&b).unwrap());
        assert_eq!(to_jcs(&a).unwrap(), r#"{"a":[1,"x"],"b":1}"#);
    }
}
