"""The pipeline from the command line: submit, worker, status, audit verify,
keys; several worker processes on PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from interop.agencies.runtime import WorkerConfigError, run_worker_processes
from interop.cli import app
from interop.store import Store
from interop.store.models import Case, Credential, MessageRecord
from interop.store.transparency import audit, load_or_create_log_key
from tests.agencies.test_pipeline import COOK, COUNTY, _car, _seed
from tests.conftest import fresh_postgres_schema

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An embedded store under a fresh INTEROP_HOME, seeded with Illinois."""
    monkeypatch.setenv("INTEROP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTEROP_DATABASE_URL", raising=False)
    monkeypatch.delenv("INTEROP_LOG_KEY", raising=False)
    store = Store.open()
    _seed(store)
    store.close()
    return tmp_path


def _write(folder: Path, person: int, ori: str, tcn: str) -> Path:
    path = folder / f"{tcn}.an2"
    path.write_bytes(_car(person, ori, date(2010, 3, 1), tcn))
    return path


def test_submit_process_status_and_verify(home: Path) -> None:
    first = _write(home, 1, COUNTY, "IL099000000000000001")
    second = _write(home, 2, COOK, "IL016000000000000002")
    result = runner.invoke(app, ["submit", str(first), str(second), "--process"])
    assert result.exit_code == 0, result.output
    assert "IL099000000000000001" in result.output and "detainer_lodged" in result.output

    again = runner.invoke(app, ["submit", str(first)])
    assert again.exit_code == 0 and "duplicate" in again.output

    shown = runner.invoke(app, ["status", "IL099000000000000001", "--json"])
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    assert status["final"] and status["ident_match"] and status["detainer"]["status"] == "lodged"
    assert all(m["log_index"] is not None for m in status["messages"])
    assert {d["question"] for d in status["decisions"]} >= {"forward_to_ident", "detainer"}

    missing = runner.invoke(app, ["status", "NO-SUCH-TCN"])
    assert missing.exit_code == 1

    verified = runner.invoke(app, ["audit", "verify", "--json"])
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    # Cook County is not activated: CAR to the bureau and the FBI, SRE back (4)
    assert report["ok"] and report["leaves"] == len(status["messages"]) + 4
    assert report["messages_not_yet_logged"] == 0

    # an edited message fails the audit
    store = Store.open()
    with store.session() as s:
        m = s.scalars(select(MessageRecord).where(MessageRecord.kind == "DETN")).one()
        m.recipient = "booking:IL0000000"
    store.close()
    failed = runner.invoke(app, ["audit", "verify"])
    assert failed.exit_code == 1 and "mismatch" in failed.output


def test_a_refused_file_exits_1_and_names_the_reason(home: Path) -> None:
    bad = home / "bad.an2"
    bad.write_bytes(b"1.001:12\x1d1.002:0400\x1c")
    result = runner.invoke(app, ["submit", str(bad)])
    assert result.exit_code == 1 and "refused (malformed)" in result.output


def test_audit_verify_with_a_public_key_file(home: Path) -> None:
    runner.invoke(
        app, ["submit", str(_write(home, 2, COUNTY, "IL099000000000000005")), "--process"]
    )
    key = load_or_create_log_key(home / "home" / "log-key.pem")
    pem = home / "log.pub"
    key.save_public_key(pem)
    assert runner.invoke(app, ["audit", "verify", "--public-key", str(pem)]).exit_code == 0
    other = home / "other.pub"
    from interop.audit import LogKey

    LogKey.generate().save_public_key(other)
    result = runner.invoke(app, ["audit", "verify", "--public-key", str(other)])
    assert result.exit_code == 1 and "bad_signature" in result.output


def test_keys_are_issued_hashed_and_revoked(home: Path) -> None:
    issued = runner.invoke(app, ["keys", "issue", COUNTY, "agency"])
    assert issued.exit_code == 0, issued.output
    key = issued.output.strip()
    key_id, _, secret = key.partition(".")
    store = Store.open()
    with store.session() as s:
        cred = s.get(Credential, key_id)
        assert cred is not None and cred.ori == COUNTY and secret not in cred.secret_hash
    store.close()
    assert runner.invoke(app, ["keys", "issue", COUNTY, "emperor"]).exit_code == 2
    assert runner.invoke(app, ["keys", "revoke", key]).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", "nosuchkey"]).exit_code == 1


def test_several_processes_refused_on_sqlite(home: Path) -> None:
    with pytest.raises(WorkerConfigError):
        run_worker_processes(2, until_idle=True)
    result = runner.invoke(app, ["worker", "--processes", "2", "--until-idle"])
    assert result.exit_code == 2


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    with fresh_postgres_schema() as url:
        yield url


def test_worker_processes_share_the_inboxes_on_postgresql(
    postgres_schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEROP_LOG_KEY", str(tmp_path / "log-key.pem"))
    store = Store.open(postgres_schema_url)
    _seed(store)
    from interop.agencies.intake import submit_car

    tcns = []
    for n in range(8):
        tcn = f"IL0990000000000002{n:02d}"
        submit_car(store, _car(1 + n % 3, COUNTY, date(2010, 3, 1 + n), tcn))
        tcns.append(tcn)
    assert run_worker_processes(2, url=postgres_schema_url, until_idle=True) == 0
    with store.session() as s:
        cases = list(s.scalars(select(Case)))
        statuses = {m.status for m in s.scalars(select(MessageRecord))}
    assert len(cases) == 8 and all(c.final for c in cases)
    assert statuses == {"done"}
    report = audit(store, load_or_create_log_key().public_key)
    assert report.ok and report.unlogged == 0 and report.size > 8 * 5
    store.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_takes_a_booking_over_http_and_answers_its_status(home: Path) -> None:
    """As an agency would: `interop serve`, a key, `interop submit --api`, the status."""
    import subprocess
    import sys
    import time

    import httpx

    issued = runner.invoke(app, ["keys", "issue", COUNTY, "agency"])
    key = issued.output.strip()
    port = _free_port()
    env = {**os.environ, "INTEROP_API_KEY": key}
    server = subprocess.Popen(
        [sys.executable, "-c", "from interop.cli import app; app()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        path = _write(home, 1, COUNTY, "IL099000000000000007")
        sent = subprocess.run(
            [sys.executable, "-c", "from interop.cli import app; app()", "submit", str(path),
             "--api", base],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        assert "IL099000000000000007" in sent.stdout
        for _ in range(600):
            status = httpx.get(
                f"{base}/transactions/IL099000000000000007",
                headers={"Authorization": f"Bearer {key}"},
                timeout=5,
            ).json()
            if status["final"]:
                break
            time.sleep(0.1)
        assert status["final"] and status["stage"] == "detainer_lodged"
        head = httpx.get(f"{base}/log/head", timeout=5)
        assert head.status_code == 200 and head.json()["tree_size"] > 10
    finally:
        server.terminate()
        server.wait(timeout=30)
