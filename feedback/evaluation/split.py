"""Split the newly written labelled items once into a development part and a held-out part.

Run once, by hand, when the new set was written (December 2026):
    .venv/bin/python feedback/evaluation/split.py new_part_a.jsonl new_part_b.jsonl
It writes dev.jsonl (rules and models may be written and tuned on it) and heldout.jsonl
(frozen: never read while writing rules, never trained on; a test checks its checksum). The
split is by a hash of each item's id, stratified so both parts get disclosures of every
safeguarding category and traps, and does not depend on the order of the lines.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELD_OUT_SHARE = 0.4


def _rank(item_id: str) -> str:
    return hashlib.sha256(f"send-voice-split-2026:{item_id}".encode()).hexdigest()


def _stratum(item: dict) -> str:
    if item["safeguarding"]:
        return f"sg:{item['category']}"
    return f"not:{item['audience']}"


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        groups[_stratum(item)].append(item)
    dev, held = [], []
    for key in sorted(groups):
        ranked = sorted(groups[key], key=lambda i: _rank(i["id"]))
        n_held = round(len(ranked) * HELD_OUT_SHARE)
        held += ranked[:n_held]
        dev += ranked[n_held:]
    order = {item["id"]: n for n, item in enumerate(items)}
    return sorted(dev, key=lambda i: order[i["id"]]), sorted(held, key=lambda i: order[i["id"]])


def main(paths: list[str]) -> None:
    items = []
    for path in paths:
        with (HERE / path).open(encoding="utf-8") as fh:
            items += [json.loads(line) for line in fh if line.strip()]
    ids = [i["id"] for i in items]
    if len(ids) != len(set(ids)):
        raise SystemExit("ids must be unique across parts")
    dev, held = split(items)
    for name, part in (("dev.jsonl", dev), ("heldout.jsonl", held)):
        with (HERE / name).open("w", encoding="utf-8") as fh:
            for item in part:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{name}: {len(part)} items, {sum(i['safeguarding'] for i in part)} disclosures")


if __name__ == "__main__":
    main(sys.argv[1:])
