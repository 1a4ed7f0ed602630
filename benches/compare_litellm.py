"""LiteLLM's side of benches/compare.py; runs in the venv that script makes.

    python compare_litellm.py once SERVICES.json STRATEGY
    python compare_litellm.py decisions SERVICES.json STRATEGY CALLS WARMUP

SERVICES.json is the list of caio service ids offering `chat`. Each becomes
one deployment of the model group "chat" (a fake OpenAI model on a closed
local port with a fake key): choosing a deployment makes no network call.

`once` is the end-to-end run that compare.py times from the outside: import
LiteLLM, build the Router, pick one deployment, exit. `decisions` builds the
Router, warms up, then times CALLS calls of `get_available_deployment` one by
one. Both print one JSON object on stdout.
"""

import json
import statistics
import sys
import time
from importlib.metadata import version

T0 = time.perf_counter()
from litellm import Router  # noqa: E402  (the import is part of what is measured)

T_IMPORT = time.perf_counter() - T0

# About the 1,500 input tokens of fixtures/requests/chat-balanced.json.
MESSAGES = [
    {
        "role": "user",
        "content": "Summarise the following design document for the platform team. "
        + "The service keeps a registry of contracts and routes each request. " * 140,
    }
]


def model_list(service_ids):
    return [
        {
            "model_name": "chat",
            "litellm_params": {
                "model": "openai/gpt-4o-mini",
                "api_base": "http://127.0.0.1:9",
                "api_key": "sk-compare-not-a-key",
            },
            "model_info": {"id": service_id},
        }
        for service_id in service_ids
    ]


def build(path, strategy):
    with open(path, encoding="utf-8") as f:
        service_ids = json.load(f)
    start = time.perf_counter()
    router = Router(model_list=model_list(service_ids), routing_strategy=strategy)
    return router, time.perf_counter() - start, len(service_ids)


def pick(router):
    deployment = router.get_available_deployment(model="chat", messages=MESSAGES)
    return deployment["model_info"]["id"]


def main(argv):
    mode, path, strategy = argv[1], argv[2], argv[3]
    router, construct_s, deployments = build(path, strategy)
    report = {
        "litellm_version": version("litellm"),
        "strategy": strategy,
        "deployments": deployments,
        "import_s": T_IMPORT,
        "construct_s": construct_s,
    }
    if mode == "once":
        start = time.perf_counter()
        report["chosen"] = pick(router)
        report["decision_s"] = time.perf_counter() - start
    elif mode == "decisions":
        calls, warmup = int(argv[4]), int(argv[5])
        for _ in range(warmup):
            pick(router)
        times = []
        chosen = set()
        for _ in range(calls):
            start = time.perf_counter()
            chosen.add(pick(router))
            times.append(time.perf_counter() - start)
        report["calls"] = calls
        report["warmup"] = warmup
        report["median_s"] = statistics.median(times)
        report["times_s"] = times
        report["distinct_chosen"] = len(chosen)
    else:
        raise SystemExit(f"unknown mode {mode!r}: expected `once` or `decisions`")
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
