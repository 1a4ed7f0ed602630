#!/usr/bin/env python3
"""Scaling comparison: caio against LiteLLM's Router on the same registries.

For each registry size (10, 100, 1,000 and 10,000 services by default;
100,000 with `--sizes`), this script:

1. writes that many contracts (copies of the shipped `contracts/` with fresh
   service ids, as `benches/support/mod.rs` does) and makes a fresh caio home
   with them (`init`, `registry add`, `policy apply policies/`, and the
   principals of `fixtures/principals/`, whose tokens the requests carry);
2. measures caio: `caio route fixtures/requests/chat-balanced.json` end to end
   (median wall time of the process, started here, after a warm-up) and its
   peak RSS (the child's rusage); `caio route --batch` over request lines made
   from `fixtures/requests/` (traces on); the bytes of each trace record the
   batch wrote and of the trace objects (read from `caio.db`); and
   `caio trace verify` over the whole chain, scaled to 1,000,000 records;
3. builds LiteLLM's Router (pinned 1.106.2, installed by this script in a
   throwaway venv under `target/compare-venv`) with one deployment per caio
   service offering `chat`, and times `Router.get_available_deployment` per
   decision, and a whole process (start, import, Router, one decision);
4. prints a Markdown table with the ratios, the machine and the versions;
   `--json FILE` also writes every raw number.

caio's side uses the Python standard library only. Run it through
`benches/compare.sh`, which builds the release binary first.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITELLM_VERSION = "1.106.2"  # pinned; 1.107.0 is never to be installed
LITELLM_WORKER = ROOT / "benches" / "compare_litellm.py"
ROUTE_FIXTURE = "chat-balanced.json"
ROUTE_PRINCIPAL = "globex-engineer"
# fixtures/requests/README.md: chat-balanced as globex-engineer goes to llama.
ROUTE_EXPECTED_PREFIX = "llama-3-70b-onprem-"
DEFAULT_SIZES = "10,100,1000,10000"


class Failed(Exception):
    """A step failed: the message says which, and what it printed."""


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------


def clean_env(extra=None):
    """The environment of every child: no user configuration leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
    }
    env.update(extra or {})
    return env


def run(step, argv, env=None):
    """Runs `argv` to completion; returns stdout; raises `Failed` on a non-zero exit."""
    try:
        proc = subprocess.run(
            [str(a) for a in argv],
            env=env if env is not None else clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
    except OSError as e:
        raise Failed(f"{step}: cannot run {argv[0]}: {e}") from e
    if proc.returncode != 0:
        raise Failed(
            f"{step}: `{' '.join(str(a) for a in argv)}` exited with {proc.returncode}\n"
            + tail(proc.stderr or proc.stdout)
        )
    return proc.stdout


def timed(step, argv, env, stdout=subprocess.DEVNULL):
    """Runs `argv` once; returns (wall seconds, peak RSS in bytes) from the
    start of the child to its reaping, with the child's own rusage."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                [str(a) for a in argv], env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err
            )
        except OSError as e:
            raise Failed(f"{step}: cannot run {argv[0]}: {e}") from e
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise Failed(
                f"{step}: `{' '.join(str(a) for a in argv)}` exited with {proc.returncode}\n"
                + tail(err.read())
            )
    # Linux reports ru_maxrss in KiB.
    return wall, usage.ru_maxrss * 1024


def parse_json(step, output):
    try:
        return json.loads(output)
    except ValueError as e:
        raise Failed(f"{step}: expected one JSON document, got ({e}):\n" + tail(output)) from e


def tail(output, lines=15):
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    kept = text.strip().splitlines()[-lines:]
    return "\n".join("    " + line for line in kept) or "    (no output)"


# ---------------------------------------------------------------------------
# Inputs: contracts, principals, requests
# ---------------------------------------------------------------------------


def shipped_contracts():
    """(service_id, text) of every contracts/*.yaml, sorted by file name."""
    out = []
    for path in sorted((ROOT / "contracts").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        ids = [
            line[len("service_id:") :].split("#")[0].strip()
            for line in text.splitlines()
            if line.startswith("service_id:")
        ]
        if not ids or not ids[0]:
            raise Failed(f"generate contracts: {path} has no `service_id:` line")
        out.append((ids[0], text))
    if not out:
        raise Failed(f"generate contracts: no *.yaml in {ROOT / 'contracts'}")
    return out


def generate_contracts(n, directory, sources):
    """`n` contracts in `directory`: copy i of shipped contract i mod 18 with
    the service id `<id>-<i:05>` (as `generated_contracts` in the benches)."""
    directory.mkdir(parents=True)
    for i in range(n):
        service_id, text = sources[i % len(sources)]
        text = text.replace(f"service_id: {service_id}", f"service_id: {service_id}-{i:05}", 1)
        (directory / f"svc-{i:05}.yaml").write_text(text, encoding="utf-8")


def read_principal(path):
    """The flat YAML of fixtures/principals/*.yaml: name, tenant, roles, trust."""
    fields = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#")[0].rstrip()
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or key.strip() not in ("name", "tenant", "roles", "trust"):
            raise Failed(f"read principals: {path}:{number}: expected name, tenant, roles or trust")
        value = value.strip()
        if key.strip() == "roles":
            if not (value.startswith("[") and value.endswith("]")):
                raise Failed(f"read principals: {path}:{number}: roles must be a [list]")
            value = [r.strip() for r in value[1:-1].split(",") if r.strip()]
        fields[key.strip()] = value
    if "name" not in fields or "trust" not in fields:
        raise Failed(f"read principals: {path} needs at least name and trust")
    return fields


def fixture_principals():
    """{request file name: principal name or None (anonymous)}, from the
    summary table of fixtures/requests/README.md."""
    readme = ROOT / "fixtures" / "requests" / "README.md"
    mapping = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`[\w.-]+\.json`", cells[0]):
            who = cells[2]
            if who == "*anonymous*":
                mapping[cells[0].strip("`")] = None
            elif re.fullmatch(r"`[\w.-]+`", who):
                mapping[cells[0].strip("`")] = who.strip("`")
    files = sorted(p.name for p in (ROOT / "fixtures" / "requests").glob("*.json"))
    missing = [f for f in files if f not in mapping]
    if missing or not files:
        raise Failed(
            f"read fixtures: {readme} has no principal for {', '.join(missing) or 'any request'}"
        )
    return mapping


def batch_file(path, lines, principals, tokens):
    """`lines` request lines cycling through fixtures/requests/*.json, each
    with the token of the principal it is meant for (none: anonymous)."""
    requests = []
    for name in sorted(principals):
        request = json.loads((ROOT / "fixtures" / "requests" / name).read_text(encoding="utf-8"))
        who = principals[name]
        if who is not None:
            request["auth"] = {"token": tokens[who]}
        requests.append(request)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(lines):
            request = dict(requests[i % len(requests)])
            request["request_id"] = f"{request.get('request_id', 'request')}-{i}"
            f.write(json.dumps(request, separators=(",", ":")))
            f.write("\n")


# ---------------------------------------------------------------------------
# caio
# ---------------------------------------------------------------------------


class Caio:
    def __init__(self, binary, home):
        self.binary = binary
        self.home = home

    def argv(self, *args):
        return [self.binary, "--home", self.home, *args]

    def env(self, token=None):
        extra = {"HOME": str(self.home)}
        if token is not None:
            extra["CAIO_TOKEN"] = token
        return clean_env(extra)

    def run(self, step, *args):
        return run(step, self.argv(*args), env=self.env())


def make_home(caio, contracts, principal_files):
    caio.run("caio init", "init", "-q")
    caio.run("caio registry add", "registry", "add", "-q", contracts)
    caio.run("caio policy apply", "policy", "apply", "-q", ROOT / "policies")
    tokens = {}
    for path in principal_files:
        p = read_principal(path)
        args = ["principal", "add", p["name"], "--trust", p["trust"], "--format", "json"]
        if p.get("tenant"):
            args += ["--tenant", p["tenant"]]
        if p.get("roles"):
            args += ["--roles", ",".join(p["roles"])]
        out = caio.run(f"caio principal add {p['name']}", *args)
        tokens[p["name"]] = parse_json(f"caio principal add {p['name']}", out)["token"]
    return tokens


def db(home):
    """A read-only connection to the home's database (caio is not running)."""
    path = Path(home) / "caio.db"
    if not path.is_file():
        raise Failed(f"read the database: {path} does not exist")
    try:
        return contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    except sqlite3.Error as e:
        raise Failed(f"read the database {path}: {e}") from e


def chat_services(home):
    """The service ids caio would consider for `chat`: registered, not
    removed, offering the capability (drained/disabled excluded)."""
    with db(home) as conn:
        rows = conn.execute(
            "SELECT s.service_id FROM services s"
            " JOIN capability_index ci ON ci.service_id = s.service_id"
            " WHERE ci.capability = 'chat' AND s.removed_at IS NULL"
            " AND s.status IN ('active', 'degraded') ORDER BY s.service_id"
        ).fetchall()
    return [r[0] for r in rows]


def trace_head(home):
    with db(home) as conn:
        return conn.execute("SELECT coalesce(max(seq), 0) FROM traces").fetchone()[0]


def trace_sizes(home, after_seq):
    """Bytes of the records after `after_seq` and of all trace objects."""
    with db(home) as conn:
        count, avg, biggest = conn.execute(
            "SELECT count(*), avg(length(CAST(record AS BLOB))), max(length(CAST(record AS BLOB)))"
            " FROM traces WHERE seq > ?",
            (after_seq,),
        ).fetchone()
        total = conn.execute("SELECT count(*) FROM traces").fetchone()[0]
        objects, object_bytes = conn.execute(
            "SELECT count(*), coalesce(sum(length(CAST(body AS BLOB))), 0) FROM trace_objects"
        ).fetchone()
    return {
        "records_measured": count,
        "record_bytes_avg": avg,
        "record_bytes_max": biggest,
        "records_total": total,
        "objects": objects,
        "object_bytes": object_bytes,
        "db_bytes": sum(
            f.stat().st_size for f in Path(home).glob("caio.db*") if f.is_file()
        ),
    }


def measure_route(caio, token, runs):
    request = ROOT / "fixtures" / "requests" / ROUTE_FIXTURE
    # Correctness first: the route the timing repeats picks what the fixture expects.
    out = run(
        "caio route (check)",
        caio.argv("route", "--format", "json", request),
        env=caio.env(token),
    )
    decision = parse_json("caio route --format json", out)
    chosen = decision.get("service_id") or ""
    if decision.get("outcome") != "routed" or not chosen.startswith(ROUTE_EXPECTED_PREFIX):
        raise Failed(
            f"caio route: {ROUTE_FIXTURE} as {ROUTE_PRINCIPAL} should route to a copy of "
            f"{ROUTE_EXPECTED_PREFIX.rstrip('-')}, got outcome {decision.get('outcome')!r} "
            f"service {chosen!r}"
        )
    argv = caio.argv("route", request)
    env = caio.env(token)
    timed("caio route (warm-up)", argv, env)
    samples = [timed("caio route", argv, env) for _ in range(runs)]
    walls = [w for w, _ in samples]
    return {
        "chosen": chosen,
        "runs": runs,
        "median_s": statistics.median(walls),
        "times_s": walls,
        "peak_rss_bytes": max(r for _, r in samples),
    }


def run_batch(caio, path, lines, scratch):
    """One `caio route --batch` of `lines` lines: (wall s, peak RSS bytes,
    {outcome: count}); every line must yield a decision."""
    out_path = scratch / "batch.out"
    with open(out_path, "wb") as out:
        wall, rss = timed(
            "caio route --batch", caio.argv("route", "--batch", path), caio.env(), stdout=out
        )
    outcomes = {}
    count = 0
    with open(out_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            count += 1
            decision = parse_json(f"caio route --batch, line {number}", line)
            if "error" in decision:
                raise Failed(f"caio route --batch: line {number} was refused: {decision['error']}")
            outcome = decision.get("outcome")
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    out_path.unlink()
    if count != lines:
        raise Failed(f"caio route --batch: {count} decisions for {lines} lines")
    return wall, rss, outcomes


def measure_batch(caio, principals, tokens, args, scratch, start_s):
    """A probe batch (two rounds of the fixtures, untimed) estimates the
    rate, less `start_s` (what one process spends besides its lines: the
    end-to-end time of one route); the timed batches then get as many lines
    as fit in `--batch-seconds` together, at most `--batch-lines`, in whole
    rounds of the fixtures. Returns the measurement and the trace head
    before the timed batches."""
    path = scratch / "batch.jsonl"
    rounds = len(principals)
    probe = min(args.batch_lines, 2 * rounds)
    batch_file(path, probe, principals, tokens)
    wall, _, _ = run_batch(caio, path, probe, scratch)
    per_line = max(wall - start_s, wall / 2) / probe
    fitting = int((args.batch_seconds / args.batch_runs - start_s) / per_line)
    lines = min(args.batch_lines, max(probe, fitting - fitting % rounds))
    batch_file(path, lines, principals, tokens)
    before = trace_head(caio.home)
    results = [run_batch(caio, path, lines, scratch) for _ in range(args.batch_runs)]
    walls = [w for w, _, _ in results]
    median = statistics.median(walls)
    return before, {
        "lines": lines,
        "lines_requested": args.batch_lines,
        "cut_to_budget": lines < args.batch_lines,
        "probe_lines": probe,
        "probe_s": wall,
        "runs": args.batch_runs,
        "median_s": median,
        "times_s": walls,
        "decisions_per_s": lines / median,
        "peak_rss_bytes": max(r for _, r, _ in results),
        "outcomes": results[-1][2],
    }


def measure_verify(caio, runs):
    argv = caio.argv("trace", "verify", "-q")
    samples = [timed("caio trace verify", argv, caio.env()) for _ in range(runs)]
    walls = [w for w, _ in samples]
    return {"runs": runs, "median_s": statistics.median(walls), "times_s": walls}


# ---------------------------------------------------------------------------
# LiteLLM
# ---------------------------------------------------------------------------


def litellm_env():
    # No fetch of the model cost map at import (the bundled copy is used) and
    # no telemetry: the Router is measured offline.
    return clean_env({"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False"})


def installed_litellm(python):
    try:
        proc = subprocess.run(
            [str(python), "-c", "from importlib.metadata import version; print(version('litellm'))"],
            capture_output=True,
            env=litellm_env(),
        )
    except OSError:
        return None
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def ensure_venv(venv):
    """A venv with litellm==LITELLM_VERSION exactly (made or remade if not)."""
    python = venv / "bin" / "python"
    if python.is_file() and installed_litellm(python) == LITELLM_VERSION:
        return python
    log(f"installing litellm=={LITELLM_VERSION} into {venv} (once)")
    run("create the LiteLLM venv", [sys.executable, "-m", "venv", "--clear", venv])
    run(
        f"pip install litellm=={LITELLM_VERSION}",
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"litellm=={LITELLM_VERSION}"],
        env=dict(os.environ),  # the user's pip configuration (index, certificates) applies
    )
    found = installed_litellm(python)
    if found != LITELLM_VERSION:
        raise Failed(f"LiteLLM venv: expected litellm {LITELLM_VERSION}, found {found!r}")
    return python


def measure_litellm(python, services_file, strategy, calls, warmup, e2e_runs):
    base = [python, LITELLM_WORKER]
    env = litellm_env()
    once = []
    for _ in range(e2e_runs):
        with tempfile.TemporaryFile() as out:
            wall, rss = timed(
                "LiteLLM process (start, Router, one decision)",
                [*base, "once", services_file, strategy],
                env,
                stdout=out,
            )
            out.seek(0)
            report = parse_json("LiteLLM process", out.read())
        once.append({"wall_s": wall, "peak_rss_bytes": rss, **report})
    out = run(
        "LiteLLM get_available_deployment",
        [*base, "decisions", services_file, strategy, calls, warmup],
        env=env,
    )
    decisions = parse_json("LiteLLM get_available_deployment", out)
    return {
        "strategy": strategy,
        "version": decisions["litellm_version"],
        "deployments": decisions["deployments"],
        "decision_median_s": decisions["median_s"],
        "decision_times_s": decisions["times_s"],
        "calls": decisions["calls"],
        "warmup": decisions["warmup"],
        "distinct_chosen": decisions["distinct_chosen"],
        "construct_s": decisions["construct_s"],
        "e2e_median_s": statistics.median(r["wall_s"] for r in once),
        "e2e_runs": once,
    }


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_bytes": ram,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg(),
    }


def log(message):
    print(f"compare: {message}", file=sys.stderr, flush=True)


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def ratio(value):
    """How many times longer LiteLLM takes than caio (×, 2 significant digits or more)."""
    digits = 0 if value >= 10 else 1 if value >= 1 else 2 if value >= 0.1 else 3
    return f"{value:,.{digits}f}×"


def table(results):
    head = (
        "| services | chat | caio route e2e ms | caio peak RSS MiB | caio batch decisions/s "
        "| bytes/record avg / max | verify s per 1M | LiteLLM decision ms | LiteLLM e2e ms "
        "| ratio e2e | ratio per decision |"
    )
    rows = [head, "|" + "---:|" * 11]
    for r in results:
        caio_e2e = r["route"]["median_s"] * 1e3
        per_decision = 1e3 / r["batch"]["decisions_per_s"]
        lite = r["litellm"]
        rows.append(
            "| {n:,} | {chat:,} | {e2e} | {rss} | {dps} | {avg} / {mx} | {verify} | {ld} | {le} | {re} | {rd} |".format(
                n=r["services"],
                chat=r["chat_services"],
                e2e=fmt(caio_e2e, 2),
                rss=fmt(r["route"]["peak_rss_bytes"] / 2**20),
                dps=fmt(r["batch"]["decisions_per_s"], 0),
                avg=fmt(r["trace"]["record_bytes_avg"], 0),
                mx=fmt(r["trace"]["record_bytes_max"], 0),
                verify=fmt(r["verify"]["per_million_s"], 2),
                ld=fmt(lite["decision_median_s"] * 1e3, 3),
                le=fmt(lite["e2e_median_s"] * 1e3, 0),
                re=ratio(lite["e2e_median_s"] * 1e3 / caio_e2e),
                rd=ratio(lite["decision_median_s"] * 1e3 / per_decision),
            )
        )
    return "\n".join(rows)


def details(results):
    head = (
        "| services | setup s | route runs | batch lines × runs | batch peak RSS MiB "
        "| outcomes | records verified | verify s | trace objects (bytes) | caio.db MiB "
        "| LiteLLM import s | Router build s | LiteLLM e2e peak RSS MiB |"
    )
    rows = [head, "|" + "---:|" * 13]
    for r in results:
        lite = r["litellm"]
        outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(r["batch"]["outcomes"].items()))
        rows.append(
            f"| {r['services']:,} | {fmt(r['setup_s'])} | {r['route']['runs']} "
            f"| {r['batch']['lines']:,} × {r['batch']['runs']}"
            f"{' (time budget)' if r['batch']['cut_to_budget'] else ''} "
            f"| {fmt(r['batch']['peak_rss_bytes'] / 2**20)} | {outcomes} "
            f"| {r['verify']['records']:,} | {fmt(r['verify']['median_s'], 3)} "
            f"| {r['trace']['objects']:,} ({r['trace']['object_bytes']:,}) "
            f"| {fmt(r['trace']['db_bytes'] / 2**20)} "
            f"| {fmt(statistics.median(x['import_s'] for x in lite['e2e_runs']), 2)} "
            f"| {fmt(lite['construct_s'], 3)} "
            f"| {fmt(max(x['peak_rss_bytes'] for x in lite['e2e_runs']) / 2**20)} |"
        )
    return "\n".join(rows)


def report(doc):
    m = doc["machine"]
    lines = [
        f"caio scaling comparison ({doc['versions']['caio']}, litellm {doc['versions']['litellm']}, "
        f"LiteLLM routing strategy `{doc['settings']['litellm_strategy']}`)",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}, "
        f"{fmt((m['ram_bytes'] or 0) / 2**30)} GiB RAM, Linux {m['kernel']}, Python {m['python']}; "
        f"load average {m['loadavg_start'][0]:.2f} at start, {m['loadavg_end'][0]:.2f} at end.",
    ]
    if doc["settings"].get("note"):
        lines.append(f"Note: {doc['settings']['note']}")
    s = doc["settings"]
    lines += [
        "",
        table(doc["results"]),
        "",
        "Columns: *caio route e2e* is the median wall time of "
        f"`caio route fixtures/requests/{ROUTE_FIXTURE}` as {ROUTE_PRINCIPAL} "
        f"({s['route_runs']} runs after a warm-up; process start, database, routing, trace append, "
        "output); *peak RSS* the largest of those runs; *batch* is `caio route --batch` over "
        f"up to {s['batch_lines']:,} lines cycling fixtures/requests/, each with its principal's token "
        f"(traces on, median of {s['batch_runs']}; fewer lines where {s['batch_runs']} batches would "
        f"take more than {s['batch_seconds']:g} s, see below); *bytes/record* is the record column of the traces the batch wrote; "
        "*verify s per 1M* is `caio trace verify` of the whole chain (objects included) scaled "
        "linearly from the records measured; *LiteLLM decision* is the median of "
        f"{s['litellm_calls']} `Router.get_available_deployment` calls after {s['litellm_warmup']} "
        "warm-up calls, one deployment per caio service offering chat; *LiteLLM e2e* is a whole "
        f"process (start, import, Router, one decision; median of {s['litellm_e2e_runs']}); "
        "*ratio e2e* = LiteLLM e2e / caio route e2e; *ratio per decision* = LiteLLM decision / "
        "caio batch time per decision.",
        "",
        details(doc["results"]),
    ]
    lines += [
        "",
        "LiteLLM distinct deployments chosen over the timed calls, by registry size: "
        + ", ".join(f"{r['services']:,}: {r['litellm']['distinct_chosen']}" for r in doc["results"]),
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="caio against LiteLLM's Router on generated registries (see README, Benchmarks).",
    )
    p.add_argument("--sizes", default=DEFAULT_SIZES,
                   help=f"registry sizes, comma-separated (default {DEFAULT_SIZES}; 100000 is opt-in)")
    p.add_argument("--bin", default=str(ROOT / "target" / "release" / "caio"),
                   help="the caio binary (default target/release/caio)")
    p.add_argument("--route-runs", type=int, default=21, help="timed `caio route` runs per size (default 21)")
    p.add_argument("--batch-lines", type=int, default=10_000, help="request lines per batch (default 10000)")
    p.add_argument("--batch-runs", type=int, default=3, help="timed batches per size (default 3)")
    p.add_argument("--batch-seconds", type=float, default=60,
                   help="time the timed batches of one size may take together: fewer lines "
                        "when the rate (from an untimed probe batch) would exceed it (default 60)")
    p.add_argument("--verify-runs", type=int, default=3, help="`caio trace verify` runs per size (default 3)")
    p.add_argument("--litellm-calls", type=int, default=201,
                   help="timed get_available_deployment calls per size (default 201)")
    p.add_argument("--litellm-warmup", type=int, default=20, help="untimed calls first (default 20)")
    p.add_argument("--litellm-e2e-runs", type=int, default=3,
                   help="whole LiteLLM processes timed per size (default 3)")
    p.add_argument("--litellm-strategy", default="simple-shuffle",
                   choices=["simple-shuffle", "latency-based-routing"],
                   help="LiteLLM routing strategy (default simple-shuffle, LiteLLM's own default and "
                        "its cheapest; latency-based-routing ranks the deployments by observed latency, "
                        "closer to caio's scoring, and takes seconds per decision with thousands of "
                        "deployments)")
    p.add_argument("--venv", default=str(ROOT / "target" / "compare-venv"),
                   help="where the LiteLLM venv is made (default target/compare-venv)")
    p.add_argument("--json", metavar="FILE", help="also write every raw number to FILE")
    p.add_argument("--note", help="a line printed under the machine (e.g. 'loaded machine')")
    p.add_argument("--keep", action="store_true", help="keep the temporary homes (their path is printed)")
    args = p.parse_args(argv)
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        p.error(f"--sizes: expected comma-separated numbers, got {args.sizes!r}")
    # From 10 on, every registry holds a copy of llama-3-70b-onprem, the
    # service the timed route is checked against.
    if not args.sizes or any(n < 10 or n > 100_000 for n in args.sizes):
        p.error("--sizes: each size must be between 10 and 100000")
    for name in ("route_runs", "batch_lines", "batch_runs", "verify_runs", "litellm_calls",
                 "litellm_e2e_runs"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.batch_seconds <= 0:
        p.error("--batch-seconds must be positive")
    if args.litellm_warmup < 0:
        p.error("--litellm-warmup must not be negative")
    return args


def compare(args, scratch):
    binary = Path(args.bin).resolve()
    if not binary.is_file():
        raise Failed(f"no caio binary at {binary}: run `cargo build --release --locked` "
                     "(benches/compare.sh does)")
    caio_version = run("caio --version", [binary, "--version"]).decode().strip()
    python = ensure_venv(Path(args.venv))
    sources = shipped_contracts()
    principals = fixture_principals()
    principal_files = sorted((ROOT / "fixtures" / "principals").glob("*.yaml"))
    named = {read_principal(p)["name"] for p in principal_files}
    unknown = {who for who in principals.values() if who is not None} - named
    if unknown or ROUTE_PRINCIPAL not in named:
        raise Failed(f"read fixtures: no fixtures/principals file for {sorted(unknown) or ROUTE_PRINCIPAL}")

    results = []
    litellm_version = None
    for n in args.sizes:
        log(f"{n:,} services: generating the registry")
        t0 = time.perf_counter()
        contracts = scratch / f"contracts-{n}"
        generate_contracts(n, contracts, sources)
        caio = Caio(binary, scratch / f"home-{n}")
        tokens = make_home(caio, contracts, principal_files)
        shutil.rmtree(contracts)
        setup = time.perf_counter() - t0
        chat = chat_services(caio.home)
        if not chat:
            raise Failed(f"{n} services: none offers chat")

        log(f"{n:,} services: caio route × {args.route_runs + 1}")
        route = measure_route(caio, tokens[ROUTE_PRINCIPAL], args.route_runs)

        log(f"{n:,} services: caio route --batch, up to {args.batch_lines:,} lines × {args.batch_runs}")
        before, batch = measure_batch(caio, principals, tokens, args, scratch, route["median_s"])
        trace = trace_sizes(caio.home, before)
        if trace["records_measured"] != batch["lines"] * batch["runs"]:
            raise Failed(
                f"caio route --batch: {trace['records_measured']} trace records for "
                f"{batch['lines'] * batch['runs']} decisions"
            )

        log(f"{n:,} services: caio trace verify of {trace['records_total']:,} records × {args.verify_runs}")
        verify = measure_verify(caio, args.verify_runs)
        verify["records"] = trace["records_total"]
        verify["per_million_s"] = verify["median_s"] * 1e6 / trace["records_total"]

        log(f"{n:,} services: LiteLLM Router with {len(chat):,} deployments")
        services_file = scratch / f"chat-{n}.json"
        services_file.write_text(json.dumps(chat), encoding="utf-8")
        lite = measure_litellm(python, services_file, args.litellm_strategy, args.litellm_calls,
                               args.litellm_warmup, args.litellm_e2e_runs)
        if lite["deployments"] != len(chat):
            raise Failed(f"LiteLLM: {lite['deployments']} deployments for {len(chat)} chat services")
        litellm_version = lite["version"]

        if not args.keep:
            shutil.rmtree(caio.home)
        results.append({
            "services": n,
            "chat_services": len(chat),
            "setup_s": setup,
            "route": route,
            "batch": batch,
            "trace": trace,
            "verify": verify,
            "litellm": lite,
        })
        log(f"{n:,} services: route {route['median_s'] * 1e3:.2f} ms, "
            f"batch {batch['decisions_per_s']:,.0f}/s, LiteLLM {lite['decision_median_s'] * 1e3:.3f} ms "
            "per decision")
    return caio_version, litellm_version, results


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = machine()
    scratch = Path(tempfile.mkdtemp(prefix="caio-compare-"))
    try:
        caio_version, litellm_version, results = compare(args, scratch)
    except Failed as e:
        print(f"compare: error: {e}", file=sys.stderr)
        if not args.keep:
            print("compare: (run again with --keep to keep the temporary homes)", file=sys.stderr)
        return 1
    except sqlite3.Error as e:
        print(f"compare: error: reading a caio.db: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("compare: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    started["loadavg_end"] = os.getloadavg()
    doc = {
        "machine": started,
        "versions": {"caio": caio_version, "litellm": litellm_version},
        "settings": {
            "sizes": args.sizes,
            "route_runs": args.route_runs,
            "batch_lines": args.batch_lines,
            "batch_runs": args.batch_runs,
            "batch_seconds": args.batch_seconds,
            "verify_runs": args.verify_runs,
            "litellm_calls": args.litellm_calls,
            "litellm_warmup": args.litellm_warmup,
            "litellm_e2e_runs": args.litellm_e2e_runs,
            "litellm_strategy": args.litellm_strategy,
            "note": args.note,
        },
        "results": results,
    }
    print(report(doc))
    if args.json:
        try:
            Path(args.json).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            print(f"compare: error: cannot write {args.json}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
