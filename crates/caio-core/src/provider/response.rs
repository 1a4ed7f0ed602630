//! A whole provider response → one [`Completion`] (SPEC §8). A body that
//! does not parse as its protocol is an error with a reason (the gateway
//! records a failed attempt and fails over), never a crash.

use super::{Completion, FinishReason, Usage};
use crate::contract::Protocol;
use serde_json::Value;

/// Parses the body of a 2xx response of `protocol`.
pub fn parse(protocol: Protocol, body: &[u8]) -> Result<Completion, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the response is not JSON ({e})"))?;
    if !value.is_object() {
        return Err("the response is not a JSON object".into());
    }
    match protocol {
        Protocol::Http => Ok(Completion::default()),
        Protocol::OpenaiChat => openai_chat(&value),
        Protocol::AnthropicMessages => anthropic(&value),
        Protocol::OpenaiEmbeddings => embeddings(&value),
        Protocol::OpenaiTranscription => transcription(&value),
    }
}

fn model(v: &Value) -> Option<String> {
    v.get("model").and_then(Value::as_str).map(str::to_string)
}

fn count(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

/// OpenAI usage: `prompt_tokens` and `completion_tokens`.
pub(crate) fn openai_usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage").filter(|u| u.is_object())?;
    Some(Usage {
        input_tokens: count(u, "prompt_tokens").or_else(|| count(u, "input_tokens"))?,
        output_tokens: count(u, "completion_tokens")
            .or_else(|| count(u, "output_tokens"))
            .unwrap_or(0),
    })
}

fn openai_chat(v: &Value) -> Result<Completion, String> {
    let choice = v
        .get("choices")
        .and_then(Value::as_array)
        .ok_or("the response has no `choices`")?
        .first()
        .ok_or("the response's `choices` is empty")?;
    let message = choice
        .get("message")
        .ok_or("the response's first choice has no `message`")?;
    let text = match message.get("content") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        // Some compatible servers answer with content parts.
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        Some(_) => return Err("the message's `content` is neither text nor parts".into()),
    };
    Ok(Completion {
        text: Some(text),
        embeddings: None,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(FinishReason::from_provider),
        usage: openai_usage(v),
        model: model(v),
    })
}

/// Anthropic usage: `input_tokens` and `output_tokens`.
pub(crate) fn anthropic_usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage").filter(|u| u.is_object())?;
    Some(Usage {
        input_tokens: count(u, "input_tokens").unwrap_or(0),
        output_tokens: count(u, "output_tokens").unwrap_or(0),
    })
}

fn anthropic(v: &Value) -> Result<Completion, String> {
    let blocks = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or("the response has no `content` list")?;
    let text: String = blocks
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    Ok(Completion {
        text: Some(text),
        embeddings: None,
        finish_reason: v
            .get("stop_reason")
            .and_then(Value::as_str)
            .map(FinishReason::from_provider),
        usage: anthropic_usage(v),
        model: model(v),
    })
}

fn embeddings(v: &Value) -> Result<Completion, String> {
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or("the response has no `data` list")?;
    let mut vectors: Vec<(u64, Vec<f64>)> = Vec::with_capacity(data.len());
    for (i, item) in data.iter().enumerate() {
        let vector = item
            .get("embedding")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                format!("`data[{i}]` has no `embedding` list (base64 encodings are not read)")
            })?
            .iter()
            .map(|x| x.as_f64().filter(|x| x.is_finite()))
            .collect::<Option<Vec<f64>>>()
            .ok_or_else(|| format!("`data[{i}].embedding` holds something other than numbers"))?;
        let index = count(item, "index").unwrap_or(i as u64);
        vectors.push((index, vector));
    }
    vectors.sort_by_key(|(i, _)| *i);
    Ok(Completion {
        text: None,
        embeddings: Some(vectors.into_iter().map(|(_, v)| v).collect()),
        finish_reason: None,
        usage: openai_usage(v),
        model: model(v),
    })
}

fn transcription(v: &Value) -> Result<Completion, String> {
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .ok_or("the response has no `text`")?;
    // gpt-4o-transcribe reports tokens; whisper-1 reports seconds or nothing.
    let usage = v
        .get("usage")
        .filter(|u| u.get("type").and_then(Value::as_str) != Some("duration"))
        .and_then(|_| anthropic_usage(v));
    Ok(Completion {
        text: Some(text.to_string()),
        embeddings: None,
        finish_reason: None,
        usage,
        model: model(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_chat_text_usage_and_finish_reason() {
        let body = br#"{"id":"x","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hi there!"},"finish_reason":"length"}],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}"#;
        let c = parse(Protocol::OpenaiChat, body).unwrap();
        assert_eq!(c.text.as_deref(), Some("Hi there!"));
        assert_eq!(c.finish_reason, Some(FinishReason::Length));
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
    fn anthropic_concatenates_text_blocks() {
        let body = br#"{"type":"message","content":[{"type":"text","text":"Hi "},{"type":"tool_use","id":"t"},{"type":"text","text":"there"}],"model":"claude-x","stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":3}}"#;
        let c = parse(Protocol::AnthropicMessages, body).unwrap();
        assert_eq!(c.text.as_deref(), Some("Hi there"));
        assert_eq!(c.finish_reason, Some(FinishReason::Stop));
        assert_eq!(c.usage.unwrap().output_tokens, 3);
    }

    #[test]
    fn embeddings_come_back_in_input_order() {
        let body = br#"{"data":[{"index":1,"embedding":[0.3]},{"index":0,"embedding":[0.1,0.2]}],"model":"e","usage":{"prompt_tokens":4,"total_tokens":4}}"#;
        let c = parse(Protocol::OpenaiEmbeddings, body).unwrap();
        assert_eq!(c.embeddings.unwrap(), vec![vec![0.1, 0.2], vec![0.3]]);
        assert_eq!(
            c.usage,
            Some(Usage {
                input_tokens: 4,
                output_tokens: 0
            })
        );
    }

    #[test]
    fn transcription_text() {
        let c = parse(
            Protocol::OpenaiTranscription,
            br#"{"text":"hello from the audio"}"#,
        )
        .unwrap();
        assert_eq!(c.text.as_deref(), Some("hello from the audio"));
        assert_eq!(c.usage, None);
    }

    #[test]
    fn bodies_that_do_not_parse_say_why() {
        assert!(
            parse(Protocol::OpenaiChat, b"<html>")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            parse(Protocol::OpenaiChat, b"{}")
                .unwrap_err()
                .contains("choices")
        );
        assert!(
            parse(Protocol::OpenaiChat, br#"{"choices":[]}"#)
                .unwrap_err()
                .contains("empty")
        );
        assert!(parse(Protocol::AnthropicMessages, b"[1]").is_err());
        assert!(
            parse(
                Protocol::OpenaiEmbeddings,
                br#"{"data":[{"embedding":"AAA="}]}"#
            )
            .is_err()
        );
    }
}
