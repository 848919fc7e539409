"""EBTS rules: the shipped table, and validation of real and broken transactions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interop.cli import app
from interop.nist import Field, Record, Transaction, encode, parse
from interop.nist.ebts_rules import RULES_FILE, load_rules, parse_rules, rules_to_json
from interop.nist.validation import validate
from tests.conftest import require_data


def car() -> Transaction:
    """NBIS's CAR sample, declared at version 0400 (EBTS 9.1 knows no 0201)."""
    data = (require_data("ansi-nist") / "nbis-valid1.1.an2").read_bytes()
    return parse(data.replace(b"1.02:0201", b"1.02:0400", 1))


def with_type2(t: Transaction, change: dict[int, str | None]) -> Transaction:
    """``t`` with Type-2 fields set (``None`` removes)."""
    type2 = t.records[1]
    fields = {f.tag: f for f in type2.fields}
    for tag, value in change.items():
        if value is None:
            fields.pop(tag, None)
        else:
            fields[tag] = dataclasses.replace(Field.of(tag, value), tag_digits=3)
    record = Record(2, tuple(fields[k] for k in sorted(fields)))
    return parse(encode((t.records[0], record, *t.records[2:])))


def test_shipped_table_is_built_from_the_openebts_file() -> None:
    source = require_data("ansi-nist") / "openebts-EBTS9.1_ENUS.txt"
    built = parse_rules(source.read_text(encoding="utf-8"))
    shipped = load_rules(RULES_FILE)
    assert built == shipped
    assert rules_to_json(built) + "\n" == RULES_FILE.read_text(encoding="utf-8")


def test_rule_table_contents() -> None:
    rules = load_rules()
    assert len(rules.transactions) == 71 and len(rules.fields) == 359
    assert rules.transactions["CAR"]["records"][:3] == [[[1], 1, 1], [[2], 1, 1], [[4, 14], 1, 14]]
    sex = next(r for r in rules.fields if r.mnemonic == "T2_SEX")
    assert sex.codes is not None and set(sex.codes) >= {"F", "M", "X"}
    socs = [r for r in rules.fields if r.mnemonic == "T2_SOC"]
    assert sorted(r.occurs for r in socs) == [(1, 1), (1, 4)]  # EQHR takes one SSN only
    ead = next(r for r in rules.fields if r.mnemonic == "T2_EAD")
    assert ead.presence("TPIS") == "M" and ead.presence("CAR") == "O"
    assert ead.presence("LFS") is None
    nsr = next(r for r in rules.fields if r.mnemonic == "T1_NSR")
    assert nsr.regex == r"[0-9][0-9]\.[0-9][0-9]"


def test_a_real_car_conforms() -> None:
    assert validate(car()) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({24: "Q"}, "2.024", "code table"),
        ({18: None}, "2.018", "mandatory for CAR"),
        ({22: "19981340"}, "2.022", "not a date"),
        ({18: "DOE,J4NE"}, "2.018", "characters outside AS"),
        ({27: "5000"}, "2.027", "4 characters"),
        ({999: "x"}, "2.999", "not a field of CAR"),
    ],
)
def test_each_broken_rule_is_reported(
    change: dict[int, str | None], field: str, words: str
) -> None:
    violations = validate(with_type2(car(), change))
    assert len(violations) == 1, [str(v) for v in violations]
    v = violations[0]
    assert v.record == 1 and v.field == field and words in v.message
    assert v.offset is not None and v.offset > 0


def test_record_counts_and_unknown_transaction_types() -> None:
    t = car()
    no_prints = Transaction(
        (
            Record(
                1,
                tuple(
                    Field.of(3, [["1", "1"], ["2", "00"]]) if f.tag == 3 else f
                    for f in t.records[0].fields
                ),
            ),
            t.records[1],
        )
    )
    violations = validate(parse(encode(no_prints)))
    assert [v.message for v in violations] == ["CAR: 0 Type-4 or Type-14 records, allowed 1-14"]
    unknown = Record(1, tuple(Field.of(4, "XYZ") if f.tag == 4 else f for f in t.records[0].fields))
    violations = validate(parse(encode((unknown, *t.records[1:]))))
    assert len(violations) == 1 and "unknown type of transaction 'XYZ'" in violations[0].message


def test_cli_validate_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "car.an2"
    good.write_bytes(encode(car()))
    result = CliRunner().invoke(app, ["nist", "validate", str(good)])
    assert result.exit_code == 0 and "conforms" in result.output
    bad = tmp_path / "bad.an2"
    bad.write_bytes(encode(with_type2(car(), {24: "Q"})))
    result = CliRunner().invoke(app, ["nist", "validate", str(bad)])
    assert result.exit_code == 1 and "2.024" in result.output and "code table" in result.output
    junk = tmp_path / "junk.an2"
    junk.write_bytes(b"not a transaction")
    assert CliRunner().invoke(app, ["nist", "validate", str(junk)]).exit_code == 2
