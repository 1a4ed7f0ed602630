#!/bin/sh
# Writes a home with the release before trace format v2 (commit 2005dd7):
#   git worktree add /tmp/oldrel 2005dd7 && (cd /tmp/oldrel && cargo build --release)
#   sh make.sh /tmp/oldrel/target/release/caio /tmp/oldrel OUT
set -eu
OLD=$1; REPO=$2; OUT=$3
H=$OUT/home
rm -rf "$OUT"; mkdir -p "$OUT"
cd "$REPO"
"$OLD" --home "$H" registry add contracts >/dev/null
TOKEN=$("$OLD" --home "$H" principal add ana --tenant acme --roles analyst --trust high 2>/dev/null)
printf '%s\n' "$TOKEN" > "$OUT/token"
"$OLD" --home "$H" policy apply policies >/dev/null
with_token() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["auth"]={"token":sys.argv[2]}; print(json.dumps(d))' "$1" "$TOKEN"
}
for f in chat-balanced chain-rag-latency-bound chat-eu-confidential-pii no-route-restricted-us embedding-eu-multilingual; do
  with_token "fixtures/requests/$f.json" > "$OUT/$f.json"
  "$OLD" --home "$H" route "$OUT/$f.json" >/dev/null || true
  rm "$OUT/$f.json"
done
for f in chat-balanced chat-cost-priority web-search-public; do
  with_token "fixtures/requests/$f.json"
done > "$OUT/batch.jsonl"
"$OLD" --home "$H" route --batch "$OUT/batch.jsonl" >/dev/null
rm "$OUT/batch.jsonl"
"$OLD" --home "$H" route fixtures/requests/chat-balanced.json --contracts contracts \
  --policies policies --principal fixtures/principals/globex-engineer.yaml >/dev/null
"$OLD" --home "$H" trace checkpoint >/dev/null 2>&1
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.execute("VACUUM"); c.close()' "$H/caio.db"
rm -f "$H/caio.db-wal" "$H/caio.db-shm"
