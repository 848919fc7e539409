"""Safe HTML for the dashboard: every string is escaped unless it is :class:`Markup`.

No template engine is installed, so pages are built from small functions.
The rule that keeps them safe is one: :func:`render` escapes every ``str``
(and anything else it is given) with :func:`html.escape`, except values that
are already :class:`Markup`, which only this module's functions (and the
chart renderer, for the SVG matplotlib writes) create. Attribute values are
escaped with quotes; attribute names are fixed by the code, never by data.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote, urlencode

__all__ = [
    "Cell",
    "Markup",
    "details",
    "el",
    "link",
    "render",
    "table",
    "url",
]


class Markup(str):
    """A string that is already HTML (built by this module): never escaped again."""

    __slots__ = ()


def render(content: object) -> Markup:
    """``content`` as HTML: text escaped, markup kept, sequences joined, ``None`` empty."""
    if content is None:
        return Markup("")
    if isinstance(content, Markup):
        return content
    if isinstance(content, str):
        return Markup(html.escape(content, quote=True))
    if isinstance(content, int | float):
        return Markup(html.escape(str(content)))
    if isinstance(content, Iterable):
        return Markup("".join(render(c) for c in content))
    return Markup(html.escape(str(content), quote=True))


def _attributes(attrs: Mapping[str, object]) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")  # class_ -> class, aria_label -> aria-label
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{html.escape(str(value), quote=True)}"')
    return "".join(out)


VOID = frozenset({"br", "hr", "img", "input", "link", "meta"})


def el(tag: str, *content: object, **attrs: object) -> Markup:
    """One element: ``el("a", "text", href="/x")`` is ``<a href="/x">text</a>``.

    Parameters
    ----------
    tag : str
        The element's name (a constant of the code, never data).
    *content
        Its children (escaped unless :class:`Markup`).
    **attrs
        Attributes; a trailing ``_`` is dropped and ``_`` becomes ``-``
        (``class_``, ``aria_label``); ``True`` writes the bare name, ``None``
        and ``False`` omit it.
    """
    opening = f"<{tag}{_attributes(attrs)}>"
    if tag in VOID:
        return Markup(opening)
    return Markup(f"{opening}{render(content)}</{tag}>")


def url(path: str, *segments: str, **query: object) -> str:
    """A URL: ``path`` followed by percent-encoded ``segments`` and a query string.

    ``None`` query values are left out. The result is plain text, to be
    escaped as an attribute value by :func:`el`.
    """
    out = path.rstrip("/") if segments else path
    for s in segments:
        out += "/" + quote(s, safe="")
    pairs = [(k, str(v)) for k, v in query.items() if v is not None]
    if pairs:
        out += "?" + urlencode(pairs)
    return out


def link(text: object, href: str, **attrs: object) -> Markup:
    """``<a href>``: ``text`` must say where it leads (it is the link's name)."""
    return el("a", text, href=href, **attrs)


Cell = object
"""A table cell: text, a number, or markup."""


def table(
    caption: object,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    row_headers: bool = True,
    numeric: Sequence[int] = (),
    class_: str | None = None,
) -> Markup:
    """A data table in a container that scrolls sideways on its own.

    Parameters
    ----------
    caption : str or Markup
        What the table is (``<caption>``).
    headers : sequence of str
        Column headings (``<th scope="col">``).
    rows : iterable of sequences
        Cells; the first of each row is its heading (``<th scope="row">``)
        when ``row_headers``.
    numeric : sequence of int
        Columns aligned right (figures).
    class_ : str, optional
        Extra class of the ``<table>``.
    """
    right = set(numeric)
    head = el(
        "thead",
        el(
            "tr",
            [
                el("th", h, scope="col", class_="num" if i in right else None)
                for i, h in enumerate(headers)
            ],
        ),
    )
    body_rows = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = "num" if i in right else None
            if i == 0 and row_headers:
                cells.append(el("th", cell, scope="row", class_=cls))
            else:
                cells.append(el("td", cell, class_=cls))
        body_rows.append(el("tr", cells))
    if not body_rows:
        body_rows.append(el("tr", el("td", "None.", colspan=len(headers))))
    return el(
        "div",
        el("table", el("caption", caption), head, el("tbody", body_rows), class_=class_),
        class_="table-scroll",
        tabindex="0",
        role="region",
        aria_label=caption
        if isinstance(caption, str) and not isinstance(caption, Markup)
        else None,
    )


def details(summary: object, *content: object, open_: bool = False) -> Markup:
    """A ``<details>`` disclosure widget (no script needed)."""
    return el("details", el("summary", summary), *content, open=open_ or None)
