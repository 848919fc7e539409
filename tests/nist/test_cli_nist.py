"""``interop nist show`` and ``interop nist extract`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from interop.cli import app
from interop.fingerprints import decode_template
from tests.conftest import require_data

runner = CliRunner()


def test_show_names_records_fields_and_images() -> None:
    path = require_data("ansi-nist") / "nbis-valid1.14.an2"
    result = runner.invoke(app, ["nist", "show", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Record 3: Type-9 Minutiae data" in out
    assert "1.004  TOT  TPIS" in out
    assert "Images" in out and "784x1133" in out and "WSQ" in out


def test_extract_writes_images_and_templates(tmp_path: Path) -> None:
    path = require_data("ansi-nist") / "nbis-valid1.14.an2"
    result = runner.invoke(app, ["nist", "extract", str(path), str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "record02_type4_fgp1.png").is_file()
    template = decode_template((tmp_path / "record02_type4_fgp1.iso").read_bytes())
    assert template.finger_position == 1 and template.minutiae.shape[0] > 30


def test_malformed_files_exit_2_with_the_typed_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.an2"
    bad.write_bytes(b"1.001:50\x1d1.002:0400\x1c")
    result = runner.invoke(app, ["nist", "show", str(bad)])
    assert result.exit_code == 2
    assert "NistFormatError" in result.output and "byte" in result.output
    missing = runner.invoke(app, ["nist", "show", str(tmp_path / "none.an2")])
    assert missing.exit_code == 2
