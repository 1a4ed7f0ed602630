//! `caio contract validate`: read files and directories, check each contract in
//! two layers (shape, then meaning), and check across files.

use super::{ServiceContract, schema::CONTRACT};
use crate::diagnostic::{FileReport, Problem};
use crate::shape;
use crate::source::{self, Document};
use crate::yaml::{self, Node, Span};
use std::collections::BTreeMap;

/// Every diagnostic code `contract validate` can emit, with what it means.
/// Codes are stable: scripts may match on them.
pub const CODES: &[(&str, &str)] = &[
    (
        "contract::unreadable",
        "the path does not exist or cannot be read",
    ),
    (
        "contract::not-regular-file",
        "the path is a FIFO, socket or device, not a regular file",
    ),
    (
        "contract::no-files",
        "a directory holds no *.yaml or *.yml file",
    ),
    (
        "contract::too-large",
        "the file is larger than the 1 MiB limit",
    ),
    ("contract::not-utf8", "the file is not UTF-8 text"),
    ("contract::empty", "the file holds no YAML document"),
    ("contract::yaml-syntax", "the file is not well-formed YAML"),
    (
        "contract::resource-limit",
        "nesting, node count or alias expansion over the budget",
    ),
    (
        "contract::unknown-key",
        "a key the format does not define (with a suggestion)",
    ),
    ("contract::missing-key", "a required key is absent"),
    ("contract::wrong-type", "a value has the wrong type"),
    (
        "contract::invalid-value",
        "a value outside its allowed set (with a suggestion)",
    ),
    (
        "contract::duplicate-key",
        "a key appears twice in one mapping",
    ),
    ("contract::empty-list", "a list that needs entries is empty"),
    (
        "contract::out-of-range",
        "a number outside its range (negative price, availability > 1, …)",
    ),
    (
        "contract::invalid-id",
        "a service or capability id that breaks its pattern",
    ),
    (
        "contract::invalid-semver",
        "`version` is not a semantic version",
    ),
    (
        "contract::invalid-currency",
        "not an ISO 4217 currency code",
    ),
    (
        "contract::invalid-language",
        "not an ISO 639-1 language code",
    ),
    ("contract::invalid-url", "not an http(s) URL with a host"),
    (
        "contract::invalid-name",
        "a tag, role, tenant, region or header name with bad characters",
    ),
    (
        "contract::invalid-env",
        "`auth.env` is not an environment variable name",
    ),
    (
        "contract::latency-order",
        "latency percentiles out of order (p50 <= p95 <= p99)",
    ),
    (
        "contract::duplicate-capability",
        "two capabilities with the same type",
    ),
    (
        "contract::duplicate-service-id",
        "two files of one run define the same service_id",
    ),
    (
        "contract::inline-secret",
        "a literal secret where an env var name belongs",
    ),
    (
        "contract::insecure-url",
        "warning: plain http to an external service",
    ),
];

const PREFIX: &str = "contract";

fn code(suffix: &str) -> String {
    format!("{PREFIX}::{suffix}")
}

/// The result of validating one file.
#[derive(Debug, Clone)]
pub struct ContractFile {
    /// The file's problems, in order.
    pub report: FileReport,
    /// Present when the file is valid.
    pub contract: Option<ServiceContract>,
}

impl AsRef<FileReport> for ContractFile {
    fn as_ref(&self) -> &FileReport {
        &self.report
    }
}

/// The result of one `validate` run over many files.
pub type ValidationRun = crate::diagnostic::FileRun<ContractFile>;

impl ValidationRun {
    /// The contracts, when every file is valid.
    pub fn contracts(&self) -> Option<Vec<&ServiceContract>> {
        self.files.iter().map(|f| f.contract.as_ref()).collect()
    }
}

/// What one file's checks produced, before cross-file checks.
struct Checked {
    path: String,
    text: String,
    problems: Vec<Problem>,
    contract: Option<ServiceContract>,
    service_id: Option<(String, Span)>,
}

/// Validates one contract text on its own (no cross-file checks).
pub fn validate_text(path: &str, text: &str) -> ContractFile {
    let checked = check_text(path.to_string(), text.to_string());
    finish(checked)
}

fn finish(c: Checked) -> ContractFile {
    let report = FileReport::new(c.path, c.text, c.problems);
    let contract = if report.is_valid() { c.contract } else { None };
    ContractFile { report, contract }
}

/// Validates every document, then checks `service_id` uniqueness across
/// them. `progress(done, total)` is called after each document.
pub fn validate_documents(
    documents: impl ExactSizeIterator<Item = Document>,
    progress: &mut dyn FnMut(usize, usize),
) -> ValidationRun {
    let total = documents.len();
    let mut checked = Vec::with_capacity(total);
    for (i, document) in documents.enumerate() {
        let label = document.label.clone();
        let (text, node) = document.parse(&FORMAT);
        checked.push(match node {
            Ok(node) => check_node(label, text, &node),
            Err(problem) => Checked {
                path: label,
                text,
                problems: vec![problem],
                contract: None,
                service_id: None,
            },
        });
        progress(i + 1, total);
    }
    check_duplicate_ids(&mut checked);
    ValidationRun {
        files: checked.into_iter().map(finish).collect(),
    }
}

/// How contract files are named in diagnostics.
pub const FORMAT: source::DocumentKind = source::DocumentKind {
    prefix: PREFIX,
    noun: "contract",
    empty_help: "start from `caio contract new --template llm --id my-service`",
};

fn check_text(path: String, text: String) -> Checked {
    match source::parse(&FORMAT, &text) {
        Ok(node) => check_node(path, text, &node),
        Err(problem) => Checked {
            path,
            text,
            problems: vec![problem],
            contract: None,
            service_id: None,
        },
    }
}

fn check_node(path: String, text: String, node: &Node) -> Checked {
    let mut problems = Vec::new();
    shape::check(PREFIX, node, &CONTRACT, "", &mut problems);
    check_semantics(node, &mut problems);
    let structurally_valid = problems
        .iter()
        .all(|p| p.severity != crate::diagnostic::Severity::Error);
    let contract = if structurally_valid {
        match serde_json::from_value::<ServiceContract>(node.to_json()) {
            Ok(c) => Some(c),
            Err(e) => {
                // The shape and the model disagree: a bug in caio, reported, not a panic.
                problems.push(Problem::error(
                    code("wrong-type"),
                    node.span,
                    format!("internal: the contract passed its shape check but not the model: {e}"),
                ));
                None
            }
        }
    } else {
        None
    };
    let service_id = node
        .get("service_id")
        .and_then(|n| n.as_str().map(|s| (s.to_string(), n.span)));
    Checked {
        path,
        text,
        problems,
        contract,
        service_id,
    }
}

/// The meaning checks that a shape cannot express.
fn check_semantics(node: &Node, out: &mut Vec<Problem>) {
    check_latency_order(node, out);
    check_capability_types(node, out);
    check_secrets(node, out);
    check_transport(node, out);
    check_protocol(node, out);
}

/// A provider protocol needs the provider's model name and is called with
/// POST; `scheme: header` needs the header's name.
fn check_protocol(node: &Node, out: &mut Vec<Problem>) {
    let Some(endpoint) = node.get("endpoint") else {
        return;
    };
    if let Some(auth) = endpoint.get("auth")
        && auth.get("scheme").and_then(Node::as_str) == Some("header")
        && auth.get("header").is_none()
    {
        out.push(
            Problem::error(
                code("missing-key"),
                auth.span,
                "`endpoint.auth.scheme: header` needs `header`, the name of the header that carries the secret",
            )
            .label("no `header`")
            .help("add e.g. `header: x-api-key` (Anthropic) or `header: api-key` (Azure OpenAI)"),
        );
    }
    let Some(protocol) = endpoint.get("protocol") else {
        return;
    };
    let Some(name) = protocol.as_str() else {
        return;
    };
    if name == "http" || !super::schema::PROTOCOLS.contains(&name) {
        return;
    }
    if endpoint.get("model").is_none() {
        out.push(
            Problem::error(
                code("missing-key"),
                protocol.span,
                format!("protocol `{name}` needs `endpoint.model`, the provider's model name"),
            )
            .label("no `model` beside it")
            .help(match name {
                "anthropic-messages" => "add e.g. `model: claude-3-5-haiku-latest`",
                "openai-embeddings" => "add e.g. `model: text-embedding-3-small`",
                "openai-transcription" => "add e.g. `model: whisper-1`",
                _ => {
                    "add e.g. `model: gpt-4o-mini` (for vLLM or Ollama, the name the server serves)"
                }
            }),
        );
    }
    if let Some(method) = endpoint.get("method")
        && let Some(m) = method.as_str()
        && m != "POST"
    {
        out.push(
            Problem::error(
                code("invalid-value"),
                method.span,
                format!("protocol `{name}` is called with POST, not {m}"),
            )
            .label("not POST")
            .help("remove `method` or write `method: POST`"),
        );
    }
}

fn check_latency_order(node: &Node, out: &mut Vec<Problem>) {
    let Some(lat) = node.path("guarantees.latency_ms") else {
        return;
    };
    let get = |k: &str| lat.get(k).and_then(|n| n.as_f64().map(|v| (v, n)));
    let (p50, p95, p99) = (get("p50"), get("p95"), get("p99"));
    let pairs = [(("p50", p50), ("p95", p95)), (("p95", p95), ("p99", p99))];
    for ((lo_name, lo), (hi_name, hi)) in pairs {
        if let (Some((lo, _)), Some((hi, hi_node))) = (lo, hi)
            && hi < lo
        {
            out.push(
                Problem::error(
                    code("latency-order"),
                    hi_node.span,
                    format!("latency {hi_name} ({hi} ms) is below {lo_name} ({lo} ms)"),
                )
                .label(format!("{hi_name} < {lo_name}"))
                .help("percentiles must satisfy p50 <= p95 <= p99"),
            );
        }
    }
}

fn check_capability_types(node: &Node, out: &mut Vec<Problem>) {
    let Some(caps) = node.get("capabilities").and_then(Node::as_seq) else {
        return;
    };
    let mut seen: Vec<&str> = Vec::new();
    for cap in caps {
        let Some(t) = cap.get("type") else { continue };
        let Some(name) = t.as_str() else { continue };
        if seen.contains(&name) {
            out.push(
                Problem::error(
                    code("duplicate-capability"),
                    t.span,
                    format!("capability `{name}` is declared twice"),
                )
                .label("second declaration")
                .help("merge the two entries into one capability"),
            );
        } else {
            seen.push(name);
        }
    }
}

/// Headers whose value is always a credential.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "cookie",
];

/// URL query parameters that carry credentials.
const CREDENTIAL_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "api-key",
    "token",
    "access_token",
    "secret",
    "sig",
    "signature",
];

fn check_secrets(node: &Node, out: &mut Vec<Problem>) {
    let secret = |span: Span, what: &str, help: &str| {
        Problem::error(
            code("inline-secret"),
            span,
            format!("{what} looks like a literal secret"),
        )
        .label("secret (masked)")
        .help(help.to_string())
        .redacted()
    };
    if let Some(env) = node.path("endpoint.auth.env")
        && let Some(value) = env.as_str()
    {
        if looks_like_secret(value) {
            out.push(secret(
                env.span,
                "`endpoint.auth.env`",
                "put the secret in an environment variable and write its name here, e.g. env: OPENAI_API_KEY; rotate the exposed key",
            ));
        } else if !is_env_name(value) {
            out.push(
                // Not echoed and masked: a value that is not a name may be a key
                // the secret heuristics do not recognise.
                Problem::error(
                    code("invalid-env"),
                    env.span,
                    "`endpoint.auth.env` is not an environment variable name",
                )
                .label("not an env var name (masked)")
                .help("use upper-case letters, digits and '_', e.g. MISTRAL_API_KEY; if this was a key, rotate it")
                .redacted(),
            );
        }
    }
    if let Some(headers) = node.path("endpoint.headers").and_then(Node::as_map) {
        for (k, v) in headers {
            let (Some(name), Some(value)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            if CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str())
                || looks_like_secret(value)
            {
                out.push(secret(
                    v.span,
                    &format!("header `{name}`"),
                    "send credentials with `endpoint.auth` (scheme + env var name), never as a literal header; rotate the exposed key",
                ));
            }
        }
    }
    if let Some(url) = node.path("endpoint.url")
        && let Some(value) = url.as_str()
        && url_has_credentials(value)
    {
        out.push(secret(
            url.span,
            "`endpoint.url`",
            "remove credentials from the URL and use `endpoint.auth` with an env var name; rotate the exposed key",
        ));
    }
}

fn check_transport(node: &Node, out: &mut Vec<Problem>) {
    let external = node.path("privacy.hosting").and_then(Node::as_str) == Some("external");
    if let Some(url) = node.path("endpoint.url")
        && let Some(value) = url.as_str()
        && external
        && value.starts_with("http://")
        && !is_loopback(value)
    {
        out.push(
            Problem::warning(
                code("insecure-url"),
                url.span,
                "an external service is called over plain http",
            )
            .label("unencrypted")
            .help("use https:// for services outside your network"),
        );
    }
}

/// Whether an http(s) URL points at this machine (`localhost`, 127.0.0.0/8,
/// `::1`): plain http there never crosses a network (a local mock, a
/// sidecar).
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<core::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A value that is a credential rather than a name: a known key prefix, or
/// more than 40 characters of base64-like text that is not an env var name.
pub(crate) fn looks_like_secret(value: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "sk-",
        "sk_",
        "pk_",
        "rk_",
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
        "Bearer ",
        "Basic ",
    ];
    let base64ish = value
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-' | b'.'));
    PREFIXES.iter().any(|p| value.starts_with(p))
        || (value.len() > 40 && base64ish && !is_env_name(value))
}

fn is_env_name(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

fn url_has_credentials(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return true;
    }
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    query.split('&').any(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        !value.is_empty() && CREDENTIAL_PARAMS.contains(&name.to_ascii_lowercase().as_str())
    })
}

fn check_duplicate_ids(files: &mut [Checked]) {
    let mut first: BTreeMap<String, (String, usize, usize)> = BTreeMap::new();
    for file in files.iter_mut() {
        let Some((id, span)) = file.service_id.clone() else {
            continue;
        };
        match first.get(&id) {
            Some((path, line, col)) => {
                file.problems.push(
                    Problem::error(
                        code("duplicate-service-id"),
                        span,
                        format!("service_id `{id}` is already defined in {path}:{line}:{col}"),
                    )
                    .label("duplicate service_id")
                    .help(format!(
                        "give each service its own id, or keep one of the two files; a registry holds one `{id}`"
                    )),
                );
                file.contract = None;
            }
            None => {
                let (line, col) = yaml::LineIndex::new(&file.text).line_col(span.offset);
                first.insert(id, (file.path.clone(), line, col));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"apiVersion: caio/v1
service_id: demo-chat
name: Demo
version: 1.0.0
capabilities:
  - type: chat
guarantees:
  latency_ms: { p50: 100, p95: 200, p99: 300 }
  availability: 0.99
cost: { currency: USD, per_request: 0, per_1k_input_tokens: 0.001, per_1k_output_tokens: 0.002 }
privacy: { hosting: external, regions: [us], max_data_class: internal }
endpoint:
  url: https://api.example.com/v1/chat
  auth: { scheme: bearer, env: DEMO_API_KEY }
"#;

    fn codes(text: &str) -> Vec<String> {
        validate_text("t.yaml", text)
            .report
            .problems
            .into_iter()
            .map(|p| p.code)
            .collect()
    }

    #[test]
    fn provider_protocols_need_a_model_post_and_a_header_name() {
        use crate::contract::{AuthScheme, Protocol};
        let with = |endpoint: &str| {
            VALID.replace(
                "  url: https://api.example.com/v1/chat\n",
                &format!("  url: https://api.example.com/v1/chat\n{endpoint}"),
            )
        };
        let ok = validate_text(
            "t.yaml",
            &with("  protocol: openai-chat\n  model: gpt-4o-mini\n"),
        );
        let c = ok.contract.expect("valid");
        assert_eq!(c.endpoint.protocol, Protocol::OpenaiChat);
        assert_eq!(c.endpoint.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(
            codes(&with("  protocol: anthropic-messages\n")),
            ["contract::missing-key"]
        );
        assert_eq!(
            codes(&with(
                "  protocol: openai-embeddings\n  model: e\n  method: GET\n"
            )),
            ["contract::invalid-value"]
        );
        assert_eq!(
            codes(&with("  protocol: openai-chatt\n  model: m\n")),
            ["contract::invalid-value"]
        );
        assert_eq!(
            codes(&with("  model: two words\n")),
            ["contract::invalid-name"]
        );
        // http needs no model, and is the default.
        let http = validate_text("t.yaml", &with("  protocol: http\n"))
            .contract
            .expect("valid");
        assert_eq!(http.endpoint.protocol, Protocol::Http);
        let auth =
            |line: &str| VALID.replace("  auth: { scheme: bearer, env: DEMO_API_KEY }\n", line);
        assert_eq!(
            codes(&auth("  auth: { scheme: header, env: KEY }\n")),
            ["contract::missing-key"]
        );
        // scheme defaults to bearer.
        let bearer = validate_text("t.yaml", &auth("  auth: { env: KEY }\n"))
            .contract
            .expect("valid");
        assert_eq!(bearer.endpoint.auth.unwrap().scheme, AuthScheme::Bearer);
    }

    #[test]
    fn a_contract_without_a_protocol_keeps_its_canonical_form() {
        let c = validate_text("t.yaml", VALID).contract.expect("valid");
        let json = serde_json::to_string(&c.endpoint).unwrap();
        assert!(
            !json.contains("protocol") && !json.contains("model"),
            "{json}"
        );
    }

    #[test]
    fn valid_contract_builds_the_model_with_defaults() {
        let f = validate_text("t.yaml", VALID);
        assert!(f.report.problems.is_empty(), "{:?}", f.report.problems);
        let c = f.contract.unwrap();
        assert_eq!(c.endpoint.timeout_ms, super::super::DEFAULT_TIMEOUT_MS);
        assert_eq!(c.access.min_trust, super::super::Trust::Low);
        assert!(!c.privacy.pii_allowed);
    }

    #[test]
    fn plain_http_to_this_machine_is_not_insecure() {
        for url in [
            "http://127.0.0.1:8080/v1",
            "http://localhost/x",
            "http://[::1]:9/",
            "http://127.3.4.5",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn latency_order() {
        let t = VALID.replace("p95: 200", "p95: 50");
        assert_eq!(codes(&t), ["contract::latency-order"]);
    }

    #[test]
    fn secrets_are_found_and_masked() {
        let t = VALID.replace("env: DEMO_API_KEY", "env: sk-proj-abcdef0123456789");
        let f = validate_text("t.yaml", &t);
        assert_eq!(f.report.problems[0].code, "contract::inline-secret");
        assert!(!f.report.text.contains("sk-proj"));
        assert!(!f.report.problems[0].message.contains("sk-proj"));
    }

    #[test]
    fn secret_heuristics() {
        assert!(looks_like_secret("sk-abc"));
        assert!(looks_like_secret(
            "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4"
        ));
        assert!(!looks_like_secret("MISTRAL_API_KEY"));
        assert!(!looks_like_secret(
            "A_VERY_LONG_ENVIRONMENT_VARIABLE_NAME_FOR_THE_KEY"
        ));
        assert!(!looks_like_secret("2023-06-01"));
        assert!(url_has_credentials("https://u:p@host/x"));
        assert!(url_has_credentials("https://host/x?key=abc"));
        assert!(!url_has_credentials("https://host/x?model=abc"));
    }

    #[test]
    fn all_problems_in_one_pass() {
        let t = VALID
            .replace("name: Demo", "nmae: Demo")
            .replace("p95: 200", "p95: 50")
            .replace("currency: USD", "currency: usd");
        assert_eq!(
            codes(&t),
            [
                "contract::missing-key",
                "contract::unknown-key",
                "contract::latency-order",
                "contract::invalid-currency"
            ]
        );
    }
}
