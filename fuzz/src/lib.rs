//! The bodies of caio's fuzz targets: one function per target, taking the
//! fuzzer's bytes. The targets in `fuzz_targets/` call them on a nightly
//! toolchain, and `cargo test` (tests/cli/fuzz_corpus.rs includes this file)
//! replays every committed corpus file through the same functions on stable,
//! so an input that once broke caio keeps being checked in CI.
//!
//! A target passes when it returns: a panic is the failure. Texts that are
//! not UTF-8 are read lossily, so every input reaches the parser.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use caio_core::contract::ServiceContract;
use caio_core::diagnostic::{FileReport, Problem, Severity};
use caio_core::license::envelope::{LICENSE, REVOCATIONS};
use caio_core::license::{KeySource, PublicKey, TrustedKeys, VendorKey, claims, revocation};
use caio_core::policy::PolicySet;
use caio_core::request::Request;
use caio_core::routing::{self, Candidate, Compiled, Detail, Identity};
use caio_core::trace::note;
use caio_core::yaml::Span;
use ed25519_dalek::{Signer, SigningKey};
use jiff::Timestamp;
use std::path::Path;
use std::sync::OnceLock;

/// One fuzz target: its name (the directory of its corpus under
/// `fuzz/corpus/`), the largest input it is run with and its body.
pub struct Target {
    pub name: &'static str,
    pub max_len: usize,
    pub run: fn(&[u8]),
}

/// Every target, in the order the README lists them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "contract",
        max_len: 16 * 1024,
        run: contract,
    },
    Target {
        name: "policy",
        max_len: 16 * 1024,
        run: policy,
    },
    Target {
        name: "request",
        max_len: 16 * 1024,
        run: request,
    },
    Target {
        name: "license",
        max_len: 4 * 1024,
        run: license,
    },
    Target {
        name: "revocation",
        max_len: 4 * 1024,
        run: revocation_list,
    },
    Target {
        name: "checkpoint",
        max_len: 2 * 1024,
        run: checkpoint,
    },
    Target {
        name: "render",
        max_len: 16 * 1024,
        run: render,
    },
    Target {
        name: "compiled",
        max_len: 16 * 1024,
        run: compiled,
    },
];

/// How long a repeated text of the render target grows: past the 65,535
/// columns miette's formatting cannot pad to.
const WIDE: usize = 70_000;

/// The seed of the vendor key every licence and revocation list is checked
/// against (`fuzz/seed-corpus` signs the seed corpus with the same key).
const VENDOR_SEED: [u8; 32] = [0x42; 32];

/// The seed and name of the instance key the checkpoint target signs with.
const INSTANCE_SEED: [u8; 32] = [0x43; 32];
const INSTANCE_NAME: &str = "caio/fuzz";

/// Contract validation, both layers: `caio contract validate` on one file.
pub fn contract(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let file = caio_core::contract::validate_text("fuzz.yaml", &text);
    // A contract that passed builds its canonical form (its content hash).
    if let Some(contract) = &file.contract {
        let _ = caio_core::canonical::to_jcs(contract);
    }
}

/// A policy file: `caio policy validate` on one file.
pub fn policy(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = caio_core::policy::load::load_text("fuzz.yaml", &text, Path::new("."));
}

/// A route request's JSON.
pub fn request(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = caio_core::request::parse("fuzz.json", &text);
}

/// A licence: a text with the envelope's prefix is decoded as `caio license
/// install` reads a file (trimmed); anything else is signed as a payload
/// with the trusted key first, so the claims behind the signature are
/// fuzzed too. Every input is also read as a public key (`license trust
/// vendor.pub`).
pub fn license(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = PublicKey::parse(&text);
    let decoded = match text.trim().strip_prefix("caio-lic-v1.") {
        Some(_) => claims::decode(text.trim(), trusted()),
        None => claims::decode(&LICENSE.seal(data, vendor_key()), trusted()),
    };
    if let Ok(license) = decoded {
        for now in instants() {
            let _ = license.standing(now, None);
        }
        let _ = license.valid_through();
    }
}

/// A revocation list, decoded as received or signed first, as for licences.
pub fn revocation_list(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let decoded = match text.trim().strip_prefix("caio-rev-v1.") {
        Some(_) => revocation::decode(text.trim(), trusted()),
        None => revocation::decode(&REVOCATIONS.seal(data, vendor_key()), trusted()),
    };
    if let Ok(list) = decoded {
        for now in instants() {
            let _ = list.check_time(now);
        }
    }
}

/// A checkpoint signed note. The first line is read as a verifier key
/// (`--public-key`, `keys/instance.pub`); when it is one, the rest is
/// verified with it as received. Otherwise the rest's text is signed with the
/// fuzz instance key first (its other signature lines kept), so the
/// checkpoint's claims are fuzzed too.
pub fn checkpoint(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (key_line, rest) = text.split_once('\n').unwrap_or((&text, ""));
    match note::parse_verifier_key(key_line) {
        Ok((name, key)) => {
            // A key that parses is written back the same way.
            assert_eq!(note::verifier_key(&name, &key), key_line.trim());
            let _ = note::verify(rest, &name, &key);
        }
        Err(_) => {
            let key = instance_key();
            let _ = note::verify(&signed_note(rest, key), INSTANCE_NAME, &key.verifying_key());
        }
    }
}

/// The human diagnostic renderer on a report of arbitrary problems over an
/// arbitrary text: byte 0 sets the width (its top bit repeats the text past
/// [`WIDE`] bytes, so small inputs make lines wider than miette can
/// format), byte 1 the number of problems, then 7 bytes per problem
/// (offset: 3, length: 2, flags: 1, quoted characters: 1); the rest is the
/// file's text. Spans may run past the text or split a character.
pub fn render(data: &[u8]) {
    let [head, count, rest @ ..] = data else {
        return;
    };
    let count = usize::from(*count).min(rest.len() / 7);
    let (heads, text) = rest.split_at(count * 7);
    let mut text = String::from_utf8_lossy(text).into_owned();
    if head & 0x80 != 0 && !text.is_empty() {
        text = text.repeat(WIDE / text.len() + 1);
    }
    let bound = text.len() + 8;
    let problems = heads
        .chunks_exact(7)
        .map(|h| {
            let offset = u32::from_le_bytes([h[0], h[1], h[2], 0]) as usize;
            let len = usize::from(u16::from_le_bytes([h[3], h[4]]));
            let span = Span::new(offset % bound, len % bound);
            let (flags, quoted) = (h[5], usize::from(h[6]));
            // Messages and labels quote the file, as "unknown key `…`" does.
            let quote: String = text
                .get(span.offset..)
                .unwrap_or_default()
                .chars()
                .take(quoted)
                .collect();
            let code = [
                "contract::unknown-key",
                "policy::invalid-value",
                "request::wrong-type",
            ][usize::from(flags & 3) % 3];
            let mut problem =
                Problem::error(code.to_string(), span, format!("unknown key `{quote}`"));
            if flags & 4 != 0 {
                problem.severity = Severity::Warning;
            }
            if flags & 8 != 0 {
                problem = problem.label(quote.clone());
            }
            if flags & 16 != 0 {
                problem = problem.help(format!("did you mean `{quote}`?"));
            }
            problem
        })
        .collect();
    let report = FileReport::new("fuzz.yaml".to_string(), text, problems);
    let _ = caio::ui::render_file_problems(&report, 40 + usize::from(head & 0x7f));
    let _ = report.json_diagnostics();
}

/// A compiled candidate form as a store keeps it (`Compiled::decode`), for
/// a list of the shipped contracts; a form that decodes routes a chat, an
/// embedding and a chain request over that list with the shipped policies,
/// worded and brief. The rows may name other contracts than the list holds (a
/// damaged or foreign form): whatever they say, nothing panics.
pub fn compiled(data: &[u8]) {
    let (contracts, policies) = shipped();
    let candidates: Vec<Candidate<'_>> = contracts.iter().map(Candidate::active).collect();
    let Some(form) = Compiled::decode(data, candidates.len()) else {
        return;
    };
    for request in requests() {
        for detail in [Detail::Full, Detail::Brief] {
            let _ = routing::route_compiled(
                request,
                &Identity::Anonymous,
                &candidates,
                &form,
                policies,
                Some(0),
                detail,
            );
        }
    }
}

/// What the compiled target routes: a chat and an embedding request, and a
/// chain of the two (its steps share the form).
fn requests() -> &'static [Request] {
    static REQUESTS: OnceLock<Vec<Request>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        let chain = r#"{"chain": [
            {"capability": "embedding", "input": {"tokens": 100}},
            {"capability": "chat", "input": {"tokens": 100, "expected_output_tokens": 50}}
        ]}"#;
        let mut requests = vec![
            Request::for_capability("chat"),
            Request::for_capability("embedding"),
        ];
        requests.extend(caio_core::request::parse("chain.json", chain).ok());
        requests
    })
}

/// The shipped contracts (sorted by id) and policy set, read once.
fn shipped() -> &'static (Vec<ServiceContract>, PolicySet) {
    static SHIPPED: OnceLock<(Vec<ServiceContract>, PolicySet)> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        // The repository: this crate's parent, or the crate itself when the
        // corpus replay (`tests/cli/fuzz_corpus.rs`) includes this file.
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = match manifest.join("contracts").is_dir() {
            true => manifest,
            false => manifest.parent().unwrap_or(manifest),
        };
        let read = |dir: &str| {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
            paths.sort();
            paths
        };
        let mut contracts: Vec<ServiceContract> = read("contracts")
            .iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(p).ok()?;
                caio_core::contract::validate_text("c.yaml", &text).contract
            })
            .collect();
        contracts.sort_by(|a, b| a.service_id.cmp(&b.service_id));
        let policies = read("policies")
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .flat_map(|text| {
                caio_core::policy::load::load_text("p.yaml", &text, Path::new(".")).policies
            })
            .collect();
        (contracts, PolicySet::new(policies))
    })
}

fn vendor_key() -> &'static VendorKey {
    static KEY: OnceLock<VendorKey> = OnceLock::new();
    KEY.get_or_init(|| VendorKey::from_seed(&VENDOR_SEED))
}

fn trusted() -> &'static TrustedKeys {
    static KEYS: OnceLock<TrustedKeys> = OnceLock::new();
    KEYS.get_or_init(|| TrustedKeys::new([(vendor_key().public(), KeySource::Given)]))
}

fn instance_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&INSTANCE_SEED))
}

/// The ends of time and a day in between: where a licence's dates meet the
/// clock.
fn instants() -> [Timestamp; 3] {
    [
        Timestamp::MIN,
        Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH),
        Timestamp::MAX,
    ]
}

/// `note`'s text (up to its blank line) signed by `key` as [`INSTANCE_NAME`],
/// in the C2SP signed-note form, followed by the note's own signature lines.
fn signed_note(note: &str, key: &SigningKey) -> String {
    let (body, signatures) = note.split_once("\n\n").unwrap_or((note, ""));
    let text = format!("{body}\n");
    let signature = key.sign(text.as_bytes());
    let mut blob = key_hash(key);
    blob.extend_from_slice(&signature.to_bytes());
    let line = format!("\u{2014} {INSTANCE_NAME} {}", STANDARD.encode(blob));
    format!("{text}\n{line}\n{signatures}")
}

/// The 4-byte key hash of the fuzz instance key, read back from its
/// verifier key string (`<name>+<hex key hash>+<key>`).
fn key_hash(key: &SigningKey) -> Vec<u8> {
    let vkey = note::verifier_key(INSTANCE_NAME, &key.verifying_key());
    let hex = vkey.split('+').nth(1).unwrap_or_default();
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}
