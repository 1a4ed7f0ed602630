#!/usr/bin/env python3
"""Recompute every hash of a `caio trace export` file (or a `caio trace prune`
archive), independently of caio.

    python3 -m pip install blake3==1.0.11 rfc8785==0.1.4
    caio trace export > traces.jsonl
    python3 scripts/verify-export.py traces.jsonl

Objects:  hash = BLAKE3("caio-object-v1\\n" + kind + "\\n" + JCS(body))
Records:  hash = BLAKE3(domain + prev + JCS(record)), domain "caio-trace-v2\\n"
          for a record with "v": 2 and "caio-trace-v1\\n" for one written
          before; prev is the previous record's hash (32 zero bytes first).
Every object a v2 record references (candidates, policies, stats) must be
in the file. A checkpoint line (an archive's) must say the seq and hash its
note says, and match the record at that seq when the file holds it (one
past the file's records vouches for the live chain, which `caio trace verify
--archive` links; the note's signature is checked with the verifier key: see
the README). Exit 0 when everything matches, 1 at the
first problem (printed).
"""
import base64
import json
import sys

import blake3
import rfc8785


def fail(message):
    print(f"export broken: {message}")
    sys.exit(1)


def field(entry, n, *names):
    missing = [name for name in names if name not in entry]
    if missing:
        fail(f"line {n}: a {entry['type']} line needs {', '.join(names)} (no {missing[0]})")
    return [entry[name] for name in names]


class Chain:
    """What the lines read so far establish."""

    def __init__(self):
        self.objects, self.hashes = {}, {}
        self.prev, self.records, self.checkpoints = None, 0, 0

    def read(self, entry, n):
        if entry["type"] == "object":
            kind, body, expected = field(entry, n, "kind", "body", "hash")
            digest = blake3.blake3(b"caio-object-v1\n" + kind.encode() + b"\n" + rfc8785.dumps(body))
            if digest.hexdigest() != expected:
                fail(f"line {n}: object {expected} does not match its body")
            self.objects[expected] = kind
        elif entry["type"] == "record":
            seq, link, expected, record = field(entry, n, "seq", "prev", "hash", "record")
            link = bytes.fromhex(link)
            if self.prev is not None and link != self.prev:
                fail(f"seq {seq}: its link does not point at the record before it")
            domain = b"caio-trace-v2\n" if record.get("v") == 2 else b"caio-trace-v1\n"
            digest = blake3.blake3(domain + link + rfc8785.dumps(record)).digest()
            if digest.hex() != expected:
                fail(f"seq {seq}: the record does not match its hash")
            for kind in ("candidates", "policies", "stats"):
                ref = record.get("objects", {}).get(kind)
                if ref is not None and self.objects.get(ref) != kind:
                    fail(f"seq {seq}: object {ref} ({kind}) is not in the export")
            self.prev, self.hashes[seq] = digest, digest.hex()
            self.records += 1
        elif entry["type"] == "checkpoint":
            seq, expected, note = field(entry, n, "seq", "hash", "note")
            body = note.split("\n\n", 1)[0].splitlines()
            if len(body) < 3 or body[1] != str(seq) or base64.b64decode(body[2]).hex() != expected:
                fail(f"line {n}: the checkpoint's note does not say seq {seq} and its hash")
            # An archive's checkpoint may vouch for a head past its records
            # (the live chain's): only caio, with the database, links them.
            if seq <= max(self.hashes, default=0) and self.hashes.get(seq) != expected:
                fail(f"line {n}: the checkpoint at seq {seq} does not match the chain")
            self.checkpoints += 1
        else:
            fail(f"line {n}: unknown type {entry['type']!r}")


def main(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {path}: {e}")
    chain = Chain()
    for n, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError as e:
            fail(f"line {n}: not JSON ({e})")
        if not isinstance(entry, dict) or "type" not in entry:
            fail(f"line {n}: not an export line (no \"type\")")
        try:
            chain.read(entry, n)
        except (ValueError, TypeError, AttributeError) as e:
            fail(f"line {n}: a malformed {entry['type']} line ({e})")
    if chain.records == 0:
        fail("the file holds no record: nothing to verify")
    print(
        f"export verified: {len(chain.objects)} object(s), {chain.records} record(s), "
        f"{chain.checkpoints} checkpoint(s), head {chain.prev.hex()}"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1])
