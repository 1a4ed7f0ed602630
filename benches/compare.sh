#!/usr/bin/env bash
# Builds the release binary, then runs the scaling comparison against
# LiteLLM's Router (benches/compare.py; its --help lists the options).
#   benches/compare.sh                      # 10, 100, 1,000 and 10,000 services
#   benches/compare.sh --sizes 100000 --json compare.json
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
exec python3 benches/compare.py --bin target/release/caio "$@"
