"""The analysis context: everything the pipeline needs from the database, built once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..objective_text import ObjectiveMatcher, ObjectiveText
from .redaction import Redactor
from .tagging import RULE_FUSION, KeywordIndex, ThemeSpec, _gate, _keyword_pattern, theme_index


@dataclass
class AnalysisContext:
    """Everything the pipeline needs from the database, built once and reused.

    `objectives` (the current plan's own wording) and `confirmed` ((code, redacted text) of
    items staff confirmed for an objective) let suggestions work for any plan, not only the one
    the cue list was written for. `models` are the trained models (`feedback.learning.Models`);
    left None, the models trained from the shipped data are used on first need. `learned=False`
    runs the rules alone (training uses it to compute the rule-based features)."""

    school_names: list[str] = field(default_factory=list)
    themes: list[ThemeSpec] = field(default_factory=list)
    objective_cues: dict[str, list[str]] = field(default_factory=dict)
    objective_codes: set[str] | None = None
    objectives: list[ObjectiveText] = field(default_factory=list)
    confirmed: list[tuple[str, str]] = field(default_factory=list)
    models: Any = None
    learned: bool = True

    def __post_init__(self):
        self.redactor = Redactor(self.school_names)
        # Each distinct cue is compiled and matched once, then credited to every objective that
        # lists it; cue_df (how many objectives share a cue) damps generic words.
        self.cue_codes: dict[str, list[str]] = {}
        for code, cues in self.objective_cues.items():
            if self.objective_codes is not None and code not in self.objective_codes:
                continue
            for cue in dict.fromkeys(c.strip().lower() for c in cues if c.strip()):
                self.cue_codes.setdefault(cue, []).append(code)
        self.cue_patterns = [
            (cue, _gate(cue), re.compile(_keyword_pattern(cue), re.IGNORECASE)) for cue in self.cue_codes
        ]
        self.cue_df = {cue: len(codes) for cue, codes in self.cue_codes.items()}
        self.cue_index = KeywordIndex(self.cue_patterns)
        self.theme_index = theme_index(self.themes)
        if self.objectives and self.objective_codes is None:
            self.objective_codes = {o.code for o in self.objectives}
        self.objective_matcher = (
            ObjectiveMatcher(self.objectives, self.confirmed) if self.objectives else None
        )

    def learned_models(self):
        """The trained models, or None when running on rules alone."""
        if not self.learned:
            return None
        if self.models is None:
            # Imported here, not at the top: learning builds on this package, so a top-level
            # import would be a cycle; the models are only needed on first use.
            from .. import learning

            self.models = learning.models_shipped()
        return self.models

    def fusion_weights(self, models) -> dict:
        """How much each objective signal counts: the training plan's weights when the models
        know (most of) this plan's codes, otherwise the weights for a plan they never saw."""
        if models is None:
            return dict(RULE_FUSION)
        known = set(models.ob_codes)
        codes = self.objective_codes
        if codes is None or (known and len(codes & known) >= 0.5 * len(codes)):
            return dict(models.fusion.get("known_plan") or RULE_FUSION)
        return dict(models.fusion.get("any_plan") or RULE_FUSION)
