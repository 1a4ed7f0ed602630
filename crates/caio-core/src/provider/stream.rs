//! Streamed chat answers (SPEC §8, `--stream`): the server-sent events of
//! `openai-chat` and `anthropic-messages`, one at a time, folded into text
//! deltas and, at the end, the same [`Completion`] a whole response gives.
//!
//! The gateway frames the events (`event:` and `data:` lines); this fold
//! reads their JSON:
//!
//! - OpenAI: `choices[0].delta.content` deltas, `finish_reason`, a final
//!   chunk with `usage` (asked for with `stream_options.include_usage`),
//!   then `data: [DONE]`;
//! - Anthropic: `message_start` (model, input tokens),
//!   `content_block_delta` with `text_delta`s, `message_delta` (stop
//!   reason, output tokens), `message_stop`; `ping` is ignored and `error`
//!   is the provider's error.
//!
//! A stream is complete once its end marker (or a finish reason) came; one
//! that stops before is cut, and the gateway says so.

use super::response::{anthropic_usage, openai_usage};
use super::{Completion, FinishReason, ProviderError, Usage, error};
use crate::contract::Protocol;
use serde_json::Value;

/// Why an event ends the stream badly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamError {
    /// The event is not what the protocol sends.
    Malformed(String),
    /// The provider sent an error in the stream.
    Provider(ProviderError),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Malformed(why) => f.write_str(why),
            StreamError::Provider(e) => write!(f, "the provider sent an error: {e}"),
        }
    }
}

/// The fold over one streamed answer.
#[derive(Debug, Clone)]
pub struct Stream {
    protocol: Protocol,
    text: String,
    finish_reason: Option<FinishReason>,
    usage: Option<Usage>,
    model: Option<String>,
    ended: bool,
}

impl Stream {
    /// A fold for `protocol` (`openai-chat` or `anthropic-messages`).
    pub fn new(protocol: Protocol) -> Stream {
        Stream {
            protocol,
            text: String::new(),
            finish_reason: None,
            usage: None,
            model: None,
            ended: false,
        }
    }

    /// Folds one event in (`event` is its `event:` field, `data` its
    /// data lines joined); returns the text delta it carried, if any.
    pub fn event(
        &mut self,
        event: Option<&str>,
        data: &str,
    ) -> Result<Option<String>, StreamError> {
        let data = data.trim();
        if data.is_empty() {
            return Ok(None);
        }
        if self.protocol == Protocol::OpenaiChat && data == "[DONE]" {
            self.ended = true;
            return Ok(None);
        }
        let value: Value = serde_json::from_str(data).map_err(|e| {
            StreamError::Malformed(format!(
                "an event is not JSON ({e}): {}",
                error::sanitize(&data.chars().take(80).collect::<String>())
            ))
        })?;
        match self.protocol {
            Protocol::AnthropicMessages => self.anthropic(event, &value),
            _ => self.openai(&value),
        }
    }

    fn openai(&mut self, v: &Value) -> Result<Option<String>, StreamError> {
        if v.get("error").is_some() {
            return Err(provider(v));
        }
        if self.model.is_none() {
            self.model = v.get("model").and_then(Value::as_str).map(str::to_string);
        }
        if let Some(usage) = openai_usage(v) {
            self.usage = Some(usage);
        }
        let Some(choice) = v
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
        else {
            return Ok(None);
        };
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(FinishReason::from_provider(reason));
        }
        let delta = choice
            .get("delta")
            .and_then(|d| d.get("content"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(d) = &delta {
            self.text.push_str(d);
        }
        Ok(delta)
    }

    fn anthropic(&mut self, event: Option<&str>, v: &Value) -> Result<Option<String>, StreamError> {
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .or(event)
            .unwrap_or("");
        match kind {
            "error" => Err(provider(v)),
            "message_start" => {
                let message = v.get("message").unwrap_or(&Value::Null);
                self.model = message
                    .get("model")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(u) = anthropic_usage(message) {
                    self.usage = Some(u);
                }
                Ok(None)
            }
            "content_block_delta" => {
                let delta = v.get("delta").unwrap_or(&Value::Null);
                if delta.get("type").and_then(Value::as_str) != Some("text_delta") {
                    return Ok(None);
                }
                let text = delta
                    .get("text")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
                if let Some(t) = &text {
                    self.text.push_str(t);
                }
                Ok(text)
            }
            "message_delta" => {
                if let Some(reason) = v
                    .get("delta")
                    .and_then(|d| d.get("stop_reason"))
                    .and_then(Value::as_str)
                {
                    self.finish_reason = Some(FinishReason::from_provider(reason));
                }
                if let Some(out) = v
                    .get("usage")
                    .and_then(|u| u.get("output_tokens"))
                    .and_then(Value::as_u64)
                {
                    let u = self.usage.get_or_insert_with(Usage::default);
                    u.output_tokens = out;
                }
                Ok(None)
            }
            "message_stop" => {
                self.ended = true;
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// Whether the answer came to its end (the end marker, or a finish reason).
    pub fn is_complete(&self) -> bool {
        self.ended || self.finish_reason.is_some()
    }

    /// The text streamed so far, in bytes.
    pub fn delivered(&self) -> usize {
        self.text.len()
    }

    /// The answer.
    pub fn finish(self) -> Completion {
        Completion {
            text: Some(self.text),
            embeddings: None,
            finish_reason: self.finish_reason,
            usage: self.usage,
            model: self.model,
        }
    }
}

fn provider(v: &Value) -> StreamError {
    StreamError::Provider(error::from_json(v).unwrap_or(ProviderError {
        message: "(no message)".into(),
        kind: None,
        code: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_deltas_usage_and_done() {
        let mut s = Stream::new(Protocol::OpenaiChat);
        let events = [
            r#"{"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
            r#"{"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi "},"finish_reason":null}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"there!"},"finish_reason":null}]}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}"#,
        ];
        let deltas: Vec<Option<String>> =
            events.iter().map(|e| s.event(None, e).unwrap()).collect();
        assert_eq!(
            deltas,
            [None, Some("Hi ".into()), Some("there!".into()), None, None]
        );
        assert!(s.is_complete());
        assert_eq!(s.event(None, "[DONE]").unwrap(), None);
        let c = s.finish();
        assert_eq!(c.text.as_deref(), Some("Hi there!"));
        assert_eq!(c.finish_reason, Some(FinishReason::Stop));
        assert_eq!(
            c.usage,
            Some(Usage {
                input_tokens: 11,
                output_tokens: 3
            })
        );
        assert_eq!(c.model.as_deref(), Some("gpt-4o-mini"));
    }

    #[test]
    fn anthropic_events() {
        let mut s = Stream::new(Protocol::AnthropicMessages);
        let events = [
            (
                "message_start",
                r#"{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":12,"output_tokens":1}}}"#,
            ),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            ),
            ("ping", r#"{"type":"ping"}"#),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Claude says hi."}}"#,
            ),
            (
                "content_block_stop",
                r#"{"type":"content_block_stop","index":0}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4}}"#,
            ),
        ];
        let mut text = String::new();
        for (event, data) in events {
            if let Some(d) = s.event(Some(event), data).unwrap() {
                text.push_str(&d);
            }
        }
        assert_eq!(text, "Claude says hi.");
        s.event(Some("message_stop"), r#"{"type":"message_stop"}"#)
            .unwrap();
        assert!(s.is_complete());
        let c = s.finish();
        assert_eq!(c.finish_reason, Some(FinishReason::Length));
        assert_eq!(
            c.usage,
            Some(Usage {
                input_tokens: 12,
                output_tokens: 4
            })
        );
    }

    #[test]
    fn errors_and_garbage_end_the_stream() {
        let mut s = Stream::new(Protocol::AnthropicMessages);
        let e = s
            .event(
                Some("error"),
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the provider sent an error: Overloaded (overloaded_error)"
        );
        let mut s = Stream::new(Protocol::OpenaiChat);
        assert!(matches!(
            s.event(None, "{not json"),
            Err(StreamError::Malformed(_))
        ));
        let s = Stream::new(Protocol::OpenaiChat);
        assert!(!s.is_complete());
    }
}
