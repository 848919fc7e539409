"""Validation of a transaction against the EBTS rules (:mod:`.ebts_rules`).

Checked, for the transaction's type (1.004 TOT): the records it may and
must hold (counts by type); in the Type-1 and Type-2 records, the fields
mandatory for the TOT, fields the TOT does not define, and for each field
present its number of subfields, each subfield's length, characters
(``A`` letters, ``N`` digits, ``S`` the special characters the rule allows,
``ANS``/``PRINT`` any printable), code table, date (``CCYYMMDD``) and
pattern. Items of fields with items are checked the same way where the
rules define them. The tagged records of other types the rules cover (9,
10, 13, 14, 15) are checked the same way; image data by :mod:`.images`.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, replace

from interop.nist.ebts_rules import FieldRule, Rules, load_rules
from interop.nist.ncic import CodeTables
from interop.nist.traditional import Field, Transaction, is_number

VALIDATED_RECORDS = (1, 2, 9, 10, 13, 14, 15)
"""Record types whose fields are checked one by one (binary data fields
only for their presence and count)."""


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    Attributes
    ----------
    record : int or None
        Index of the record in the transaction.
    field : str or None
        Tag (``"2.024"``), with ``..k`` for an item.
    offset : int or None
        Byte offset of the field in the transaction.
    message : str
    """

    record: int | None
    field: str | None
    offset: int | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.field is not None:
            where.append(f"field {self.field}")
        if self.offset is not None and self.offset >= 0:
            where.append(f"byte {self.offset}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


def _allowed(rule: FieldRule) -> re.Pattern[str] | None:
    """The characters ``rule`` allows, as a pattern; ``None`` for binary."""
    return _allowed_pattern(rule.chars.upper(), rule.special)


@functools.lru_cache(maxsize=256)
def _allowed_pattern(chars: str, special: str | None) -> re.Pattern[str] | None:
    """:func:`_allowed` for a character set code and its special characters
    (built once per pair: a Type-9 record checks thousands of values)."""
    if chars.startswith("B"):
        return None
    if special == "PRINT" or ("S" in chars and special is None):
        return re.compile(r"[\x20-\x7e]*")
    parts = ""
    if "A" in chars:
        parts += "A-Za-z"
    if "N" in chars:
        parts += "0-9"
    if "S" in chars and special:
        parts += re.escape(special)
    return re.compile(f"[{parts}]*")


@functools.lru_cache(maxsize=512)
def _conforming(
    chars: str, special: str | None, low: int, high: int | None
) -> re.Pattern[str] | None:
    """One pattern that a value of the right length and characters matches
    (``None`` for binary): most values conform, and one match settles them."""
    allowed = _allowed_pattern(chars, special)
    if allowed is None:
        return None
    body = allowed.pattern.removesuffix("*")
    return re.compile(f"{body}{{{low},{'' if high is None else high}}}")


def _bound(high: int | None) -> str:
    return "any" if high is None else str(high)


def _date_ok(value: str) -> bool:
    if len(value) != 8 or not is_number(value):
        return False
    if value == "00000000":
        return True
    try:
        datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return False
    return True


def _check_value(
    value: str, rule: FieldRule, record: int, name: str | None, offset: int, out: list[Violation]
) -> None:
    """Check one value; ``name`` ``None`` names it after ``rule`` (only if it breaks it)."""
    low, high = rule.size
    if rule.codes is None and rule.date is None and rule.regex is None and rule.nregex is None:
        quick = _conforming(rule.chars.upper(), rule.special, low, high)
        if quick is not None and quick.fullmatch(value):
            return
    if name is None:
        name = rule.name
    if len(value) < low or (high is not None and len(value) > high):
        bound = f"{low}" if high == low else f"{low}-{high if high is not None else 'any'}"
        out.append(
            Violation(
                record, name, offset, f"{rule.mnemonic}: {len(value)} characters, allowed {bound}"
            )
        )
    allowed = _allowed(rule)
    if allowed is not None and not allowed.fullmatch(value):
        out.append(
            Violation(
                record,
                name,
                offset,
                f"{rule.mnemonic}: characters outside {rule.chars} in {value!r}",
            )
        )
    if rule.codes is not None and not rule.open_codes and value not in rule.codes:
        out.append(
            Violation(record, name, offset, f"{rule.mnemonic}: {value!r} is not in its code table")
        )
    if rule.date is not None and not _date_ok(value):
        out.append(
            Violation(record, name, offset, f"{rule.mnemonic}: {value!r} is not a date CCYYMMDD")
        )
    if rule.regex is not None and not re.fullmatch(rule.regex, value):
        out.append(
            Violation(
                record, name, offset, f"{rule.mnemonic}: {value!r} does not match {rule.regex}"
            )
        )
    if rule.nregex is not None and re.fullmatch(rule.nregex, value):
        out.append(
            Violation(
                record,
                name,
                offset,
                f"{rule.mnemonic}: {value!r} matches the forbidden {rule.nregex}",
            )
        )


def _check_field(
    f: Field, rule: FieldRule, items: list[FieldRule], record: int, out: list[Violation]
) -> None:
    name = f"{rule.record}.{rule.tag:03d}"
    low, high = rule.occurs
    n = len(f.subfields)
    if n < low or (high is not None and n > high):
        out.append(
            Violation(
                record,
                name,
                f.offset,
                f"{rule.mnemonic}: {n} occurrences, allowed {low}-{_bound(high)}",
            )
        )
    if rule.chars.upper().startswith("B"):
        return  # binary data: its contents are the image's
    for sub in f.items():
        if not rule.has_items:
            if len(sub) != 1:
                out.append(
                    Violation(
                        record, name, f.offset, f"{rule.mnemonic}: has items, the rule has none"
                    )
                )
                continue
            _check_value(sub[0], rule, record, name, f.offset, out)
            continue
        joined = "".join(sub)
        if rule.size[1] is not None and len(joined) > rule.size[1]:
            out.append(
                Violation(
                    record,
                    name,
                    f.offset,
                    f"{rule.mnemonic}: {len(joined)} characters, allowed up to {rule.size[1]}",
                )
            )
        for item_rule in items:
            k = (item_rule.item or 1) - 1
            if k < len(sub):
                _check_value(sub[k], item_rule, record, None, f.offset, out)


def _with_table(rule: FieldRule, tables: CodeTables) -> FieldRule:
    """``rule`` with the codes of its separate code file, where given."""
    codes = tables.codes(rule.code_file) if rule.code_file else None
    return rule if codes is None else replace(rule, codes=dict.fromkeys(codes, ""))


def validate(
    transaction: Transaction, rules: Rules | None = None, code_tables: CodeTables | None = None
) -> list[Violation]:
    """Every EBTS rule the transaction breaks (empty: it conforms).

    Parameters
    ----------
    transaction : Transaction
    rules : Rules, optional
        The EBTS 9.1 rules by default.
    code_tables : CodeTables, optional
        The code tables the rules keep in separate files (place of birth,
        citizenship, ...); by default those of ``INTEROP_EBTS_CODE_TABLES``,
        and without them those fields are checked for length and characters.
    """
    rules = rules or load_rules()
    tables = code_tables if code_tables is not None else CodeTables.from_environment()
    out: list[Violation] = []
    type1 = transaction.records[0]
    tot_field = type1.get(4)
    tot = tot_field.text if tot_field is not None else ""
    spec = rules.transactions.get(tot)
    if spec is None:
        out.append(
            Violation(
                0,
                "1.004",
                tot_field.offset if tot_field else None,
                f"unknown type of transaction {tot!r}",
            )
        )
        return out
    counted: set[int] = set()
    for group, low, high in spec["records"]:
        n = sum(1 for r in transaction.records if r.type in group)
        counted.update(group)
        if not low <= n <= high:
            kinds = " or ".join(f"Type-{t}" for t in group)
            out.append(
                Violation(None, None, None, f"{tot}: {n} {kinds} records, allowed {low}-{high}")
            )
    for k, r in enumerate(transaction.records):
        if r.type not in counted:
            out.append(Violation(k, None, r.offset, f"{tot} does not take Type-{r.type} records"))
    for k, record in enumerate(transaction.records):
        if record.type not in VALIDATED_RECORDS:
            continue
        by_tag: dict[int, FieldRule] = {}
        for rule in rules.field_rules(tot, record.type):
            by_tag.setdefault(rule.tag, rule)
        for tag, rule in sorted(by_tag.items()):
            if rule.presence(tot) == "M" and record.get(tag) is None:
                out.append(
                    Violation(
                        k,
                        f"{record.type}.{tag:03d}",
                        record.offset,
                        f"{rule.mnemonic} ({rule.desc}) is mandatory for {tot}",
                    )
                )
        for f in record.fields:
            found = by_tag.get(f.tag)
            if found is None:
                out.append(
                    Violation(k, f"{record.type}.{f.tag:03d}", f.offset, f"not a field of {tot}")
                )
                continue
            rule = found
            if f.tag in (1, 3):  # length and content list: checked by the parser
                continue
            items = [_with_table(i, tables) for i in rules.item_rules(rule)]
            _check_field(f, _with_table(rule, tables), items, k, out)
    return out
