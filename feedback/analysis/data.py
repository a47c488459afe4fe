"""What every part of the analysis shares: the version, and the shipped data files
(feedback/data/) the rules are built from."""

from __future__ import annotations

import json
from pathlib import Path

# The data files stay in feedback/data/, beside the app, not inside this package.
DATA = Path(__file__).resolve().parent.parent / "data"
ANALYSIS_VERSION = 2


def load_school_file() -> list[tuple[str, str]]:
    """(name, locality) pairs from feedback/data/schools.txt ("Name | locality" per line)."""
    rows = []
    for line in (DATA / "schools.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, locality = line.partition("|")
        rows.append((name.strip(), locality.strip().lower()))
    return rows


def load_theme_file() -> list[dict]:
    return json.loads((DATA / "themes.json").read_text(encoding="utf-8"))


def load_objective_cues() -> dict[str, list[str]]:
    return json.loads((DATA / "objective_cues.json").read_text(encoding="utf-8"))
