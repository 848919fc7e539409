"""NCIC place-of-birth codes and the EBTS code tables kept in separate files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from interop.nist import parse
from interop.nist.ncic import (
    NCIC_COUNTRY,
    NOT_IN_TABLE,
    UNKNOWN,
    CodeTables,
    place_of_birth_code,
)
from interop.nist.validation import validate
from interop.population.calibration import Calibration


def test_places_of_the_population_model_have_ncic_codes() -> None:
    pop = Calibration().population
    countries = {
        c
        for table in (
            pop.countries_lawful,
            pop.countries_overstay,
            pop.countries_without_inspection,
        )
        for c, _ in table
    }
    missing = sorted(c for c in countries if c not in NCIC_COUNTRY)
    assert missing == ["UA"]  # Ukraine: not in the NCIC table of EBTS 9.1's time
    assert place_of_birth_code("UA") == NOT_IN_TABLE
    assert place_of_birth_code("") == UNKNOWN
    assert place_of_birth_code("us-ne") == "NB" and place_of_birth_code("US-ZZ") == NOT_IN_TABLE
    codes = list(NCIC_COUNTRY.values())
    assert len(codes) == len(set(codes)), "two countries share an NCIC code"


def _car_type2(pob: str) -> bytes:
    from interop.nist.car import CarSubmission, Offence, build_car

    sub = CarSubmission(
        tcn="IL0310000000000001",
        ori="IL0310000",
        sent_on=date(2010, 3, 1),
        surname="DOE",
        given_name="JOHN",
        date_of_birth=date(1980, 1, 2),
        sex="M",
        race="W",
        place_of_birth=pob,
        height="510",
        weight_lb=170,
        eyes="BRO",
        hair="BLK",
        arrested_on=date(2010, 3, 1),
        offences=(Offence(date(2010, 3, 1), "2299", "BURGLARY"),),
    )
    return build_car(sub)


def test_place_of_birth_is_checked_against_a_code_file(tmp_path: Path) -> None:
    (tmp_path / "T2_POB.txt").write_text(
        "YY\tPOB not contained in code table\nMM\tMexico\nIL\tIllinois\n"
    )
    tables = CodeTables.read(tmp_path)
    assert tables.codes("T2_POB.txt") == {"YY", "MM", "IL"} and tables.codes("T2_CTZ.txt") is None
    good = parse(_car_type2("MM"))
    bad = parse(_car_type2("QQ"))
    pob = [v for v in validate(bad, code_tables=tables) if v.field == "2.020"]
    assert len(pob) == 1 and "'QQ' is not in its code table" in pob[0].message
    assert not [v for v in validate(good, code_tables=tables) if v.field == "2.020"]
    # without the file, only the length and characters are checked
    assert not [v for v in validate(bad, code_tables=CodeTables()) if v.field == "2.020"]


def test_code_tables_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "T2_POB.txt").write_text("IL\tIllinois\n")
    monkeypatch.setenv("INTEROP_EBTS_CODE_TABLES", str(tmp_path))
    bad = parse(_car_type2("MM"))
    assert [v.field for v in validate(bad) if v.field == "2.020"] == ["2.020"]
    monkeypatch.setenv("INTEROP_EBTS_CODE_TABLES", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="does not exist"):
        CodeTables.from_environment()


def test_an_oversized_code_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "T2_SMT.txt").write_bytes(b"A\tx\n" * 300_000)
    with pytest.raises(ValueError, match="larger than 1 MiB"):
        CodeTables.read(tmp_path)


def test_cli_validate_takes_a_code_table_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interop.cli import app

    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "T2_POB.txt").write_text("IL\tIllinois\n")
    car = tmp_path / "car.an2"
    car.write_bytes(_car_type2("MM"))
    plain = CliRunner().invoke(app, ["nist", "validate", str(car)])
    checked = CliRunner().invoke(
        app, ["nist", "validate", str(car), "--code-tables", str(tmp_path / "tables")]
    )
    assert "2.020" not in plain.output  # (no images: other rules are broken)
    assert checked.exit_code == 1 and "2.020" in checked.output
    missing = CliRunner().invoke(
        app, ["nist", "validate", str(car), "--code-tables", str(tmp_path / "none")]
    )
    assert missing.exit_code == 2
