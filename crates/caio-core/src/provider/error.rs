//! A provider's error message (SPEC §8): OpenAI's `{"error": {"message",
//! "type", "code"}}`, Anthropic's `{"type": "error", "error": {"type",
//! "message"}}`, the `detail` or `message` of other servers, or a short
//! plain-text body — shown to the user and written to the trace, so it is
//! made safe first: anything shaped like a key masked, control characters
//! escaped, at most [`MAX_MESSAGE_BYTES`] bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest message kept, in bytes (an ellipsis included).
pub const MAX_MESSAGE_BYTES: usize = 500;

/// What a provider said went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderError {
    /// The provider's message, made safe.
    pub message: String,
    /// Its error type, e.g. `invalid_request_error`, `rate_limit_error`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    /// Its error code, e.g. `model_not_found`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match (&self.kind, &self.code) {
            (Some(k), Some(c)) => write!(f, " ({k}, {c})"),
            (Some(x), None) | (None, Some(x)) => write!(f, " ({x})"),
            (None, None) => Ok(()),
        }
    }
}

/// The error a response body carries, if any can be read from it.
pub fn from_body(body: &[u8]) -> Option<ProviderError> {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        return from_json(&value);
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() || text.starts_with('<') {
        // An HTML error page says nothing a person can use in one line.
        return None;
    }
    Some(ProviderError {
        message: sanitize(text),
        kind: None,
        code: None,
    })
}

/// The error of a JSON value: an error envelope, or a `detail`/`message`.
pub fn from_json(value: &Value) -> Option<ProviderError> {
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.is_empty() => Some(sanitize(s)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    match value.get("error") {
        Some(e @ Value::Object(_)) => Some(ProviderError {
            message: text(e.get("message")).unwrap_or_else(|| "(no message)".into()),
            kind: text(e.get("type")),
            code: text(e.get("code")),
        }),
        Some(Value::String(s)) => Some(ProviderError {
            message: sanitize(s),
            kind: None,
            code: None,
        }),
        _ => {
            let message = text(value.get("detail")).or_else(|| text(value.get("message")))?;
            Some(ProviderError {
                message,
                kind: text(value.get("type")),
                code: text(value.get("code")),
            })
        }
    }
}

/// Key-shaped words masked, control characters escaped, at most
/// [`MAX_MESSAGE_BYTES`] bytes.
pub fn sanitize(text: &str) -> String {
    let masked = mask_keys(text);
    let mut out = String::with_capacity(masked.len().min(MAX_MESSAGE_BYTES));
    for c in masked.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    truncate(out, MAX_MESSAGE_BYTES)
}

/// `text` cut at a character boundary so that, with `…`, it fits `max` bytes.
pub fn truncate(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
    text
}

/// Prefixes of credentials: API keys of common providers, caio's tokens, JWTs.
const KEY_PREFIXES: &[&str] = &[
    "sk-",
    "sk_",
    "pk_",
    "rk_",
    "caio_",
    "ghp_",
    "gho_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "AKIA",
    "AIza",
    "hf_",
    "eyJ",
    "gsk_",
    "key-",
];

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '=' | '*')
}

/// Every word shaped like a credential replaced: a known key prefix
/// followed by at least 8 more characters keeps its prefix (`sk-****`);
/// the word after `Bearer`, and any run of 32 or more key characters
/// mixing letters and digits, become `****`.
pub fn mask_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_bearer = false;
    while !rest.is_empty() {
        let start = rest.find(is_key_char).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.is_empty() {
            break;
        }
        let end = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
        // A sentence's full stop is not part of the key.
        let word = rest[..end].trim_end_matches('.');
        let end = word.len().max(1).min(end);
        let word = &rest[..end];
        rest = &rest[end..];
        let prefix = KEY_PREFIXES
            .iter()
            .find(|p| word.starts_with(**p) && word.len() >= p.len() + 8);
        let long = word.len() >= 32
            && word.chars().any(|c| c.is_ascii_digit())
            && word.chars().any(|c| c.is_ascii_alphabetic());
        if let Some(p) = prefix {
            out.push_str(p);
            out.push_str("****");
        } else if long || (after_bearer && word.len() >= 8) {
            out.push_str("****");
        } else {
            out.push_str(word);
        }
        after_bearer = word.eq_ignore_ascii_case("bearer");
    }
    out
}

/// Every occurrence of each of `values` (the secrets a call sent: a
/// provider may echo a key of any shape) replaced by `****`; values
/// shorter than 4 bytes are left alone (they would mask ordinary words).
pub fn mask_values(text: &str, values: &[&str]) -> String {
    let mut out = text.to_string();
    for v in values.iter().filter(|v| v.len() >= 4) {
        if out.contains(*v) {
            out = out.replace(*v, "****");
        }
    }
    out
}

impl ProviderError {
    /// This error with `values` masked (see [`mask_values`]).
    pub fn masking(self, values: &[&str]) -> ProviderError {
        ProviderError {
            message: mask_values(&self.message, values),
            kind: self.kind.map(|k| mask_values(&k, values)),
            code: self.code.map(|c| mask_values(&c, values)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secrets_sent_are_masked_whatever_their_shape() {
        let e = ProviderError {
            message: "invalid key 'letmein-2026' for this project".into(),
            kind: Some("auth letmein-2026".into()),
            code: None,
        }
        .masking(&["letmein-2026", "abc"]);
        assert_eq!(e.message, "invalid key '****' for this project");
        assert_eq!(e.kind.as_deref(), Some("auth ****"));
        assert_eq!(mask_values("abc abcd", &["abc"]), "abc abcd", "too short");
    }

    #[test]
    fn openai_and_anthropic_envelopes() {
        let e = from_body(br#"{"error":{"message":"model not found","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#).unwrap();
        assert_eq!(e.message, "model not found");
        assert_eq!(e.kind.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.code.as_deref(), Some("model_not_found"));
        assert_eq!(
            e.to_string(),
            "model not found (invalid_request_error, model_not_found)"
        );
        let e = from_body(
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
        .unwrap();
        assert_eq!(e.to_string(), "Overloaded (overloaded_error)");
        let e = from_body(br#"{"detail":"Not Found"}"#).unwrap();
        assert_eq!(e.message, "Not Found");
        assert_eq!(from_body(b"busy").unwrap().message, "busy");
        assert_eq!(from_body(b"<html><body>502</body></html>"), None);
        assert_eq!(from_body(b"{\"ok\":true}"), None);
        assert_eq!(from_body(b""), None);
    }

    #[test]
    fn keys_are_masked() {
        let e = from_body(br#"{"error":{"message":"Incorrect API key provided: sk-proj-abcdEFGH1234. Find your key at https://platform.openai.com","type":"invalid_request_error","code":"invalid_api_key"}}"#).unwrap();
        assert!(e.message.contains("sk-****."), "{}", e.message);
        assert!(!e.message.contains("abcdEFGH"), "{}", e.message);
        assert!(e.message.contains("https://platform.openai.com"));
        assert_eq!(mask_keys("token caio_0123456789abcdef"), "token caio_****");
        assert_eq!(
            mask_keys("Authorization: Bearer abc.def.ghi-123"),
            "Authorization: Bearer ****"
        );
        assert_eq!(
            mask_keys("id 0123456789abcdef0123456789abcdef0 ok"),
            "id **** ok"
        );
        assert_eq!(
            mask_keys("max_tokens: Field required"),
            "max_tokens: Field required"
        );
        assert_eq!(mask_keys("sk-x is short"), "sk-x is short");
    }

    #[test]
    fn control_characters_are_escaped_and_long_messages_cut() {
        assert_eq!(sanitize("a\nb\x1b[31mc"), "a\\nb\\u{1b}[31mc");
        let long = "é".repeat(400);
        let cut = sanitize(&long);
        assert!(cut.len() <= MAX_MESSAGE_BYTES, "{}", cut.len());
        assert!(cut.ends_with('…'));
    }
}
