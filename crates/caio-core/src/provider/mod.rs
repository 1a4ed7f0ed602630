//! Provider protocols (SPEC §8), pure: what `route --execute` sends to a
//! service that speaks `openai-chat`, `openai-embeddings`,
//! `openai-transcription` or `anthropic-messages`, and what it makes of
//! the answer.
//!
//! - [`payload`] reads the request's **canonical payload** (system,
//!   messages, max_tokens, temperature, top_p, stop; or embeddings input),
//!   refusing unknown keys;
//! - [`translate`] turns it into one protocol's body, or says why that
//!   protocol cannot carry it;
//! - [`response`] parses a whole response into one normalised
//!   [`Completion`];
//! - [`stream`] folds server-sent events into text deltas and the same
//!   [`Completion`];
//! - [`error`] reads a provider's error message and makes it safe to show
//!   and to trace.
//!
//! The network, SSE framing and multipart bodies are the gateway's; this
//! module sees bytes and values only.

pub mod error;
pub mod payload;
pub mod response;
pub mod stream;
pub mod translate;

pub use error::ProviderError;
pub use payload::Payload;

use crate::contract::Cost;
use serde::{Deserialize, Serialize};

/// Tokens a call used, as the provider reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Input (prompt) tokens.
    pub input_tokens: u64,
    /// Output (completion) tokens.
    pub output_tokens: u64,
}

/// Why a model stopped, mapped from each protocol's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model finished, or hit a stop sequence (`stop`, `end_turn`, `stop_sequence`).
    Stop,
    /// The output-token limit was reached (`length`, `max_tokens`).
    Length,
    /// The provider's filter or a refusal cut the answer (`content_filter`, `refusal`).
    ContentFilter,
    /// The model asked for a tool (`tool_calls`, `function_call`, `tool_use`).
    ToolUse,
    /// Anything else the provider said.
    Other,
}

impl FinishReason {
    /// Maps OpenAI's `finish_reason` and Anthropic's `stop_reason`.
    pub fn from_provider(reason: &str) -> FinishReason {
        match reason {
            "stop" | "end_turn" | "stop_sequence" | "eos" => FinishReason::Stop,
            "length" | "max_tokens" | "model_length" => FinishReason::Length,
            "content_filter" | "refusal" => FinishReason::ContentFilter,
            "tool_calls" | "function_call" | "tool_use" => FinishReason::ToolUse,
            _ => FinishReason::Other,
        }
    }

    /// `stop`, `length`, … as results and traces spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::ToolUse => "tool_use",
            FinishReason::Other => "other",
        }
    }
}

/// One provider answer, whatever its protocol.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Completion {
    /// The text (chat: the content blocks concatenated; transcription: the transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// One vector per input (embeddings), in input order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embeddings: Option<Vec<Vec<f64>>>,
    /// Why the model stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Tokens used, when the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The model that answered, as the provider named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// What a call cost: `per_request + input/1000 · per_1k_input + output/1000
/// · per_1k_output`, in the contract's currency. Without usage, only the
/// per-request price is known.
pub fn cost(prices: &Cost, usage: Option<&Usage>) -> f64 {
    let tokens = usage.map_or(0.0, |u| {
        u.input_tokens as f64 / 1000.0 * prices.per_1k_input_tokens
            + u.output_tokens as f64 / 1000.0 * prices.per_1k_output_tokens
    });
    let total = prices.per_request + tokens;
    if total.is_finite() {
        total.max(0.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reasons_map_from_both_providers() {
        for (given, want) in [
            ("stop", FinishReason::Stop),
            ("end_turn", FinishReason::Stop),
            ("stop_sequence", FinishReason::Stop),
            ("length", FinishReason::Length),
            ("max_tokens", FinishReason::Length),
            ("content_filter", FinishReason::ContentFilter),
            ("refusal", FinishReason::ContentFilter),
            ("tool_calls", FinishReason::ToolUse),
            ("function_call", FinishReason::ToolUse),
            ("tool_use", FinishReason::ToolUse),
            ("pause_turn", FinishReason::Other),
        ] {
            assert_eq!(FinishReason::from_provider(given), want, "{given}");
        }
    }

    #[test]
    fn cost_is_per_request_plus_tokens_times_prices() {
        let prices = Cost {
            currency: "USD".into(),
            per_request: 0.001,
            per_1k_input_tokens: 0.003,
            per_1k_output_tokens: 0.015,
        };
        let usage = Usage {
            input_tokens: 2000,
            output_tokens: 500,
        };
        let c = cost(&prices, Some(&usage));
        assert!((c - (0.001 + 0.006 + 0.0075)).abs() < 1e-12, "{c}");
        assert_eq!(cost(&prices, None), 0.001);
    }
}
