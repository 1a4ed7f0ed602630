//! The canonical payload (SPEC §8): one request body that caio translates
//! for whichever provider wins, so failover across providers works.
//!
//! ```json
//! { "system": "You are terse.",
//!   "messages": [ { "role": "user", "content": "Summarise …" } ],
//!   "max_tokens": 400, "temperature": 0.2, "top_p": 1.0, "stop": ["\n\n"] }
//! ```
//!
//! or, for embeddings, `{ "input": ["…", "…"] }`. Unknown keys are refused
//! (never dropped), with a suggestion; `null` means absent.

use serde::Serialize;

/// The keys a canonical payload may hold.
pub const KEYS: &[&str] = &[
    "system",
    "messages",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "input",
];

/// Who said a message. The system prompt goes in `system`, never here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The caller.
    User,
    /// The model, in an earlier turn.
    Assistant,
}

impl Role {
    /// `user` or `assistant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: String,
}

/// A canonical payload, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Payload {
    /// The system prompt.
    pub system: Option<String>,
    /// The conversation, oldest first (chat).
    pub messages: Vec<Message>,
    /// The most output tokens to generate.
    pub max_tokens: Option<u64>,
    /// Sampling temperature in [0, 2].
    pub temperature: Option<f64>,
    /// Nucleus sampling in [0, 1].
    pub top_p: Option<f64>,
    /// Stop sequences.
    pub stop: Vec<String>,
    /// Texts to embed (embeddings).
    pub input: Vec<String>,
    /// The keys present (not null), in [`KEYS`] order: what a protocol
    /// that cannot carry one of them names.
    pub present: Vec<&'static str>,
}

/// A payload that is not canonical: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    /// The JSON path of the problem, e.g. `payload.messages[0].role`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn err(
    path: impl Into<String>,
    message: impl Into<String>,
    help: impl Into<String>,
) -> PayloadError {
    PayloadError {
        path: path.into(),
        message: message.into(),
        help: help.into(),
    }
}

const SHAPE_HELP: &str = "a canonical payload is {\"system\", \"messages\": [{\"role\", \"content\"}], \"max_tokens\", \"temperature\", \"top_p\", \"stop\"} for chat, or {\"input\": [...]} for embeddings";

impl Payload {
    /// Reads a request's `payload` (absent or `null`: an empty payload).
    pub fn parse(value: Option<&serde_json::Value>) -> Result<Payload, PayloadError> {
        use serde_json::Value;
        let mut out = Payload::default();
        let map = match value {
            None | Some(Value::Null) => return Ok(out),
            Some(Value::Object(map)) => map,
            Some(_) => {
                return Err(err(
                    "payload",
                    "a provider protocol needs a JSON object as the payload",
                    SHAPE_HELP,
                ));
            }
        };
        for key in map.keys() {
            if !KEYS.contains(&key.as_str()) {
                let suggestion = KEYS
                    .iter()
                    .map(|k| (strsim::jaro_winkler(k, key), *k))
                    .filter(|(score, _)| *score > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, k)| format!("did you mean `{k}`? "))
                    .unwrap_or_default();
                return Err(err(
                    format!("payload.{key}"),
                    format!("unknown key `{key}`: caio would have to drop it"),
                    format!("{suggestion}{SHAPE_HELP}"),
                ));
            }
        }
        let get = |k: &str| map.get(k).filter(|v| !v.is_null());
        for key in KEYS {
            if get(key).is_some() {
                out.present.push(key);
            }
        }
        if let Some(v) = get("system") {
            out.system = Some(string(v, "payload.system")?);
        }
        if let Some(v) = get("messages") {
            let Value::Array(items) = v else {
                return Err(err(
                    "payload.messages",
                    "must be a list of {\"role\", \"content\"} objects",
                    SHAPE_HELP,
                ));
            };
            for (i, item) in items.iter().enumerate() {
                out.messages.push(message(item, i)?);
            }
        }
        if let Some(v) = get("max_tokens") {
            out.max_tokens = Some(v.as_u64().filter(|n| *n >= 1).ok_or_else(|| {
                err(
                    "payload.max_tokens",
                    "must be a whole number of at least 1",
                    "e.g. \"max_tokens\": 400",
                )
            })?);
        }
        if let Some(v) = get("temperature") {
            out.temperature = Some(number(v, "payload.temperature", 2.0)?);
        }
        if let Some(v) = get("top_p") {
            out.top_p = Some(number(v, "payload.top_p", 1.0)?);
        }
        if let Some(v) = get("stop") {
            out.stop = strings(v, "payload.stop")?;
        }
        if let Some(v) = get("input") {
            out.input = strings(v, "payload.input")?;
            if out.input.is_empty() {
                return Err(err(
                    "payload.input",
                    "is empty: there is nothing to embed",
                    "give one text or a list of texts",
                ));
            }
        }
        Ok(out)
    }

    /// Whether the payload holds `key`.
    pub fn has(&self, key: &str) -> bool {
        self.present.contains(&key)
    }
}

fn message(item: &serde_json::Value, i: usize) -> Result<Message, PayloadError> {
    let path = format!("payload.messages[{i}]");
    let Some(map) = item.as_object() else {
        return Err(err(
            path,
            "must be an object {\"role\", \"content\"}",
            SHAPE_HELP,
        ));
    };
    if let Some(key) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "role" | "content"))
    {
        return Err(err(
            format!("{path}.{key}"),
            format!("unknown key `{key}`: a message has only `role` and `content`"),
            SHAPE_HELP,
        ));
    }
    let role = match map.get("role").and_then(serde_json::Value::as_str) {
        Some("user") => Role::User,
        Some("assistant") => Role::Assistant,
        Some("system") => {
            return Err(err(
                format!("{path}.role"),
                "`system` is not a message role here",
                "put the system prompt in the payload's `system`: caio sends it the way each provider wants it",
            ));
        }
        Some(other) => {
            return Err(err(
                format!("{path}.role"),
                format!("unknown role `{other}`"),
                "a message's role is `user` or `assistant`",
            ));
        }
        None => {
            return Err(err(
                format!("{path}.role"),
                "is missing or not a string",
                "a message's role is `user` or `assistant`",
            ));
        }
    };
    let content = match map.get("content") {
        Some(v) => string(v, &format!("{path}.content"))?,
        None => {
            return Err(err(
                format!("{path}.content"),
                "is missing",
                "give the message's text as `content`",
            ));
        }
    };
    Ok(Message { role, content })
}

fn string(v: &serde_json::Value, path: &str) -> Result<String, PayloadError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| err(path, "must be a string", SHAPE_HELP))
}

fn strings(v: &serde_json::Value, path: &str) -> Result<Vec<String>, PayloadError> {
    match v {
        serde_json::Value::String(s) => Ok(vec![s.clone()]),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| string(item, &format!("{path}[{i}]")))
            .collect(),
        _ => Err(err(
            path,
            "must be a string or a list of strings",
            SHAPE_HELP,
        )),
    }
}

fn number(v: &serde_json::Value, path: &str, max: f64) -> Result<f64, PayloadError> {
    v.as_f64()
        .filter(|x| x.is_finite() && (0.0..=max).contains(x))
        .ok_or_else(|| {
            err(
                path,
                format!("must be a number from 0 to {max}"),
                SHAPE_HELP,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<Payload, PayloadError> {
        Payload::parse(Some(&v))
    }

    #[test]
    fn a_chat_payload_reads_every_key() {
        let p = parse(json!({
            "system": "You are terse.",
            "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
            "max_tokens": 400, "temperature": 0.2, "top_p": 1.0, "stop": "\n\n"
        }))
        .unwrap();
        assert_eq!(p.system.as_deref(), Some("You are terse."));
        assert_eq!(p.messages.len(), 2);
        assert_eq!(p.messages[1].role, Role::Assistant);
        assert_eq!(p.max_tokens, Some(400));
        assert_eq!(p.stop, ["\n\n"]);
        assert_eq!(
            p.present,
            [
                "system",
                "messages",
                "max_tokens",
                "temperature",
                "top_p",
                "stop"
            ]
        );
    }

    #[test]
    fn nulls_are_absent_and_no_payload_is_empty() {
        let p =
            parse(json!({"messages": [{"role": "user", "content": "hi"}], "stop": null})).unwrap();
        assert!(p.stop.is_empty());
        assert!(!p.has("stop"));
        assert_eq!(Payload::parse(None).unwrap(), Payload::default());
    }

    #[test]
    fn unknown_keys_are_refused_with_a_suggestion() {
        let e = parse(json!({"messages": [], "max_token": 5})).unwrap_err();
        assert_eq!(e.path, "payload.max_token");
        assert!(e.help.contains("did you mean `max_tokens`"), "{e:?}");
        let e = parse(json!({"messages": [{"role": "user", "content": "x", "name": "a"}]}))
            .unwrap_err();
        assert_eq!(e.path, "payload.messages[0].name");
    }

    #[test]
    fn a_system_message_is_pointed_at_system() {
        let e = parse(json!({"messages": [{"role": "system", "content": "x"}]})).unwrap_err();
        assert_eq!(e.path, "payload.messages[0].role");
        assert!(e.help.contains("`system`"));
        let e = parse(json!({"messages": [{"role": "tool", "content": "x"}]})).unwrap_err();
        assert!(e.message.contains("tool"));
    }

    #[test]
    fn values_are_checked() {
        assert!(parse(json!({"max_tokens": 0})).is_err());
        assert!(parse(json!({"max_tokens": 1.5})).is_err());
        assert!(parse(json!({"temperature": 3})).is_err());
        assert!(parse(json!({"top_p": -0.1})).is_err());
        assert!(parse(json!({"input": []})).is_err());
        assert!(parse(json!("text")).is_err());
        assert_eq!(parse(json!({"input": "one"})).unwrap().input, ["one"]);
    }
}
