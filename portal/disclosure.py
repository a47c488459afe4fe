"""Small-number suppression: the one rule for every count of people shown outside the
engagement team (survey results "as shown outside the team", the public plan tracker and its
objective and area pages, board packs, the youth forum's results and the youth
representative's report).

In a small county a count of 1 to 4 against a narrow question can point at a family, so:

- **Small counts are hidden.** A count from 1 to `threshold() - 1` (the one setting
  `SMALL_NUMBER_THRESHOLD`, default 5, read by `portal.conf.small_number_threshold`) is never
  shown: `count()` gives None, shown as `fewer_than()` ("fewer than 5").
- **Zero is shown, as 0.** "Nobody said this" is itself the finding (a gap in whose voice is
  heard, an objective nobody wrote about), and a zero points at nobody; hiding it as "fewer
  than 5" would lose the finding. The one exception is inside a total that is itself small,
  where nothing is shown (below): there a 0 beside two cells "fewer than 5" of a total of 2
  would say that both are 1.
- **Nothing hidden can be worked out from what is shown** (secondary suppression). Where counts
  are shown with their total, a reader can subtract: answered 24 = 9 + 5 + 6 + hidden, so the
  hidden cell is 4. So `group()` (cells and their total), `table()` (rows and columns with
  their totals) and `protect()` (any cells and sums) hide more cells, shown as `NOT_SHOWN`
  ("not shown"), until for what a reader can see no hidden number has only one possible value
  and the hidden cells of a sum never add up to a small number. The reader is assumed to know
  this rule too: "fewer than 5" is 1 to 4, and "not shown" is at least 5 and, being the
  smallest chosen, at most the smallest number still shown beside it. If a total is itself
  small, every cell of it is hidden ("fewer than 5" is then 0 to 4).
- **Percentages follow their counts.** A share is hidden when a count behind it is hidden
  (`Group.share`, `share()`): 40% of a shown 10 is a count of 4. Figures that are not counts
  of people (a KPI's reading or target, a mean) are never passed through any of this.

Shown values are an int (shown), None (a small count: "fewer than N") or `NOT_SHOWN` (hidden so
that another count cannot be worked out); all are JSON-ready, so board packs store them as they
are. `text()` and `words()` are the one way to put any of them into words.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from . import conf

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)
Shown = int | str | None

NOT_SHOWN = "not shown"

_SMALL, _PROTECTED = "small", "protected"
_INF = math.inf


def threshold() -> int:
    """The smallest count of people that may be shown (`SMALL_NUMBER_THRESHOLD`)."""
    return conf.small_number_threshold()


def _t(value: int | None) -> int:
    return threshold() if value is None else value


def fewer_than(threshold: int | None = None) -> str:
    """The words shown for a hidden small count: "fewer than 5"."""
    return f"fewer than {_t(threshold)}"


def is_small(n: Shown, threshold: int | None = None) -> bool:
    """1 to threshold - 1: a count that must not be shown. Zero is not small (nor is a value
    that is already hidden)."""
    return is_shown(n) and 0 < n < _t(threshold)


def count(n: int, threshold: int | None = None) -> int | None:
    """A count shown on its own: the number, or None if it is small. Zero stays 0."""
    return None if is_small(n, threshold) else n


def is_shown(value: Shown) -> bool:
    """Whether a shown value is a number (not a hidden count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def number(value) -> int | float | None:
    """A shown value, or a percentage, as something a chart can draw (hidden ones are None)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def text(value: Shown, threshold: int | None = None) -> str:
    """Any shown value in words: "12", "0", "fewer than 5" or "not shown"."""
    if value is None:
        return fewer_than(threshold)
    return str(value)


def words(value: Shown, singular: str, plural: str | None = None, threshold: int | None = None) -> str:
    """A shown value with its noun: "1 dot", "12 dots", "0 dots", "fewer than 5 dots" or "not
    shown"."""
    if value == NOT_SHOWN:
        return NOT_SHOWN
    return f"{text(value, threshold)} {singular if value == 1 else plural or f'{singular}s'}"


def percent(part: int, whole: int, digits: int = 1) -> float | int:
    """Plain arithmetic (no suppression): `part` as a percentage of `whole`, rounded."""
    value = 100 * part / whole
    return round(value, digits) if digits else round(value)


# --- Secondary suppression ------------------------------------------------------------------


def protect(
    counts: Mapping[K, int],
    sums: Sequence[tuple[Sequence[K], K]],
    threshold: int | None = None,
) -> dict[K, Shown]:
    """Every count in `counts` as it may be shown, where each of `sums` is (cells, total): the
    cells add up to the total and a reader can see that. Small counts become None; more become
    `NOT_SHOWN` until nothing hidden can be worked out (see the module docstring). A sum whose
    cells do not quite add up to the total (answers to a multiple-choice question, feedback
    tagged to two objectives) is treated as if they did: the safe side."""
    t = _t(threshold)
    values = dict(counts)
    state = _suppress(values, [(list(cells), total) for cells, total in sums], t)
    return {k: _shown(v, state.get(k)) for k, v in values.items()}


def _shown(value: int, state: str | None) -> Shown:
    if state is None:
        return value
    return None if state == _SMALL else NOT_SHOWN


def _suppress(values: dict, sums: list[tuple[list, Hashable]], t: int) -> dict:
    state = {k: _SMALL for k, v in values.items() if 0 < v < t}
    for cells, total in sums:
        if 0 < values[total] < t:  # a small total: hide everything it is made of, zeros too
            for c in cells:
                if c not in state:
                    state[c] = _SMALL if values[c] < t else _PROTECTED
    order = {k: i for i, k in enumerate(values)}
    for _ in range(len(values) + 1):
        trouble = _first_problem(values, state, sums, t)
        if trouble is None:
            break
        pick = _pick(values, state, trouble, order) or _pick(values, state, sums, order)
        if pick is None:  # everything is hidden already
            break
        state[pick] = _PROTECTED
    return state


def _bounds(values: dict, state: dict, sums: list, t: int) -> tuple[dict, dict, dict]:
    """What a reader can tell about each hidden value: from its words (1 to t-1, or at least t
    and at most the smallest number shown beside it), then narrowed by every sum they see.
    Returns (low, high, (low, high) from the words alone)."""
    lo, hi = {}, {}
    in_small_total = {c for cells, total in sums if state.get(total) == _SMALL for c in cells}
    for k, s in state.items():
        if s == _SMALL:
            # "fewer than t" is 1 to t-1; inside a small total, where zeros are hidden too, 0 to t-1.
            lo[k], hi[k] = (0 if k in in_small_total else 1), t - 1
            continue
        lo[k], hi[k] = t, 0
        for cells, total in sums:
            if k == total:
                hi[k] = _INF
            elif k in cells:
                shown = [values[c] for c in cells if c not in state and values[c]]
                hi[k] = max(hi[k], min(shown, default=_INF))
        hi[k] = hi[k] or _INF
    own = {k: (lo[k], hi[k]) for k in state}
    for _ in range(50):
        changed = False
        for cells, total in sums:
            terms = [(1, c) for c in cells] + [(-1, total)]
            hidden = [(a, k) for a, k in terms if k in state]
            if not hidden:
                continue
            const = -sum(a * values[k] for a, k in terms if k not in state)
            mins = [a * lo[k] if a > 0 else a * hi[k] for a, k in hidden]
            maxs = [a * hi[k] if a > 0 else a * lo[k] for a, k in hidden]
            for i, (a, k) in enumerate(hidden):
                rest_min = sum(m for j, m in enumerate(mins) if j != i)
                rest_max = sum(m for j, m in enumerate(maxs) if j != i)
                low, high = const - rest_max, const - rest_min
                if a < 0:
                    low, high = -high, -low
                low, high = max(lo[k], low), min(hi[k], high)
                if low > high:  # the cells do not really add up to the total: nothing learnt
                    continue
                if (low, high) != (lo[k], hi[k]):
                    lo[k], hi[k], changed = low, high, True
        if not changed:
            break
    return lo, hi, own


def _first_problem(values: dict, state: dict, sums: list, t: int) -> list | None:
    """The sums in which something must still be hidden, or None if what is shown is safe."""
    for line in sums:
        cells, total = line
        hidden = [k for k in (*cells, total) if k in state]
        if len(hidden) == 1 and values[hidden[0]]:
            return [line]  # the one hidden number is the difference (unless it is a 0)
        if total not in state and 0 < sum(values[c] for c in cells if c in state) < t:
            return [line]  # the hidden cells together are a small number
    lo, hi, own = _bounds(values, state, sums, t)
    for k in state:
        # Worked out exactly (a hidden 0 worked out as 0 points at nobody, like any zero).
        if lo[k] == hi[k] != 0 and own[k][0] != own[k][1]:
            return [line for line in sums if k == line[1] or k in line[0]]
    return None


def _pick(values: dict, state: dict, sums: list, order: dict):
    """The next number to hide: the smallest non-zero cell still shown in these sums, else the
    smallest total still shown."""
    for part in ("cells", "totals"):
        candidates = {
            k
            for cells, total in sums
            for k in (cells if part == "cells" else [total])
            if k not in state and values[k]
        }
        if candidates:
            return min(candidates, key=lambda k: (values[k], order[k]))
    return None


# --- Groups and tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class Group(Generic[K]):
    """Counts shown together with their total, as they may be shown."""

    cells: dict[K, Shown]
    total: Shown
    _counts: dict[K, int] = field(repr=False)
    _total: int = field(repr=False)

    def share(self, key: K, *, digits: int = 1) -> float | int | None:
        """The cell as a percentage of the total; None when either is hidden (or the total
        is 0)."""
        if not (is_shown(self.cells[key]) and is_shown(self.total) and self._total):
            return None
        return percent(self._counts[key], self._total, digits)

    def subtotal(self, keys) -> Shown:
        """The sum of some cells, if a reader can already work it out (from those cells, or
        from the total and the other cells); otherwise `NOT_SHOWN`."""
        keys = list(keys)
        if all(is_shown(self.cells[k]) for k in keys):
            return sum(self._counts[k] for k in keys)
        others = [k for k in self.cells if k not in keys]
        if is_shown(self.total) and all(is_shown(self.cells[k]) for k in others):
            return self._total - sum(self._counts[k] for k in others)
        return NOT_SHOWN

    def shares(self, keys=None, *, digits: int = 1) -> dict[K, float | int | None]:
        """Percentages of each cell in the total, or (with `keys`) in the sum of those cells
        (e.g. sentiment as a share of the feedback analysed so far): all None when that sum
        cannot be shown."""
        if keys is None:
            return {k: self.share(k, digits=digits) for k in self.cells}
        keys = list(keys)
        whole = self.subtotal(keys)
        if not is_shown(whole) or not whole:
            return dict.fromkeys(keys)
        return {k: percent(self._counts[k], whole, digits) if is_shown(self.cells[k]) else None for k in keys}


def group(counts: Mapping[K, int], *, total: int | None = None, threshold: int | None = None) -> Group[K]:
    """Counts shown with their total (the sum of the counts unless given, e.g. the people who
    answered a multiple-choice question)."""
    raw = dict(counts)
    whole = sum(raw.values()) if total is None else total
    keys = {k: ("cell", k) for k in raw}
    shown = protect(
        {**{keys[k]: v for k, v in raw.items()}, ("total",): whole},
        [(list(keys.values()), ("total",))],
        threshold,
    )
    return Group({k: shown[keys[k]] for k in raw}, shown[("total",)], raw, whole)


def share(part: int, whole: int, threshold: int | None = None, *, digits: int = 1) -> float | int | None:
    """`part` as a percentage of `whole`, hidden when `part`, `whole` or what is left
    (`whole - part`, which the percentage gives away) is hidden."""
    if whole <= 0:
        return None
    return group({"part": part, "rest": whole - part}, threshold=threshold).share("part", digits=digits)


@dataclass(frozen=True)
class Table(Generic[R, C]):
    """Rows by columns with their totals, as they may be shown."""

    cells: dict[R, dict[C, Shown]]
    row_totals: dict[R, Shown]
    column_totals: dict[C, Shown]
    total: Shown
    _counts: dict[R, dict[C, int]] = field(repr=False)
    _row_totals: dict[R, int] = field(repr=False)
    _column_totals: dict[C, int] = field(repr=False)
    _total: int = field(repr=False)

    def row(self, key: R) -> Group[C]:
        """One row with its total (for its shares)."""
        return Group(
            dict(self.cells[key]),
            self.row_totals.get(key, NOT_SHOWN),
            dict(self._counts[key]),
            self._row_totals.get(key, 0),
        )

    def columns(self) -> Group[C]:
        """The column totals with the grand total (for their shares)."""
        return Group(dict(self.column_totals), self.total, dict(self._column_totals), self._total)


def table(
    rows: Mapping[R, Mapping[C, int]],
    *,
    row_totals: bool | Mapping[R, int] = True,
    column_totals: bool | Mapping[C, int] = True,
    total: bool | int = True,
    threshold: int | None = None,
) -> Table[R, C]:
    """Counts in rows and columns, shown with row totals, column totals and a grand total
    (each: True to add them up, a mapping or number to give them, False when not shown). A
    row can balance a column: hiding a cell in a row can leave a lone hidden cell in its
    column, so the rule is applied to rows, columns and the totals until all are safe."""
    raw = {r: dict(cols) for r, cols in rows.items()}
    columns = list(dict.fromkeys(c for cols in raw.values() for c in cols))
    values: dict = {("cell", r, c): v for r, cols in raw.items() for c, v in cols.items()}
    sums: list = []
    rt = ct = None
    if row_totals is not False:
        given = row_totals if isinstance(row_totals, Mapping) else {}
        rt = {r: given.get(r, sum(cols.values())) for r, cols in raw.items()}
        values.update({("row", r): v for r, v in rt.items()})
        sums += [([("cell", r, c) for c in raw[r]], ("row", r)) for r in raw]
    if column_totals is not False:
        given = column_totals if isinstance(column_totals, Mapping) else {}
        ct = {c: given.get(c, sum(cols.get(c, 0) for cols in raw.values())) for c in columns}
        values.update({("col", c): v for c, v in ct.items()})
        sums += [([("cell", r, c) for r in raw if c in raw[r]], ("col", c)) for c in columns]
    grand = 0
    if total is not False and (rt is not None or ct is not None):
        grand = total if not isinstance(total, bool) else sum((rt if rt is not None else ct).values())
        values[("all",)] = grand
        if rt is not None:
            sums.append(([("row", r) for r in raw], ("all",)))
        if ct is not None:
            sums.append(([("col", c) for c in columns], ("all",)))
    shown = protect(values, sums, threshold)
    return Table(
        cells={r: {c: shown[("cell", r, c)] for c in cols} for r, cols in raw.items()},
        row_totals={r: shown[("row", r)] for r in raw} if rt is not None else {},
        column_totals={c: shown[("col", c)] for c in columns} if ct is not None else {},
        total=shown.get(("all",), NOT_SHOWN),
        _counts=raw,
        _row_totals=rt or {},
        _column_totals=ct or {},
        _total=grand,
    )
