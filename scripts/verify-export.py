#!/usr/bin/env python3
"""Recompute every hash of a `caio trace export` file, independently of caio.

    python3 -m pip install blake3==1.0.11 rfc8785==0.1.4
    caio trace export > traces.jsonl
    python3 scripts/verify-export.py traces.jsonl

Objects:  hash = BLAKE3("caio-object-v1\\n" + kind + "\\n" + JCS(body))
Records:  hash = BLAKE3(domain + prev + JCS(record)), domain "caio-trace-v2\\n"
          for a record with "v": 2 and "caio-trace-v1\\n" for one written
          before; prev is the previous record's hash (32 zero bytes first).
Every object a v2 record references (candidates, policies, stats) must be
in the file. Exit 0 when all hashes match, 1 at the first mismatch (printed).
"""
import json
import sys

import blake3
import rfc8785


def fail(message):
    print(f"export broken: {message}")
    sys.exit(1)


def main(path):
    objects = {}
    prev = None
    records = 0
    with open(path, encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            entry = json.loads(line)
            if entry["type"] == "object":
                kind = entry["kind"]
                body = rfc8785.dumps(entry["body"])
                digest = blake3.blake3(b"caio-object-v1\n" + kind.encode() + b"\n" + body)
                if digest.hexdigest() != entry["hash"]:
                    fail(f"line {n}: object {entry['hash']} does not match its body")
                objects[entry["hash"]] = kind
            elif entry["type"] == "record":
                record = entry["record"]
                link = bytes.fromhex(entry["prev"])
                if prev is not None and link != prev:
                    fail(f"seq {entry['seq']}: its link does not point at the record before it")
                domain = b"caio-trace-v2\n" if record.get("v") == 2 else b"caio-trace-v1\n"
                digest = blake3.blake3(domain + link + rfc8785.dumps(record)).digest()
                if digest.hex() != entry["hash"]:
                    fail(f"seq {entry['seq']}: the record does not match its hash")
                for kind in ("candidates", "policies", "stats"):
                    ref = record.get("objects", {}).get(kind)
                    if ref is not None and objects.get(ref) != kind:
                        fail(f"seq {entry['seq']}: object {ref} ({kind}) is not in the export")
                prev = digest
                records += 1
            else:
                fail(f"line {n}: unknown type {entry['type']!r}")
    head = prev.hex() if prev is not None else "0" * 64
    print(f"export verified: {len(objects)} object(s), {records} record(s), head {head}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1])
