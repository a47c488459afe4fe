"""Small-number suppression for everything a board pack shows.

A count from 1 to threshold-1 is never shown (stored as None, shown as "fewer than 5"). Zero is
shown: it is itself the finding ("nobody said anything about this"). Within a group that is
shown with its total, hiding one cell alone would let a reader subtract it back out, so the
next smallest cell is hidden too (secondary suppression). Percentages are hidden whenever the
counts behind them are.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import conf


def is_small(n: int | None, threshold: int | None = None) -> bool:
    threshold = conf.small_number_threshold() if threshold is None else threshold
    return n is not None and 0 < n < threshold


def count(n: int, threshold: int | None = None) -> int | None:
    return None if is_small(n, threshold) else n


def share(part: int, whole: int, threshold: int | None = None) -> float | None:
    """Percentage (1 dp) of part in whole, hidden if either side or the remainder is small."""
    if not whole or is_small(whole, threshold) or is_small(part, threshold):
        return None
    if is_small(whole - part, threshold):
        return None
    return round(100 * part / whole, 1)


def group(counts: Mapping[str, int], threshold: int | None = None) -> dict[str, int | None]:
    """Suppress a group of counts shown together with their total."""
    threshold = conf.small_number_threshold() if threshold is None else threshold
    out: dict[str, int | None] = {k: count(v, threshold) for k, v in counts.items()}
    hidden = [k for k, v in out.items() if v is None]
    if len(hidden) == 1:
        shown = sorted((v, k) for k, v in out.items() if v)
        if shown:
            out[shown[0][1]] = None
    return out


def group_shares(
    counts: Mapping[str, int], suppressed: Mapping[str, int | None], threshold: int | None = None
) -> dict[str, float | None]:
    total = sum(counts.values())
    if not total or is_small(total, threshold):
        return dict.fromkeys(counts)
    return {k: (None if suppressed[k] is None else round(100 * counts[k] / total, 1)) for k in counts}
