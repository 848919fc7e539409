"""The what-if page: two policies side by side over the store's bookings.

The comparison is :func:`interop.reports.whatif.what_if`, imported when the
page is asked for (so the dashboard works in a build without it, and says
so). Its result holds, for each policy, the bookings, those forwarded to
IDENT, the matches (by level), the responses returned to the state, the
detainers, the removals (non-criminal ones apart) and the citizens matched;
``rows()`` gives them as (label, A, B, B - A).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from interop.policy import POLICY_PRESETS
from interop.web.dashboard import charts
from interop.web.dashboard.common import View
from interop.web.dashboard.html import Markup, el, table
from interop.web.dashboard.layout import chart_block

__all__ = ["DEFAULT_COMPARISON", "DEFAULT_STATE", "WhatIfUnavailableError", "whatif_page"]

DEFAULT_COMPARISON = ("as-operated", "honor-opt-out")
"""The question of the program's history: was a state's opt-out honoured?"""

DEFAULT_STATE = "IL"
"""Illinois ended its MOA on 4 May 2011 and asked to leave the program."""

LEVEL_KEYS = ("L1", "L2", "L3", "NC")


class WhatIfUnavailableError(RuntimeError):
    """This build has no :mod:`interop.reports.whatif`."""


def known_policies() -> tuple[str, ...]:
    """The configurations the comparison takes (the presets, without the module)."""
    try:
        from interop.reports.whatif import known_policies as known
    except ImportError:
        return tuple(POLICY_PRESETS)
    return known()


def _number(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _difference(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ("+" if value > 0 else "") + _number(value)
    return _number(value)


def compute(
    view: View, a: str, b: str, state: str | None, since: date | None, through: date | None
) -> Any:
    """The comparison (cached by its parameters and the store's state).

    Raises
    ------
    WhatIfUnavailableError
        When :mod:`interop.reports.whatif` cannot be imported.
    interop.reports.whatif.WhatIfError
        When the comparison cannot be made (no bookings, say).
    """
    try:
        from interop.reports.whatif import what_if
    except ImportError as exc:
        raise WhatIfUnavailableError(str(exc)) from exc
    return view.cached(
        ("what-if", a, b, state, since, through),
        lambda: what_if(view.store, (a, b), state=state, since=since, through=through),
    )


def _field(label: str, control: Markup) -> Markup:
    return el("div", label_for(label, control), control, class_="field")


def label_for(text: str, control: Markup) -> Markup:
    """A ``<label for>`` naming ``control`` (whose ``id`` is ``field-<name>``)."""
    found = re.search(r'\bid="([^"]+)"', control)
    assert found is not None
    return el("label", text, for_=found.group(1))


def _month_input(name: str, value: date | None) -> Markup:
    return el(
        "input",
        type="text",
        name=name,
        id=f"field-{name}",
        value=value.strftime("%Y-%m") if value else "",
        pattern=r"\d{4}-\d{2}",
        maxlength="7",
        size="8",
        inputmode="numeric",
        placeholder="YYYY-MM",
    )


def _form(
    root: str,
    a: str,
    b: str,
    state: str | None,
    states: Sequence[str],
    since: date | None,
    through: date | None,
) -> Markup:
    def choose(name: str, chosen: str) -> Markup:
        return el(
            "select",
            [el("option", p, value=p, selected=p == chosen) for p in known_policies()],
            name=name,
            id=f"field-{name}",
        )

    return el(
        "form",
        _field("Policy A", choose("a", a)),
        _field("Policy B", choose("b", b)),
        _field(
            "State",
            el(
                "select",
                el("option", "All states", value="", selected=state is None),
                [el("option", s, value=s, selected=s == state) for s in states],
                name="state",
                id="field-state",
            ),
        ),
        _field("Booked from (YYYY-MM)", _month_input("since", since)),
        _field("Booked through (YYYY-MM)", _month_input("through", through)),
        el("button", "Compare", type="submit"),
        method="get",
        action=f"{root}/what-if",
        class_="choose",
    )


def _card(title: str, outcome: Any, rows: Sequence[tuple[Any, ...]], column: int) -> Markup:
    return el(
        "section",
        el("h3", title, id=f"policy-{column}"),
        el(
            "dl",
            [[el("dt", r[0]), el("dd", _number(r[column]))] for r in rows],
            class_="facts",
        ),
        aria_labelledby=f"policy-{column}",
        class_="card",
    )


def whatif_page(
    view: View,
    root: str,
    a: str,
    b: str,
    state: str | None,
    states: Sequence[str],
    *,
    since: date | None = None,
    through: date | None = None,
) -> list[Markup]:
    """The form, the two outcomes side by side, their differences, and a chart.

    A comparison that cannot be made (no bookings) is said in words.

    Raises
    ------
    WhatIfUnavailableError
    """
    where = f"in {state}" if state else "nationwide"
    form = _form(root, a, b, state, states, since, through)
    try:
        from interop.reports.whatif import WhatIfError
    except ImportError as exc:
        raise WhatIfUnavailableError(str(exc)) from exc
    try:
        result = compute(view, a, b, state, since, through)
    except WhatIfError as exc:
        return [form, el("p", f"No comparison: {exc}")]
    rows = [tuple(r) for r in result.rows()]
    chart_id = "what-if-levels"
    labels = ["Bookings forwarded", *(f"Matches {k}" for k in LEVEL_KEYS), "Detainers", "Removals"]
    values_a = [
        result.a.forwarded,
        *(result.a.matches_by_level.get(k, 0) for k in LEVEL_KEYS),
        result.a.detainers,
        result.a.removals,
    ]
    values_b = [
        result.b.forwarded,
        *(result.b.matches_by_level.get(k, 0) for k in LEVEL_KEYS),
        result.b.detainers,
        result.b.removals,
    ]
    description = "Horizontal bars, a pair per outcome: " + "; ".join(
        f"{label}: {x} under {a}, {y} under {b}"
        for label, x, y in zip(labels, values_a, values_b, strict=True)
    )
    svg = view.cached(
        ("chart", chart_id, a, b, state),
        lambda: charts.inline_svg(
            charts.comparison_chart(labels, values_a, values_b, (a, b)),
            chart_id,
            f"Outcomes under {a} and {b}, {where}",
            description,
        ),
    )
    comparison = table(
        f"Outcomes under {a} (A) and {b} (B), {where}",
        ["Outcome", f"A: {a}", f"B: {b}", "B - A"],
        [[r[0], _number(r[1]), _number(r[2]), _difference(r[3])] for r in rows],
        numeric=(1, 2, 3),
    )
    return [
        el(
            "p",
            "The store's bookings decided again under two policies: which would have been "
            "forwarded to IDENT, matched, returned to the state, detained and removed. ",
            el(
                "strong",
                "as-operated",
            ),
            " forwards every booking of an activated jurisdiction (the MOA only decides "
            "whether ICE's response returns to the state); ",
            el("strong", "honor-opt-out"),
            " stops forwarding from a state that asked to leave.",
        ),
        form,
        el(
            "section",
            el("h2", f"Side by side, {where}", id="side-heading"),
            el(
                "div",
                _card(f"Policy A: {a}", result.a, rows, 1),
                _card(f"Policy B: {b}", result.b, rows, 2),
                class_="columns",
            ),
            aria_labelledby="side-heading",
        ),
        el(
            "section",
            el("h2", "Differences", id="differences-heading"),
            comparison,
            aria_labelledby="differences-heading",
        ),
        chart_block(
            chart_id,
            "Outcomes compared",
            svg,
            f"Forwarded bookings, matches by level, detainers and removals under {a} and {b}, "
            f"{where}.",
            table(
                f"Outcomes compared, {where}",
                ["Outcome", a, b],
                [[lab, x, y] for lab, x, y in zip(labels, values_a, values_b, strict=True)],
                numeric=(1, 2),
            ),
        ),
    ]
