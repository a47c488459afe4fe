"""The held-out evaluation set is frozen (issue 14): written in December 2026 by writers who did
not see the analysis rules, split once from the development set by feedback/evaluation/split.py,
and never used to write rules, choose thresholds or train models. If this checksum changes, the
held-out figures in docs and closing notes no longer mean what they say."""

import hashlib
import json
from pathlib import Path

EVALUATION = Path(__file__).resolve().parents[2] / "feedback" / "evaluation"
HELD_OUT_SHA256 = "781394750de628211620f095c376fc4839ab47ee0efecc3d1960616b9723c679"
CATEGORIES = {
    "physical_abuse",
    "emotional_abuse",
    "sexual_abuse",
    "peer_on_peer_abuse",
    "online_abuse",
    "neglect",
    "criminal_exploitation",
    "sexual_exploitation",
    "county_lines",
    "online_grooming",
    "radicalisation",
    "domestic_abuse",
    "self_harm",
    "suicidal_thoughts",
    "eating_disorder",
    "going_missing",
    "fgm_forced_marriage_honour",
    "modern_slavery",
    "restraint_seclusion",
    "disabled_child_without_care",
    "bullying_risk_of_harm",
    "carer_at_risk",
}


def _items(name):
    with (EVALUATION / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_held_out_set_is_unchanged():
    digest = hashlib.sha256((EVALUATION / "heldout.jsonl").read_bytes()).hexdigest()
    assert digest == HELD_OUT_SHA256


def test_held_out_and_development_sets_do_not_overlap_and_cover_every_category():
    held, dev = _items("heldout.jsonl"), _items("dev.jsonl")
    assert len(held) + len(dev) >= 600
    assert not {i["id"] for i in held} & {i["id"] for i in dev}
    assert not {i["text"] for i in held} & {i["text"] for i in dev}
    for part in (held, dev):
        assert {i["category"] for i in part if i["safeguarding"]} == CATEGORIES
