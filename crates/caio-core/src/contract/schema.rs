//! The structure of a `caio/v1` contract, written once: it drives the
//! structural check of `contract validate` and the JSON Schema of
//! `contract schema`.

use crate::shape::{Field, ListShape, NumShape, Pattern, Shape, StrShape};

/// A service id: `^[a-z0-9][a-z0-9-]{1,62}$`.
pub static SERVICE_ID: Pattern = Pattern {
    regex: "^[a-z0-9][a-z0-9-]{1,62}$",
    values: None,
    check: is_service_id,
    code: "invalid-id",
    describe: "a service id: 2 to 63 characters of a-z, 0-9 and '-', not starting with '-'",
};

pub(crate) static CAPABILITY_ID: Pattern = Pattern {
    regex: "^[a-z][a-z0-9_.-]*$",
    values: None,
    check: is_capability_id,
    code: "invalid-id",
    describe: "a capability id: a lowercase letter, then a-z, 0-9, '_', '.' or '-'",
};

pub(crate) static SEMVER: Pattern = Pattern {
    regex: r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
    values: None,
    check: is_semver,
    code: "invalid-semver",
    describe: "a semantic version such as 1.4.0 (MAJOR.MINOR.PATCH)",
};

pub(crate) static CURRENCY: Pattern = Pattern {
    regex: "^[A-Z]{3}$",
    values: Some(ISO_4217),
    check: is_currency,
    code: "invalid-currency",
    describe: "an ISO 4217 currency code such as USD or EUR",
};

pub(crate) static LANGUAGE: Pattern = Pattern {
    regex: "^[a-z]{2}$",
    values: Some(ISO_639_1),
    check: is_language,
    code: "invalid-language",
    describe: "an ISO 639-1 language code such as en or de",
};

pub(crate) static URL: Pattern = Pattern {
    regex: r"^https?://([^\s/?#@]*@)?(\[[^\]\s/?#]+\]|[^\s/?#@:\[\]]+)(:[0-9]+)?([/?#]\S*)?$",
    values: None,
    check: is_http_url,
    code: "invalid-url",
    describe: "an http:// or https:// URL with a host",
};

/// A lowercase name (tag, region, role, tenant, provider): `^[a-z0-9][a-z0-9_.-]*$`.
pub static NAME: Pattern = Pattern {
    regex: "^[a-z0-9][a-z0-9_.-]*$",
    values: None,
    check: is_name,
    code: "invalid-name",
    describe: "a lowercase name: a-z, 0-9, '_', '.' or '-', not starting with punctuation",
};

pub(crate) static MODEL: Pattern = Pattern {
    regex: r"^[^\s]{1,200}$",
    values: None,
    check: is_model,
    code: "invalid-name",
    describe: "a model name: 1 to 200 characters without spaces, e.g. gpt-4o-mini",
};

pub(crate) static HEADER_NAME: Pattern = Pattern {
    regex: "^[A-Za-z0-9-]+$",
    values: None,
    check: is_header_name,
    code: "invalid-name",
    describe: "an HTTP header name (letters, digits and '-')",
};

pub(crate) const MODALITIES: &[&str] = &["text", "image", "audio", "video", "embedding"];
pub(crate) const HOSTINGS: &[&str] = &["internal", "on_prem", "external"];
pub(crate) const DATA_CLASSES: &[&str] = &["public", "internal", "confidential", "restricted"];
pub(crate) const TRUST_LEVELS: &[&str] = &["low", "medium", "high"];
pub(crate) const METHODS: &[&str] = &["POST", "GET", "PUT"];
pub(crate) const AUTH_SCHEMES: &[&str] = &["bearer", "header"];
pub(crate) const PROTOCOLS: &[&str] = &[
    "http",
    "openai-chat",
    "openai-embeddings",
    "openai-transcription",
    "anthropic-messages",
];

// Leaf shapes shared by every format built on contract vocabulary
// (requests, principals).
pub(crate) static TEXT: Shape = Shape::Str(StrShape::ANY);
pub(crate) static NAME_STR: Shape = Shape::Str(StrShape {
    one_of: &[],
    pattern: Some(&NAME),
});
pub(crate) static NAMES: Shape = Shape::List(ListShape {
    item: &NAME_STR,
    min_items: 0,
});
pub(crate) static NON_EMPTY_NAMES: Shape = Shape::List(ListShape {
    item: &NAME_STR,
    min_items: 1,
});
pub(crate) static BOOL: Shape = Shape::Bool;
pub(crate) static UNIT: Shape = Shape::Num(NumShape::UNIT);
static AVAILABILITY: Shape = Shape::Num(NumShape {
    integer: false,
    min: Some(0.0),
    exclusive_min: true,
    max: Some(1.0),
});
pub(crate) static POSITIVE: Shape = Shape::Num(NumShape::POSITIVE);
pub(crate) static PRICE: Shape = Shape::Num(NumShape::NON_NEGATIVE);
static POSITIVE_INT: Shape = Shape::Num(NumShape::POSITIVE_INT);
pub(crate) static NON_NEGATIVE_INT: Shape = Shape::Num(NumShape::NON_NEGATIVE_INT);

pub(crate) static MODALITY: Shape = Shape::Str(StrShape {
    one_of: MODALITIES,
    pattern: None,
});
static MODALITY_LIST: Shape = Shape::List(ListShape {
    item: &MODALITY,
    min_items: 1,
});
pub(crate) static LANGUAGE_STR: Shape = Shape::Str(StrShape {
    one_of: &[],
    pattern: Some(&LANGUAGE),
});
static LANGUAGE_LIST: Shape = Shape::List(ListShape {
    item: &LANGUAGE_STR,
    min_items: 1,
});

static CAPABILITY: Shape = Shape::Object(&[
    Field::required(
        "type",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&CAPABILITY_ID),
        }),
        "Capability id requests ask for, e.g. chat, embedding, rerank, speech_to_text.",
    ),
    Field::optional(
        "input",
        &MODALITY_LIST,
        "Accepted input modalities (text, image, audio, video, embedding); absent = any.",
    ),
    Field::optional(
        "output",
        &MODALITY_LIST,
        "Produced output modalities; absent = any.",
    ),
    Field::optional(
        "max_input_tokens",
        &POSITIVE_INT,
        "Largest request, in input tokens, the service accepts.",
    ),
    Field::optional(
        "languages",
        &LANGUAGE_LIST,
        "Supported languages as ISO 639-1 codes; absent = any.",
    ),
]);

static LATENCY: Shape = Shape::Object(&[
    Field::required("p50", &POSITIVE, "Median latency in milliseconds."),
    Field::required(
        "p95",
        &POSITIVE,
        "95th percentile latency in milliseconds (>= p50).",
    ),
    Field::required(
        "p99",
        &POSITIVE,
        "99th percentile latency in milliseconds (>= p95).",
    ),
]);

static GUARANTEES: Shape = Shape::Object(&[
    Field::required(
        "latency_ms",
        &LATENCY,
        "Latency percentiles in milliseconds: p50 <= p95 <= p99, all > 0.",
    ),
    Field::required(
        "availability",
        &AVAILABILITY,
        "Promised availability as a fraction in (0, 1], e.g. 0.999.",
    ),
    Field::optional(
        "accuracy",
        &UNIT,
        "Quality score in [0, 1]; routing assumes 0.5 when absent.",
    ),
]);

static COST: Shape = Shape::Object(&[
    Field::required(
        "currency",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&CURRENCY),
        }),
        "ISO 4217 code; one currency per registry.",
    ),
    Field::required(
        "per_request",
        &PRICE,
        "Fixed price per call (>= 0; write 0 if none).",
    ),
    Field::required(
        "per_1k_input_tokens",
        &PRICE,
        "Price per 1,000 input tokens (>= 0; write 0 if none).",
    ),
    Field::required(
        "per_1k_output_tokens",
        &PRICE,
        "Price per 1,000 output tokens (>= 0; write 0 if none).",
    ),
]);

static PRIVACY: Shape = Shape::Object(&[
    Field::required(
        "hosting",
        &Shape::Str(StrShape {
            one_of: HOSTINGS,
            pattern: None,
        }),
        "Where the service runs: internal, on_prem or external.",
    ),
    Field::required(
        "regions",
        &NON_EMPTY_NAMES,
        "Regions where request data is processed, e.g. [eu] or [us, eu].",
    ),
    Field::required(
        "max_data_class",
        &Shape::Str(StrShape {
            one_of: DATA_CLASSES,
            pattern: None,
        }),
        "Most sensitive data class accepted: public < internal < confidential < restricted.",
    ),
    Field::optional(
        "pii_allowed",
        &BOOL,
        "Whether personal data may be sent (default false).",
    ),
    Field::optional(
        "retention_days",
        &NON_NEGATIVE_INT,
        "Days the provider keeps request data (default 0).",
    ),
    Field::optional(
        "trains_on_customer_data",
        &BOOL,
        "Whether the provider trains on request data (default false).",
    ),
]);

static ACCESS: Shape = Shape::Object(&[
    Field::optional(
        "min_trust",
        &Shape::Str(StrShape {
            one_of: TRUST_LEVELS,
            pattern: None,
        }),
        "Lowest verified caller trust allowed: low, medium or high (default low).",
    ),
    Field::optional(
        "roles",
        &NAMES,
        "Roles allowed to use the service; absent = any role.",
    ),
    Field::optional(
        "tenants",
        &NAMES,
        "Tenants allowed to use the service; absent = any tenant.",
    ),
]);

static AUTH: Shape = Shape::Object(&[
    Field::optional(
        "scheme",
        &Shape::Str(StrShape {
            one_of: AUTH_SCHEMES,
            pattern: None,
        }),
        "bearer (default: Authorization: Bearer …) or header (the header named by `header`, e.g. x-api-key for Anthropic).",
    ),
    Field::required(
        "env",
        &TEXT,
        "Name of the environment variable holding the secret, e.g. OPENAI_API_KEY. Never the secret itself.",
    ),
    Field::optional(
        "header",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&HEADER_NAME),
        }),
        "Header that carries the secret; required with scheme: header (e.g. x-api-key, api-key for Azure OpenAI).",
    ),
]);

static ENDPOINT: Shape = Shape::Object(&[
    Field::required(
        "url",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&URL),
        }),
        "http:// or https:// URL that `route --execute` calls.",
    ),
    Field::optional(
        "protocol",
        &Shape::Str(StrShape {
            one_of: PROTOCOLS,
            pattern: None,
        }),
        "How requests and responses are shaped: http (default: the payload is sent unchanged), openai-chat, openai-embeddings, openai-transcription or anthropic-messages. OpenAI-compatible servers (vLLM, Ollama, Azure OpenAI, Mistral, Groq) use the openai-* protocols with their own URL.",
    ),
    Field::optional(
        "model",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&MODEL),
        }),
        "The provider's model name, e.g. gpt-4o-mini or claude-3-5-haiku-latest; required by every protocol but http.",
    ),
    Field::optional(
        "method",
        &Shape::Str(StrShape {
            one_of: METHODS,
            pattern: None,
        }),
        "HTTP method (default POST).",
    ),
    Field::optional(
        "timeout_ms",
        &POSITIVE_INT,
        "Per-attempt timeout in milliseconds (default 30000).",
    ),
    Field::optional(
        "auth",
        &AUTH,
        "How to authenticate; the secret comes from an env var.",
    ),
    Field::optional(
        "headers",
        &Shape::Dict(&TEXT),
        "Extra literal, non-secret headers; they override what a protocol sends (e.g. anthropic-version). Never secrets.",
    ),
]);

/// The whole contract.
pub(crate) static CONTRACT: Shape = Shape::Object(&[
    Field::required(
        "apiVersion",
        &Shape::Str(StrShape {
            one_of: &[super::API_VERSION],
            pattern: None,
        }),
        "Contract format version; must be caio/v1.",
    ),
    Field::required(
        "service_id",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&SERVICE_ID),
        }),
        "Unique id of the service in a registry: ^[a-z0-9][a-z0-9-]{1,62}$.",
    ),
    Field::required("name", &TEXT, "Human-readable name."),
    Field::required(
        "version",
        &Shape::Str(StrShape {
            one_of: &[],
            pattern: Some(&SEMVER),
        }),
        "Semantic version of this contract; the registry keeps every version.",
    ),
    Field::optional(
        "provider",
        &NAME_STR,
        "Who operates the service, e.g. openai or inhouse.",
    ),
    Field::optional("description", &TEXT, "Free text for operators."),
    Field::optional(
        "tags",
        &NAMES,
        "Labels that requests can prefer and registry listings can filter on.",
    ),
    Field::required(
        "capabilities",
        &Shape::List(ListShape {
            item: &CAPABILITY,
            min_items: 1,
        }),
        "What the service can do; at least one, each type at most once.",
    ),
    Field::required(
        "guarantees",
        &GUARANTEES,
        "Latency, availability and accuracy promises.",
    ),
    Field::required(
        "cost",
        &COST,
        "Prices; every price is required (write 0 for none), never a silent default.",
    ),
    Field::required("privacy", &PRIVACY, "Where data goes and what may be sent."),
    Field::optional(
        "access",
        &ACCESS,
        "Who may use the service (default: anyone, trust low).",
    ),
    Field::required(
        "endpoint",
        &ENDPOINT,
        "How `route --execute` calls the service.",
    ),
    Field::optional(
        "risk",
        &UNIT,
        "Operator-assessed risk in [0, 1] (default 0); raises the risk term of the score.",
    ),
]);

fn is_service_id(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=63).contains(&b.len())
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

fn is_capability_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'.' | b'-')
        })
}

fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'.' | b'-')
        })
}

fn is_header_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

fn is_model(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 200
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_semver(s: &str) -> bool {
    semver::Version::parse(s).is_ok()
}

fn is_language(s: &str) -> bool {
    ISO_639_1.binary_search(&s).is_ok()
}

fn is_currency(s: &str) -> bool {
    ISO_4217.binary_search(&s).is_ok()
}

/// `http://host…` or `https://host…`: optional userinfo, a non-empty host (or
/// bracketed IPv6 address), an optional numeric port, no whitespace. Mirrors
/// [`URL`]'s regex.
pub(crate) fn is_http_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    if s.chars().any(char::is_whitespace) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.split_once('@').map_or(authority, |(_, hp)| hp);
    let (host_ok, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, after)) => (!addr.is_empty(), after),
            None => return false,
        },
        None => {
            let (host, port) = host_port
                .find(':')
                .map_or((host_port, ""), |i| host_port.split_at(i));
            (!host.is_empty() && !host.contains(['@', '[', ']']), port)
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

/// ISO 639-1 two-letter language codes, sorted.
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
    "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk",
    "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa",
    "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Active ISO 4217 currency codes, sorted.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_are_sorted_for_binary_search() {
        assert!(ISO_639_1.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn patterns() {
        assert!(is_service_id("mistral-large-eu"));
        assert!(!is_service_id("-x"));
        assert!(!is_service_id("a"));
        assert!(!is_service_id("Upper"));
        assert!(is_capability_id("speech_to_text"));
        assert!(!is_capability_id("1chat"));
        assert!(is_semver("2.1.0"));
        assert!(!is_semver("2.1"));
        assert!(is_currency("EUR") && !is_currency("EURO") && !is_currency("XYZ"));
        assert!(is_language("de") && !is_language("xx"));
    }

    #[test]
    fn urls() {
        for ok in [
            "https://api.mistral.ai/v1/chat/completions",
            "http://10.0.0.4:8080/v1",
            "http://localhost:11434/api/chat",
            "https://[::1]:8443/x",
        ] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "ftp://x/y",
            "https://",
            "https:///path",
            "api.example.com/v1",
            "https://a b",
            "https://host:port/",
            "https://a@b@host/",
            "https://[::1/",
            "https://[::1]x/",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    /// The schema's regexes and enums give the same answers as the checker.
    #[test]
    fn schema_patterns_agree_with_the_checker() {
        let samples = [
            "",
            "a",
            "ab",
            "x1",
            "-x",
            "mistral-large-eu",
            "Upper",
            "a_b",
            "a.b",
            "chat",
            "speech_to_text",
            "1chat",
            "2.1.0",
            "2.1",
            "1.0.0-rc.1+build.5",
            "01.2.3",
            "USD",
            "usd",
            "XYZ",
            "EURO",
            "en",
            "gr",
            "EN",
            "en-US",
            "x-api-key",
            "X-Api-Key",
            "a b",
            "https://api.mistral.ai/v1/chat",
            "http://10.0.0.4:8080/v1",
            "https://[::1]:8443/x",
            "https://host:port/",
            "https://a@b@host/",
            "https://u:p@host/x",
            "ftp://x/y",
            "https://",
            "https:///p",
            "https://[::1/",
            "https://[::1]x/",
            "https://h:/",
            "http://h?x=1",
            "http://h#frag",
        ];
        for pattern in [
            &SERVICE_ID,
            &CAPABILITY_ID,
            &SEMVER,
            &CURRENCY,
            &LANGUAGE,
            &URL,
            &NAME,
            &HEADER_NAME,
        ] {
            let schema = match pattern.values {
                Some(values) => serde_json::json!({ "type": "string", "enum": values }),
                None => serde_json::json!({ "type": "string", "pattern": pattern.regex }),
            };
            let validator = jsonschema::validator_for(&schema).unwrap();
            for s in samples {
                assert_eq!(
                    validator.is_valid(&serde_json::json!(s)),
                    (pattern.check)(s),
                    "{} disagrees on {s:?}",
                    pattern.regex
                );
            }
        }
    }
}
