//! The canonical payload → one protocol's request body (SPEC §8):
//!
//! - `openai-chat` → `{"model", "messages" (system first), "max_tokens",
//!   "temperature", "top_p", "stop", "stream"}` (and `stream_options` with
//!   `include_usage` when streaming, so a stream reports its tokens);
//! - `anthropic-messages` → `{"model", "system", "messages", "max_tokens"
//!   (required: the payload's, else `input.expected_output_tokens`, else
//!   1024), "temperature", "top_p", "stop_sequences", "stream"}`;
//! - `openai-embeddings` → `{"model", "input": [...]}`;
//! - `openai-transcription` → form fields `model` and `language` (the
//!   gateway adds the file part).
//!
//! A payload the protocol cannot carry is refused here, before any network
//! call: nothing is silently dropped.

use super::payload::Payload;
use crate::contract::Protocol;
use serde_json::{Map, Value, json};

/// `max_tokens` for Anthropic when neither the payload nor the request says.
pub const DEFAULT_ANTHROPIC_MAX_TOKENS: u64 = 1024;

/// What the request says beyond the payload.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// `input.expected_output_tokens` (0: not said).
    pub expected_output_tokens: u64,
    /// `input.language` (ISO 639-1).
    pub language: Option<&'a str>,
    /// Whether the answer is streamed (`--stream`).
    pub stream: bool,
}

/// A request body for one protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A JSON document.
    Json(Value),
    /// `multipart/form-data` text fields; the gateway adds the file.
    Form(Vec<(String, String)>),
}

/// Why a protocol cannot carry a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The protocol.
    pub protocol: Protocol,
    /// Why, for people.
    pub reason: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cannot carry this payload: {}",
            self.protocol.as_str(),
            self.reason
        )
    }
}

fn refuse(protocol: Protocol, payload: &Payload, allowed: &[&str]) -> Result<(), Unsupported> {
    let extra: Vec<String> = payload
        .present
        .iter()
        .filter(|k| !allowed.contains(k))
        .map(|k| format!("`{k}`"))
        .collect();
    if extra.is_empty() {
        return Ok(());
    }
    let what = match protocol {
        Protocol::OpenaiEmbeddings => "an embeddings request takes only `input`",
        Protocol::OpenaiTranscription => {
            "a transcription takes the audio from --input-file and no payload"
        }
        _ => "a chat request takes system, messages, max_tokens, temperature, top_p and stop",
    };
    Err(Unsupported {
        protocol,
        reason: format!("the payload has {}; {what}", extra.join(", ")),
    })
}

const CHAT_KEYS: &[&str] = &[
    "system",
    "messages",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
];

/// The body of `protocol` for `payload`, naming `model`. `http` is not a
/// provider protocol: its payload is sent as it is, never translated.
pub fn body(
    protocol: Protocol,
    model: &str,
    payload: &Payload,
    hints: Hints<'_>,
) -> Result<Body, Unsupported> {
    let need_messages = || -> Result<(), Unsupported> {
        if payload.messages.is_empty() {
            return Err(Unsupported {
                protocol,
                reason: "the payload has no `messages`: a chat request needs at least one".into(),
            });
        }
        Ok(())
    };
    match protocol {
        Protocol::Http => Err(Unsupported {
            protocol,
            reason: "an http endpoint gets the payload unchanged".into(),
        }),
        Protocol::OpenaiChat => {
            refuse(protocol, payload, CHAT_KEYS)?;
            need_messages()?;
            let mut messages = Vec::with_capacity(payload.messages.len() + 1);
            if let Some(system) = &payload.system {
                messages.push(json!({"role": "system", "content": system}));
            }
            for m in &payload.messages {
                messages.push(json!({"role": m.role.as_str(), "content": m.content}));
            }
            let mut b = Map::new();
            b.insert("model".into(), json!(model));
            b.insert("messages".into(), Value::Array(messages));
            sampling(&mut b, payload, payload.max_tokens);
            if !payload.stop.is_empty() {
                b.insert("stop".into(), json!(payload.stop));
            }
            if hints.stream {
                b.insert("stream".into(), json!(true));
                b.insert("stream_options".into(), json!({"include_usage": true}));
            }
            Ok(Body::Json(Value::Object(b)))
        }
        Protocol::AnthropicMessages => {
            refuse(protocol, payload, CHAT_KEYS)?;
            need_messages()?;
            let messages: Vec<Value> = payload
                .messages
                .iter()
                .map(|m| json!({"role": m.role.as_str(), "content": m.content}))
                .collect();
            let max_tokens = payload
                .max_tokens
                .unwrap_or(if hints.expected_output_tokens > 0 {
                    hints.expected_output_tokens
                } else {
                    DEFAULT_ANTHROPIC_MAX_TOKENS
                });
            let mut b = Map::new();
            b.insert("model".into(), json!(model));
            if let Some(system) = &payload.system {
                b.insert("system".into(), json!(system));
            }
            b.insert("messages".into(), Value::Array(messages));
            sampling(&mut b, payload, Some(max_tokens));
            if !payload.stop.is_empty() {
                b.insert("stop_sequences".into(), json!(payload.stop));
            }
            if hints.stream {
                b.insert("stream".into(), json!(true));
            }
            Ok(Body::Json(Value::Object(b)))
        }
        Protocol::OpenaiEmbeddings => {
            refuse(protocol, payload, &["input"])?;
            if payload.input.is_empty() {
                return Err(Unsupported {
                    protocol,
                    reason:
                        "the payload has no `input`: an embeddings request needs the texts to embed"
                            .into(),
                });
            }
            Ok(Body::Json(json!({"model": model, "input": payload.input})))
        }
        Protocol::OpenaiTranscription => {
            refuse(protocol, payload, &[])?;
            let mut fields = vec![("model".to_string(), model.to_string())];
            if let Some(language) = hints.language {
                fields.push(("language".to_string(), language.to_string()));
            }
            Ok(Body::Form(fields))
        }
    }
}

fn sampling(b: &mut Map<String, Value>, payload: &Payload, max_tokens: Option<u64>) {
    if let Some(n) = max_tokens {
        b.insert("max_tokens".into(), json!(n));
    }
    if let Some(t) = payload.temperature {
        b.insert("temperature".into(), json!(t));
    }
    if let Some(p) = payload.top_p {
        b.insert("top_p".into(), json!(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(v: Value) -> Payload {
        Payload::parse(Some(&v)).unwrap()
    }

    fn json_body(b: Body) -> Value {
        match b {
            Body::Json(v) => v,
            Body::Form(f) => panic!("form {f:?}"),
        }
    }

    fn chat() -> Payload {
        payload(json!({
            "system": "be terse", "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 50, "temperature": 0.2, "top_p": 1.0, "stop": ["\n\n"]
        }))
    }

    #[test]
    fn openai_chat_puts_the_system_prompt_first() {
        let b = json_body(
            body(
                Protocol::OpenaiChat,
                "gpt-4o-mini",
                &chat(),
                Hints::default(),
            )
            .unwrap(),
        );
        assert_eq!(
            b,
            json!({"model": "gpt-4o-mini", "messages": [
                {"role": "system", "content": "be terse"}, {"role": "user", "content": "hello"}],
                "max_tokens": 50, "temperature": 0.2, "top_p": 1.0, "stop": ["\n\n"]})
        );
        let streamed = Hints {
            stream: true,
            ..Hints::default()
        };
        let b = json_body(body(Protocol::OpenaiChat, "m", &chat(), streamed).unwrap());
        assert_eq!(b["stream"], true);
        assert_eq!(b["stream_options"]["include_usage"], true);
    }

    #[test]
    fn anthropic_has_a_top_level_system_stop_sequences_and_always_max_tokens() {
        let b = json_body(
            body(
                Protocol::AnthropicMessages,
                "claude-3-5-haiku-latest",
                &chat(),
                Hints::default(),
            )
            .unwrap(),
        );
        assert_eq!(
            b,
            json!({"model": "claude-3-5-haiku-latest", "system": "be terse",
                   "messages": [{"role": "user", "content": "hello"}], "max_tokens": 50,
                   "temperature": 0.2, "top_p": 1.0, "stop_sequences": ["\n\n"]})
        );
        let bare = payload(json!({"messages": [{"role": "user", "content": "x"}]}));
        let hinted = Hints {
            expected_output_tokens: 300,
            ..Hints::default()
        };
        let b = json_body(body(Protocol::AnthropicMessages, "m", &bare, hinted).unwrap());
        assert_eq!(b["max_tokens"], 300);
        let b = json_body(body(Protocol::AnthropicMessages, "m", &bare, Hints::default()).unwrap());
        assert_eq!(b["max_tokens"], DEFAULT_ANTHROPIC_MAX_TOKENS);
        assert!(b.get("system").is_none());
    }

    #[test]
    fn embeddings_carry_only_input() {
        let p = payload(json!({"input": ["a", "b"]}));
        let b = json_body(
            body(
                Protocol::OpenaiEmbeddings,
                "text-embedding-3-small",
                &p,
                Hints::default(),
            )
            .unwrap(),
        );
        assert_eq!(
            b,
            json!({"model": "text-embedding-3-small", "input": ["a", "b"]})
        );
        let e = body(Protocol::OpenaiEmbeddings, "m", &chat(), Hints::default()).unwrap_err();
        assert!(e.reason.contains("`messages`"), "{e}");
        let e = body(Protocol::OpenaiChat, "m", &p, Hints::default()).unwrap_err();
        assert!(e.reason.contains("`input`"), "{e}");
    }

    #[test]
    fn chat_needs_messages_and_transcription_needs_no_payload() {
        let e = body(
            Protocol::OpenaiChat,
            "m",
            &Payload::default(),
            Hints::default(),
        )
        .unwrap_err();
        assert!(e.reason.contains("no `messages`"));
        let hinted = Hints {
            language: Some("de"),
            ..Hints::default()
        };
        assert_eq!(
            body(
                Protocol::OpenaiTranscription,
                "whisper-1",
                &Payload::default(),
                hinted
            )
            .unwrap(),
            Body::Form(vec![
                ("model".into(), "whisper-1".into()),
                ("language".into(), "de".into())
            ])
        );
        assert!(body(Protocol::OpenaiTranscription, "w", &chat(), hinted).is_err());
    }
}
