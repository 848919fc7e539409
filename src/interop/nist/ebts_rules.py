"""The EBTS rule table: read from the OpenEBTS verification file format.

The FBI's EBTS 9.1 rules in machine-readable form (OpenEBTS, Apache-2.0:
``../shared/data/ansi-nist/openebts-EBTS9.1_ENUS.txt``) have two parts:

* ``TRANSACTIONS``: each type of transaction (TOT) with the records it holds,
  ``1:1 2:1 414:1-14 10:0-4;`` (type or type pair ``414`` = Type-4 or 14,
  then minimum-maximum count), shared by the TOTs listed before it;
* ``FIELDS``: blocks ``[M|O, TOT, TOT O, ...]`` (mandatory or optional, for
  the TOTs listed, each may override; no list: every TOT) followed by one
  field ``T.NNN[:] MNEMONIC chars size occurrences attr="..."`` (``:`` when the
  field has items, each then defined as ``T.NNN..k``), attributes ``desc``,
  ``mmap`` (code table), ``omap`` (open code table), ``sca`` (special
  characters allowed), ``date``, ``regex``, ``nregex``, ended by ``;``.

:func:`parse_rules` turns the text into plain data;
``python -m interop.nist.ebts_rules`` writes it as the JSON the project ships
(``ebts91_rules.json``), which :func:`load_rules` reads.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("ebts91_rules.json")

_TOT_LINE = re.compile(r'^\s+([A-Z0-9]{2,5})\s+"([^"]*)"\s*$')
_COUNTS = re.compile(r"(\d+):(\d+)(?:-(\d+))?")
_TAG = re.compile(r"^(\d+)\.(\d+)(:)?(?:\.\.\.?(\d+))?$")
_ATTR = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', re.DOTALL)
_CONTINUATION = re.compile(r"\\\n\s*")
_RANGE = re.compile(r"^(\d+|x)(?:-(\d+|x))?$")


@dataclass(frozen=True)
class FieldRule:
    """The rule for one field (or item) of one set of TOTs."""

    record: int
    tag: int
    item: int | None
    has_items: bool
    mnemonic: str
    chars: str
    size: tuple[int, int | None]
    occurs: tuple[int, int | None]
    desc: str
    codes: dict[str, str] | None
    open_codes: bool
    code_file: str | None
    special: str | None
    date: str | None
    regex: str | None
    nregex: str | None
    default: str
    tots: dict[str, str] | None

    @property
    def name(self) -> str:
        base = f"{self.record}.{self.tag:03d}"
        return base if self.item is None else f"{base}..{self.item}"

    def presence(self, tot: str) -> str | None:
        """``"M"``, ``"O"``, or ``None`` when the rule is not for ``tot``."""
        if self.tots is None:
            return self.default
        return self.tots.get(tot)


@dataclass(frozen=True)
class Rules:
    """Transaction types and field rules."""

    transactions: dict[str, dict[str, Any]]
    fields: tuple[FieldRule, ...]

    def field_rules(self, tot: str, record: int) -> list[FieldRule]:
        """The rules of the fields (not items) of ``record`` for ``tot``."""
        key = (tot, record)
        found = self._field_rules.get(key)
        if found is None:
            found = [
                r
                for r in self.fields
                if r.record == record and r.item is None and r.presence(tot) is not None
            ]
            self._field_rules[key] = found
        return list(found)

    def item_rules(self, rule: FieldRule) -> list[FieldRule]:
        """The item rules that follow ``rule`` (same field, same TOTs)."""
        return [r for r in self._items.get((rule.record, rule.tag), ()) if r.tots == rule.tots]

    # Lookup tables built on first use: validation asks for the same rules
    # for every record of every transaction.
    @cached_property
    def _field_rules(self) -> dict[tuple[str, int], list[FieldRule]]:
        return {}

    @cached_property
    def _items(self) -> dict[tuple[int, int], list[FieldRule]]:
        out: dict[tuple[int, int], list[FieldRule]] = {}
        for r in self.fields:
            if r.item is not None:
                out.setdefault((r.record, r.tag), []).append(r)
        return out


def _strip_comment(line: str) -> str:
    """``line`` without a ``#`` comment outside quotes."""
    quoted = False
    for k, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return line[:k]
    return line


def _range(text: str, what: str) -> tuple[int, int | None]:
    m = _RANGE.match(text)
    if m is None:
        raise ValueError(f"bad {what} range {text!r}")
    if m.group(1) == "x":  # unspecified
        return 0, None
    low = int(m.group(1))
    if m.group(2) is None:
        return low, low
    return low, None if m.group(2) == "x" else int(m.group(2))


def _codes(text: str) -> dict[str, str]:
    out = {}
    for entry in text.split("|"):
        code, _, meaning = entry.partition(":")
        if code.strip():
            out[code.strip()] = meaning.strip()
    return out


def _presence(header: str) -> tuple[str, dict[str, str] | None]:
    parts = [p.strip() for p in header.replace("\n", " ").split(",") if p.strip()]
    if not parts or parts[0] not in ("M", "O"):
        raise ValueError(f"bad rule header [{header}]")
    default = parts[0]
    if len(parts) == 1:
        return default, None
    tots = {}
    for p in parts[1:]:
        words = p.split()
        tots[words[0]] = words[1] if len(words) > 1 and words[1] in ("M", "O") else default
    return default, tots


def _field(statement: str, default: str, tots: dict[str, str] | None) -> FieldRule:
    head, _, rest = statement.partition('desc="')
    attrs_text = 'desc="' + rest if rest else ""
    # the first five columns, then attributes
    words = head.split()
    attrs = {k: _CONTINUATION.sub("", v) for k, v in _ATTR.findall(attrs_text)}
    for k, v in _ATTR.findall(head):
        attrs.setdefault(k, v)
    words = [w for w in words if "=" not in w and not w.startswith('"')]
    if len(words) < 5:
        raise ValueError(f"bad field definition {statement[:60]!r}")
    tag = _TAG.match(words[0])
    if tag is None:
        raise ValueError(f"bad tag {words[0]!r}")
    mmap = attrs.get("mmap")
    omap = attrs.get("omap")
    table = mmap if mmap is not None else omap
    code_file = table[len("file://") :] if table and table.startswith("file://") else None
    return FieldRule(
        record=int(tag.group(1)),
        tag=int(tag.group(2)),
        item=int(tag.group(4)) if tag.group(4) else None,
        has_items=tag.group(3) is not None,
        mnemonic=words[1],
        chars=words[2],
        size=_range(words[3], "size"),
        occurs=_range(words[4], "occurrence"),
        desc=" ".join(attrs.get("desc", "").split()),
        codes=_codes(table) if table and code_file is None else None,
        open_codes=mmap is None and omap is not None,
        code_file=code_file,
        special=attrs.get("sca"),
        date=attrs.get("date"),
        regex=attrs.get("regex"),
        nregex=attrs.get("nregex"),
        default=default,
        tots=tots,
    )


def parse_rules(text: str) -> Rules:
    """Read the OpenEBTS verification format (see module docstring).

    Raises
    ------
    ValueError
        On a line it cannot read (the message quotes it).
    """
    lines = [_strip_comment(line.rstrip("\n").lstrip("\ufeff")) for line in text.splitlines()]
    start = next(k for k, line in enumerate(lines) if line.strip() == "FIELDS")
    transactions: dict[str, dict[str, Any]] = {}
    pending: list[tuple[str, str]] = []
    for line in lines[:start]:
        m = _TOT_LINE.match(line)
        if m:
            pending.append((m.group(1), m.group(2)))
            continue
        counts = _COUNTS.findall(line)
        if counts and line.strip().endswith(";"):
            records = []
            for types, low, high in counts:
                group = [int(types[0]), int(types[1:])] if len(types) == 3 else [int(types)]
                records.append([group, int(low), int(high or low)])
            for tot, name in pending:
                transactions[tot] = {"name": name, "records": records}
            pending = []
    body = "\n".join(lines[start + 1 :])
    fields: list[FieldRule] = []
    for block in re.split(r"^\[", body, flags=re.MULTILINE)[1:]:
        header, _, definitions = block.partition("]")
        default, tots = _presence(header)
        for statement in re.split(r";\s*(?:\n|$)", definitions):
            statement = statement.strip()
            if statement:
                fields.append(_field(statement, default, tots))
    return Rules(transactions, tuple(fields))


def rules_to_json(rules: Rules) -> str:
    """The rules as the JSON :func:`load_rules` reads."""
    return json.dumps(
        {
            "source": "FBI EBTS 9.1 rules as rendered by the OpenEBTS project "
            "(openebts-EBTS9.1_ENUS.txt, Apache License 2.0)",
            "transactions": rules.transactions,
            "fields": [vars(r) for r in rules.fields],
        },
        indent=0,
        ensure_ascii=False,
    )


@functools.lru_cache(maxsize=2)
def load_rules(path: Path = RULES_FILE) -> Rules:
    """The shipped rule table (or another written by :func:`rules_to_json`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = []
    for r in data["fields"]:
        r = dict(r)
        r["size"] = tuple(r["size"])
        r["occurs"] = tuple(r["occurs"])
        fields.append(FieldRule(**r))
    return Rules(data["transactions"], tuple(fields))


def main(argv: list[str] | None = None) -> int:
    """``python -m interop.nist.ebts_rules [SOURCE]``: rewrite the shipped table."""
    import argparse

    from interop.evaluation.datasets import shared_data_dir

    ap = argparse.ArgumentParser(description="Build ebts91_rules.json from the OpenEBTS file.")
    ap.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=shared_data_dir() / "ansi-nist" / "openebts-EBTS9.1_ENUS.txt",
    )
    args = ap.parse_args(argv)
    rules = parse_rules(args.source.read_text(encoding="utf-8"))
    RULES_FILE.write_text(rules_to_json(rules) + "\n", encoding="utf-8")
    print(
        f"wrote {RULES_FILE}: {len(rules.transactions)} transaction types, "
        f"{len(rules.fields)} field and item rules"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
