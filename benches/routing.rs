//! `cargo bench --bench routing`: the routing targets of SPEC §12, as medians.
//!
//! 1. in process: `caio_core::routing::route_compiled` over 1,000 eligible
//!    candidates compiled beforehand, with the shipped policies: a brief
//!    decision (the best five listed, every candidate counted; goal ≤ 50 µs
//!    per decision) and one listing every candidate, and what compiling
//!    them costs;
//!    1b. the same at 10, 100, 1,000 and 10,000 candidates, to show how the
//!    cost grows (goal: linear, ≤ 500 µs at 10,000);
//! 2. in process: a chain of 5 steps × 50 candidates whose latency and cost
//!    bounds make the greedy choice infeasible (goal ≤ 10 ms);
//! 3. `caio route` end to end (process start, open the database, load the
//!    candidates, route, print) with 1,000 and 10,000 registered services in
//!    a fresh home with the shipped policies applied (goals ≤ 8 ms and
//!    ≤ 30 ms), the peak RSS of one such route (goal ≤ 48 MiB with 10,000;
//!    read from GNU `/usr/bin/time -v`, skipped when it is missing), and a
//!    rough breakdown: process start alone, store open + candidate load in
//!    process, the routing core over the loaded candidates, and
//!    `Router::route` cold and warm (the difference from the core is mostly
//!    the decision id: the canonical JSON hash of the decision);
//! 4. `caio route --batch` of 10,000 request lines against 1,000 services
//!    (goal ≥ 50,000 decisions/s), the output read as it streams.
//!
//! Sections can be picked: `cargo bench --bench routing -- core scaling chain
//! route batch` (all by default). The whole run takes a few minutes, mostly the
//! batch while it is far from its goal.
//!
//! The binary is the one cargo builds for the bench (`CARGO_BIN_EXE_caio`,
//! the optimised bench profile). The registries are copies of the shipped
//! contracts with fresh ids (`support::generated_contracts`), so about 8 in
//! 18 of them offer `chat`, the capability routed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup

#[allow(dead_code)] // caio_command: this bench clears the environment
mod support;

/// The allocator the `caio` binary uses, so in-process numbers match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use caio_core::contract::{Hosting, ServiceContract};
use caio_core::policy::PolicySet;
use caio_core::request::{Input, Priority, Request, Step};
use caio_core::routing::{self, Candidate, Detail, Identity, Outcome};
use caio_store::Store;
use caio_store::home::Home;
use caio_store::router::Router;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{batch_lines, fresh_dir, generated_contracts, median, ms, run_ok};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The shipped policy set (`policies/`).
fn shipped_policies() -> PolicySet {
    let run = caio::app::documents::load_policies(&[root().join("policies")]);
    run.set().expect("the shipped policies are valid")
}

/// A shipped contract, read and validated.
fn template(name: &str) -> ServiceContract {
    let path = root().join("contracts").join(name);
    let text = std::fs::read_to_string(&path).expect("read contract");
    caio_core::contract::validate_text(&path.display().to_string(), &text)
        .contract
        .expect("the shipped contract is valid")
}

/// A deterministic pseudo-random number in [0, 1) from `i` (SplitMix64).
fn noise(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

// ---------------------------------------------------------------------------
// 1. In process, 1,000 eligible candidates
// ---------------------------------------------------------------------------

/// `n` chat services any anonymous caller may use, with distinct latencies,
/// costs and accuracies; every third one internal (the `prefer-internal`
/// policy applies to it).
fn eligible_chat_services(n: usize) -> Vec<ServiceContract> {
    let base = template("openai-gpt-4o-mini.yaml");
    (0..n)
        .map(|i| {
            let mut c = base.clone();
            c.service_id = format!("chat-{i:05}");
            let p95 = 200.0 + 1.7 * i as f64 + 50.0 * noise(i as u64);
            c.guarantees.latency_ms.p50 = p95 / 2.0;
            c.guarantees.latency_ms.p95 = p95;
            c.guarantees.latency_ms.p99 = p95 * 2.0;
            c.guarantees.accuracy = Some(0.5 + 0.45 * noise(i as u64 + 7_000));
            c.guarantees.availability = 0.99 + 0.0099 * noise(i as u64 + 9_000);
            c.cost.per_1k_input_tokens = 0.0001 + 0.000_013 * i as f64;
            c.cost.per_1k_output_tokens = 0.0004 + 0.000_031 * i as f64;
            c.privacy.hosting = if i % 3 == 0 {
                Hosting::Internal
            } else {
                Hosting::External
            };
            c.tags = vec!["llm".into(), if i % 2 == 0 { "eu" } else { "us" }.into()];
            c
        })
        .collect()
}

/// The in-process request: chat, 1,200 tokens in and 400 out, `eu` preferred.
fn chat_request() -> Request {
    let mut request = Request::for_capability("chat");
    request.input.tokens = 1200;
    request.input.expected_output_tokens = 400;
    request.preferences.prefer_tags = vec!["eu".into()];
    request
}

/// Median time of one decision over candidates compiled beforehand.
fn route_median(
    request: &Request,
    candidates: &[Candidate<'_>],
    compiled: &routing::Compiled,
    policies: &PolicySet,
    detail: Detail,
    runs: usize,
) -> Duration {
    median(runs, || {
        let d = routing::route_compiled(
            request,
            &Identity::Anonymous,
            candidates,
            compiled,
            policies,
            None,
            detail,
        );
        std::hint::black_box(d);
    })
}

fn bench_in_process() {
    bench_in_process_at(1_000, 301);
    bench_in_process_at(10_000, 31);
}

fn bench_in_process_at(n: usize, runs: usize) {
    let contracts = eligible_chat_services(n);
    let candidates: Vec<Candidate<'_>> = contracts.iter().map(Candidate::active).collect();
    let policies = shipped_policies();
    let request = chat_request();
    let decision = routing::route(&request, &Identity::Anonymous, &candidates, &policies);
    assert_eq!(decision.outcome, Outcome::Routed);
    let eligible = decision.steps[0].eligible().count();
    assert_eq!(eligible, n, "{}", decision.summary);
    // The compiled form is built when the candidate list changes (the
    // router keeps it), not per decision.
    let compiled = routing::Compiled::new(&candidates);
    let brief = route_median(
        &request,
        &candidates,
        &compiled,
        &policies,
        Detail::Brief,
        runs,
    );
    let full = route_median(
        &request,
        &candidates,
        &compiled,
        &policies,
        Detail::Full,
        runs,
    );
    let compile = median(runs, || {
        std::hint::black_box(routing::Compiled::new(&candidates));
    });
    println!(
        "1. in process: route over {n} eligible candidates, {} shipped rules ({runs} runs, median):",
        policies.policies().len()
    );
    println!(
        "   {:>10.1} µs per decision, brief: the best {} listed, every candidate counted (goal ≤ {} µs)",
        us(brief),
        routing::BRIEF_TOP,
        n / 20
    );
    println!(
        "   {:>10.1} µs per decision listing every candidate (what `caio route --format json` prints)",
        us(full)
    );
    println!(
        "   {:>10.1} µs to compile the candidates, once per candidate list",
        us(compile)
    );
    // Where the time goes: the same decision without policies, and the
    // decision serialised as the CLI prints it.
    let none = PolicySet::default();
    let bare = median(runs, || {
        std::hint::black_box(routing::route_compiled(
            &request,
            &Identity::Anonymous,
            &candidates,
            &compiled,
            &none,
            None,
            Detail::Brief,
        ));
    });
    let json = median(runs, || {
        std::hint::black_box(serde_json::to_string(&decision).unwrap());
    });
    // The two halves of `route` for one step (public parts of the core):
    // the pipeline with the scores, then the public per-candidate result.
    let principal = caio_core::principal::Principal::anonymous();
    let env = routing::pipeline::Env {
        request: &request,
        identity: &Identity::Anonymous,
        principal: &principal,
        policies: &policies,
        chained: false,
        detail: Detail::Full,
    };
    let step = request.steps().remove(0);
    let pipeline = median(runs, || {
        std::hint::black_box(routing::pipeline::evaluate_step(
            &env,
            0,
            &step,
            &compiled,
            &candidates,
        ));
    });
    // `into_result` uses its evaluation up: timed on a fresh copy, less
    // the time of the copy alone.
    let eval = routing::pipeline::evaluate_step(&env, 0, &step, &compiled, &candidates);
    let copy = median(runs, || {
        std::hint::black_box(eval.clone());
    });
    let result = median(runs, || {
        std::hint::black_box(eval.clone().into_result(Some(0), Detail::Full));
    })
    .saturating_sub(copy);
    println!(
        "   {:>10.1} µs of it in the pipeline and scores (evaluate_step)",
        us(pipeline)
    );
    println!(
        "   {:>10.1} µs of it building every per-candidate result (StepEval::into_result)",
        us(result)
    );
    println!("   {:>10.1} µs brief without any policy", us(bare));
    println!(
        "   {:>10.1} µs more to serialise the decision as JSON ({} KiB)",
        us(json),
        serde_json::to_string(&decision).unwrap().len() / 1024
    );
}

/// How the in-process cost grows: 10, 100, 1,000 and 10,000 eligible
/// candidates with the shipped rules (SPEC §12: linear; ≤ 50 µs at 1,000
/// and ≤ 500 µs at 10,000).
fn bench_scaling() {
    let policies = shipped_policies();
    let request = chat_request();
    println!(
        "1b. in process: how the cost grows with the candidates (median; brief, and listing every candidate):"
    );
    println!(
        "   {:>8}  {:>12}  {:>14}  {:>8}  {:>12}  {:>8}",
        "N", "µs brief", "ns/candidate", "×prev", "µs full", "×prev"
    );
    let mut previous: Option<(f64, f64)> = None;
    for n in [10usize, 100, 1_000, 10_000] {
        let contracts = eligible_chat_services(n);
        let candidates: Vec<Candidate<'_>> = contracts.iter().map(Candidate::active).collect();
        let compiled = routing::Compiled::new(&candidates);
        let runs = if n >= 10_000 { 31 } else { 201 };
        let time = |detail| {
            us(route_median(
                &request,
                &candidates,
                &compiled,
                &policies,
                detail,
                runs,
            ))
        };
        let (brief, full) = (time(Detail::Brief), time(Detail::Full));
        let growth = |t: f64, p: Option<f64>| p.map_or("".to_string(), |p| format!("{:.1}", t / p));
        println!(
            "   {n:>8}  {brief:>12.1}  {:>14.0}  {:>8}  {full:>12.1}  {:>8}",
            brief * 1000.0 / n as f64,
            growth(brief, previous.map(|p| p.0)),
            growth(full, previous.map(|p| p.1)),
        );
        previous = Some((brief, full));
    }
}

// ---------------------------------------------------------------------------
// 2. Chain, 5 steps × 50 candidates
// ---------------------------------------------------------------------------

const CHAIN_STEPS: [&str; 5] = ["transcribe", "translate", "summarize", "classify", "speak"];

/// 50 services per step: the better a service's accuracy, the slower and
/// the more expensive it is (with noise), so under `quality` weights the
/// greedy chain (each step's best) is the slowest and costliest one.
fn chain_services(per_step: usize) -> Vec<ServiceContract> {
    let base = template("openai-gpt-4o-mini.yaml");
    let mut out = Vec::new();
    for (s, capability) in CHAIN_STEPS.iter().enumerate() {
        for j in 0..per_step {
            let k = (s * 1000 + j) as u64;
            let mut c = base.clone();
            c.service_id = format!("{capability}-{j:02}");
            c.capabilities[0].kind = capability.to_string();
            let rank = j as f64 / per_step as f64;
            let p95 = 100.0 + 900.0 * rank + 150.0 * noise(k);
            c.guarantees.latency_ms.p50 = p95 / 2.0;
            c.guarantees.latency_ms.p95 = p95;
            c.guarantees.latency_ms.p99 = p95 * 2.0;
            c.guarantees.accuracy = Some(0.3 + 0.65 * rank + 0.05 * noise(k + 1));
            c.guarantees.availability = 0.999;
            c.cost.per_request = 0.001 + 0.02 * rank * (0.8 + 0.4 * noise(k + 2));
            c.cost.per_1k_input_tokens = 0.0;
            c.cost.per_1k_output_tokens = 0.0;
            out.push(c);
        }
    }
    out
}

fn chain_request(max_latency: f64, max_cost: f64) -> Request {
    let mut r = Request::for_capability(CHAIN_STEPS[0]);
    r.capability = None;
    r.chain = Some(
        CHAIN_STEPS
            .iter()
            .map(|c| Step {
                capability: c.to_string(),
                input: Input::default(),
            })
            .collect(),
    );
    r.preferences.priority = Priority::Quality;
    r.requirements.max_latency_p95_ms = Some(max_latency);
    r.requirements.max_cost = Some(max_cost);
    r
}

fn bench_chain() {
    const PER_STEP: usize = 50;
    const RUNS: usize = 21;
    let contracts = chain_services(PER_STEP);
    let candidates: Vec<Candidate<'_>> = contracts.iter().map(Candidate::active).collect();
    let policies = shipped_policies();
    // The greedy chain: each step's best score, without bounds.
    let free = routing::route(
        &chain_request(f64::INFINITY, f64::INFINITY),
        &Identity::Anonymous,
        &candidates,
        &policies,
    );
    assert_eq!(free.outcome, Outcome::Routed);
    let greedy = free.guarantees.clone().expect("routed");
    println!(
        "2. in process: chain of {} steps × {PER_STEP} candidates, bounds below the greedy chain's \
         ({:.0} ms, {:.4}) ({RUNS} runs, median):",
        CHAIN_STEPS.len(),
        greedy.latency_p95_ms,
        greedy.cost
    );
    let mut worst = Duration::ZERO;
    for (label, fraction) in [
        ("loose: 80% of greedy", 0.8),
        ("medium: 55% of greedy", 0.55),
        ("tight: 35% of greedy", 0.35),
        ("very tight: 22% of greedy", 0.22),
    ] {
        let request = chain_request(greedy.latency_p95_ms * fraction, greedy.cost * fraction);
        let d = routing::route(&request, &Identity::Anonymous, &candidates, &policies);
        let t = median(RUNS, || {
            std::hint::black_box(routing::route(
                &request,
                &Identity::Anonymous,
                &candidates,
                &policies,
            ));
        });
        worst = worst.max(t);
        let what = match d.outcome {
            Outcome::Routed => {
                assert_ne!(
                    d.chosen, free.chosen,
                    "the bounds must rule out the greedy chain"
                );
                let g = d.guarantees.as_ref().unwrap();
                format!(
                    "routed, score {:.3} vs greedy {:.3}, {:.0} ms, cost {:.4}",
                    d.score.unwrap(),
                    free.score.unwrap(),
                    g.latency_p95_ms,
                    g.cost
                )
            }
            other => other.as_str().to_string(),
        };
        println!("   {:>10.3} ms  {label:<26} {what}", ms(t));
    }
    println!(
        "   {:>10.3} ms  worst of the above                   (goal ≤ 10 ms)",
        ms(worst)
    );
}

// ---------------------------------------------------------------------------
// 3. and 4. The binary, end to end
// ---------------------------------------------------------------------------

fn caio(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caio"));
    cmd.env_clear()
        .env("CAIO_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8");
    cmd
}

/// A home with `n` generated services and the shipped policies applied.
fn registry_home(n: usize) -> PathBuf {
    let contracts = generated_contracts(n, &format!("route-contracts-{n}"));
    let home = fresh_dir(&format!("route-home-{n}"));
    run_ok(caio(&home).args(["registry", "add", "-q"]).arg(&contracts));
    run_ok(
        caio(&home)
            .args(["policy", "apply", "-q"])
            .arg(root().join("policies")),
    );
    let _ = std::fs::remove_dir_all(&contracts);
    home
}

const REQUEST: &str = r#"{"capability": "chat", "input": {"tokens": 1200, "expected_output_tokens": 400, "language": "en"}, "data": {"class": "internal"}, "preferences": {"priority": "balanced", "prefer_tags": ["eu"]}}"#;

/// Peak RSS in KiB of one run, from GNU time's `-v` report.
fn peak_rss_kib(home: &Path, request: &Path) -> Option<u64> {
    if !Path::new("/usr/bin/time").is_file() {
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_caio"))
        .args(["route", "--format", "json"])
        .arg(request)
        .env_clear()
        .env("CAIO_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let report = String::from_utf8_lossy(&out.stderr);
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
}

fn bench_end_to_end() {
    const RUNS: usize = 21;
    let scratch = fresh_dir("route-requests");
    let request = scratch.join("request.json");
    std::fs::write(&request, REQUEST).expect("write request");
    let parsed = caio_core::request::parse("request.json", REQUEST).expect("the request is valid");
    let start = median(RUNS, || {
        run_ok(caio(&scratch).arg("--version"));
    });
    println!(
        "3. `caio route` end to end, fresh home, shipped policies applied ({RUNS} runs, median):"
    );
    println!(
        "   {:>10.2} ms  process start alone (`caio --version`)",
        ms(start)
    );
    for (n, goal) in [(1_000, 8.0), (10_000, 30.0)] {
        let t0 = Instant::now();
        let home = registry_home(n);
        let setup = t0.elapsed();
        let out = run_ok(
            caio(&home)
                .args(["route", "--format", "json"])
                .arg(&request),
        );
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("route prints JSON");
        assert_eq!(json["outcome"], "routed", "{json}");
        let candidates = json["candidates"].as_array().map_or(0, Vec::len);
        let t = median(RUNS, || {
            run_ok(
                caio(&home)
                    .args(["route", "--format", "json"])
                    .arg(&request)
                    .stdout(Stdio::null()),
            );
        });
        let human = median(RUNS, || {
            run_ok(caio(&home).arg("route").arg(&request).stdout(Stdio::null()));
        });
        // Rough profile, in process: open + load the candidates, then route.
        let store_home = Home { path: home.clone() };
        let load = median(RUNS, || {
            let store = Store::open_existing(&store_home, Duration::from_secs(5)).unwrap();
            let records = store.services_for_capability("chat").unwrap();
            std::hint::black_box(records);
        });
        let store = Store::open_existing(&store_home, Duration::from_secs(5)).unwrap();
        let records = store.services_for_capability("chat").unwrap();
        let policies = store.active_policy_set().unwrap();
        // The router as `caio route` runs it: a cold router (loads the
        // candidates), then a warm one (cached candidates: core + decision id).
        let cold = median(RUNS, || {
            let store = Store::open_existing(&store_home, Duration::from_secs(5)).unwrap();
            let mut router = Router::registry(store, store_home.clone()).unwrap();
            std::hint::black_box(router.route(&parsed).unwrap());
        });
        let mut router = Router::registry(
            Store::open_existing(&store_home, Duration::from_secs(5)).unwrap(),
            store_home.clone(),
        )
        .unwrap();
        let warm = median(RUNS, || {
            std::hint::black_box(router.route(&parsed).unwrap());
        });
        let core = median(RUNS, || {
            let candidates: Vec<Candidate<'_>> = records
                .iter()
                .map(|r| Candidate {
                    contract: (&r.contract).into(),
                    status: r.status,
                    status_reason: r.status_reason.as_deref(),
                    stats: Default::default(),
                })
                .collect();
            std::hint::black_box(routing::route(
                &parsed,
                &Identity::Anonymous,
                &candidates,
                &policies,
            ));
        });
        println!(
            "   {n:>6} services ({candidates} offer chat; setup {:.1} s):",
            setup.as_secs_f64()
        );
        println!(
            "   {:>10.2} ms  caio route --format json                (goal ≤ {goal} ms)",
            ms(t)
        );
        println!("   {:>10.2} ms  caio route (human output)", ms(human));
        println!(
            "   {:>10.2} ms    of which, in process: open store + load candidates",
            ms(load)
        );
        println!(
            "   {:>10.2} ms    of which, in process: routing core",
            ms(core)
        );
        println!(
            "   {:>10.2} ms  in process: Router::route, cold (open + load + core + decision id)",
            ms(cold)
        );
        println!(
            "   {:>10.2} ms  in process: Router::route, warm (core + decision id)",
            ms(warm)
        );
        match peak_rss_kib(&home, &request) {
            Some(kib) => println!(
                "   {:>10.1} MiB peak RSS of one route                (goal ≤ 48 MiB with 10,000)",
                kib as f64 / 1024.0
            ),
            None => println!("   peak RSS: skipped (GNU /usr/bin/time is not installed)"),
        }
        let _ = std::fs::remove_dir_all(&home);
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Runs one batch, counting the output lines as they stream (the consumer
/// a script would be); returns the wall time and the line count.
fn run_batch(home: &Path, file: &Path) -> (Duration, usize) {
    use std::io::Read;
    let start = Instant::now();
    let mut child = caio(home)
        .args(["route", "--batch"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run caio");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0;
    loop {
        let n = stdout.read(&mut buf).expect("read stdout");
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count();
    }
    let out = child.wait_with_output().expect("wait for caio");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "caio route --batch failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (elapsed, lines)
}

fn bench_batch() {
    const SERVICES: usize = 1_000;
    const LINES: usize = 10_000;
    const RUNS: usize = 3;
    let home = registry_home(SERVICES);
    let scratch = fresh_dir("route-batch");
    let file = scratch.join("batch.jsonl");
    std::fs::write(&file, batch_lines(LINES)).expect("write batch");
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let (t, lines) = run_batch(&home, &file);
            assert_eq!(lines, LINES);
            t
        })
        .collect();
    times.sort();
    let t = times[RUNS / 2];
    println!(
        "4. `caio route --batch`, {LINES} lines against {SERVICES} services ({RUNS} runs, median):"
    );
    println!(
        "   {:>10.1} ms  → {:.0} decisions/s                (goal ≥ 50,000/s; traces on)",
        ms(t),
        LINES as f64 / t.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&home);
    let _ = std::fs::remove_dir_all(&scratch);
}

/// `cargo bench --bench routing [-- SECTION...]`: sections `core`,
/// `chain`, `route` (end to end) and `batch`; all by default.
fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    if run("core") {
        bench_in_process();
    }
    if run("scaling") {
        bench_scaling();
    }
    if run("chain") {
        bench_chain();
    }
    if run("route") {
        bench_end_to_end();
    }
    if run("batch") {
        bench_batch();
    }
}
