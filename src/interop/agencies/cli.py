"""The pipeline's commands: ``serve``, ``worker``, ``submit``, ``status``,
``audit verify`` and ``keys``.

Every command works on the store named by ``INTEROP_DATABASE_URL`` (or
``--database``), by default the embedded SQLite file under
``INTEROP_HOME``. ``submit`` and ``status`` can instead talk to a running
API (``--api URL``, key in ``INTEROP_API_KEY``), as an agency would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from interop.store import Store

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest transaction file ``submit`` reads (intake refuses more anyway)."""

API_KEY_ENV = "INTEROP_API_KEY"

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL of the store (default INTEROP_DATABASE_URL, else the embedded file).",
    ),
]
PolicyOption = Annotated[
    str,
    typer.Option(
        "--policy", help="Policy preset: as-operated or honor-opt-out.", envvar="INTEROP_POLICY"
    ),
]
ApiOption = Annotated[
    str | None,
    typer.Option("--api", help="Base URL of a running API; the key is read from INTEROP_API_KEY."),
]

audit_app = typer.Typer(help="The transparency log of disclosures.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys bound to an agency's ORI and role.", no_args_is_help=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(f"[red]{message}[/red]")
    return typer.Exit(code)


def _store(database: str | None) -> Store:
    from interop.store import Store
    from interop.store.database import StoreError

    try:
        return Store.open(database)
    except (StoreError, OSError, ValueError) as exc:
        raise _fail(f"cannot open the store: {exc}") from exc


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(f"{path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise _fail(f"{path}: more than {MAX_FILE_BYTES} bytes")
    return data


def _api_key() -> str:
    key = os.environ.get(API_KEY_ENV)
    if not key:
        raise _fail(f"--api needs the agency's key in {API_KEY_ENV}")
    return key


def _api_get(api: str, path: str) -> Any:
    import httpx

    try:
        response = httpx.get(
            api.rstrip("/") + path, headers={"Authorization": f"Bearer {_api_key()}"}, timeout=30
        )
    except httpx.HTTPError as exc:
        raise _fail(f"{api}: {exc}") from exc
    if response.status_code >= 400:
        raise _fail(f"{response.status_code}: {response.text[:500]}", 1)
    return response.json()


# ---------------------------------------------------------------- serve


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            max=1,
            help="Workers in this process (1: embedded; 0: run `interop worker` separately).",
        ),
    ] = 1,
    policy: PolicyOption = "as-operated",
    database: DatabaseOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and, embedded, one worker beside it."""
    from interop.agencies.runtime import open_runtime, serve_store

    store = _store(database)
    runtime = open_runtime(policy=policy, store=store)
    typer.echo(f"API on http://{host}:{port} (OpenAPI: /docs); store: {store.dialect}")
    serve_store(runtime, host=host, port=port, embedded_worker=bool(workers))


# --------------------------------------------------------------- worker


def worker(
    processes: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (more than 1: PostgreSQL only).")
    ] = 1,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop when no message is due.")
    ] = False,
    lease_seconds: Annotated[
        float,
        typer.Option(
            "--lease-seconds",
            min=1.0,
            help="How long a claimed message waits before another worker may take it "
            "(after a crash).",
        ),
    ] = 60.0,
    expire_detainers: Annotated[
        bool,
        typer.Option(
            help="Expire detainers whose 48-hour hold has run out, by the wall clock "
            "(turn off when replaying past bookings)."
        ),
    ] = True,
    gallery_shards: Annotated[
        int,
        typer.Option(
            "--gallery-shards",
            min=0,
            max=256,
            help="0: galleries in each worker process; N: in N Ray actors each "
            "(the cluster RAY_ADDRESS names, or a local one).",
        ),
    ] = 0,
    keep_next: Annotated[
        bool,
        typer.Option(
            help="Handle the next steps of a booking this worker publishes itself "
            "(they stay with its caches) before claiming others.",
        ),
    ] = True,
    claim: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1000,
            help="Most messages claimed at a time (default: those handled in one "
            "transaction, 16). A booking waits for the others claimed with it: "
            "a smaller claim shortens its latency under load, at some throughput.",
        ),
    ] = None,
    policy: PolicyOption = "as-operated",
    database: DatabaseOption = None,
) -> None:
    """Handle every agency's inbox until stopped (SIGTERM/Ctrl-C) or idle."""
    import logging

    from interop.agencies.runtime import LOG_FORMAT, WorkerConfigError, run_worker_processes

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        failed = run_worker_processes(
            processes,
            url=database,
            policy=policy,
            until_idle=until_idle,
            lease_s=lease_seconds,
            expire_detainers=expire_detainers,
            gallery_shards=gallery_shards,
            keep_next=keep_next,
            claim=claim,
        )
    except (WorkerConfigError, KeyError) as exc:
        raise _fail(str(exc)) from exc
    if failed:
        raise _fail(f"{failed} worker process(es) failed", 1)


# --------------------------------------------------------------- submit


def submit(
    files: Annotated[list[Path], typer.Argument(help="ANSI/NIST CAR files.")],
    ori: Annotated[
        str | None,
        typer.Option(help="Submitting agency's ORI (default: the file's 1.008)."),
    ] = None,
    process: Annotated[
        bool,
        typer.Option(
            "--process", help="Embedded: run a worker until idle afterwards, then show the status."
        ),
    ] = False,
    api: ApiOption = None,
    policy: PolicyOption = "as-operated",
    database: DatabaseOption = None,
) -> None:
    """Submit bookings; prints each TCN (exit 1 if one was refused)."""
    from interop.agencies.intake import SubmissionError, submit_car

    refused = 0
    tcns: list[str] = []
    store = None if api else _store(database)
    for path in files:
        data = _read_file(path)
        if api:
            tcn, duplicate = _submit_api(api, data)
        else:
            assert store is not None
            try:
                sub = submit_car(store, data, submitter_ori=ori)
            except SubmissionError as exc:
                typer.echo(f"{path}: refused ({exc.code}): {exc}", err=True)
                refused += 1
                continue
            tcn, duplicate = sub.tcn, sub.duplicate
        tcns.append(tcn)
        typer.echo(f"{path}: {tcn}" + (" (duplicate: not processed again)" if duplicate else ""))
    if process and store is not None:
        from interop.agencies.runtime import open_runtime

        open_runtime(policy=policy, store=store).worker().run(until_idle=True)
        for tcn in tcns:
            _show_status(store, tcn, as_json=False)
    if store is not None:
        store.close()
    if refused:
        raise typer.Exit(1)


def _submit_api(api: str, data: bytes) -> tuple[str, bool]:
    import httpx

    try:
        response = httpx.post(
            api.rstrip("/") + "/transactions",
            content=data,
            headers={
                "Authorization": f"Bearer {_api_key()}",
                "Content-Type": "application/octet-stream",
            },
            timeout=60,
        )
    except httpx.HTTPError as exc:
        raise _fail(f"{api}: {exc}") from exc
    if response.status_code >= 400:
        raise _fail(f"{response.status_code}: {response.text[:500]}", 1)
    body = response.json()
    return str(body["tcn"]), bool(body.get("duplicate"))


# --------------------------------------------------------------- status


def case_status(store: Store, tcn: str) -> dict[str, Any] | None:
    """A booking's case, messages and policy decisions (the operator's view)."""
    from sqlalchemy import select

    from interop.store.models import Case, DetainerRecord, MessageRecord, PolicyDecisionRecord

    with store.session() as s:
        case = s.get(Case, tcn)
        if case is None:
            return None
        messages = s.scalars(
            select(MessageRecord)
            .where(MessageRecord.tcn == tcn)
            .order_by(MessageRecord.created_at, MessageRecord.id)
        ).all()
        decisions = s.scalars(
            select(PolicyDecisionRecord)
            .where(PolicyDecisionRecord.tcn == tcn)
            .order_by(PolicyDecisionRecord.decided_at)
        ).all()
        detainer = s.get(DetainerRecord, tcn)
        return {
            "tcn": case.tcn,
            "ori": case.ori,
            "booked_on": case.booked_on.isoformat(),
            "stage": case.stage,
            "final": case.final,
            "criminal_identified": case.criminal_identified,
            "forwarded_to_ident": case.forwarded_to_ident,
            "ident_match": case.ident_match,
            "priority_level": case.priority_level,
            "citizen": case.citizen,
            "iar_to_state": case.iar_to_state,
            "detainer": None
            if detainer is None
            else {
                "status": detainer.status,
                "expires_at": detainer.expires_at.isoformat() if detainer.expires_at else None,
            },
            "error": case.error,
            "messages": [
                {
                    "id": m.id,
                    "kind": m.kind,
                    "from": m.sender,
                    "to": m.recipient,
                    "status": m.status,
                    "attempts": m.attempts,
                    "log_index": m.log_index,
                    "sent_at": m.created_at.isoformat(),
                }
                for m in messages
            ],
            "decisions": [
                {"question": d.question, "rule": d.rule, "allowed": d.allowed, "reason": d.reason}
                for d in decisions
            ],
        }


def _show_status(store: Store, tcn: str, *, as_json: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    found = case_status(store, tcn)
    if found is None:
        raise _fail(f"no booking with TCN {tcn}", 1)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    console = Console()
    facts = Table(title=f"Booking {tcn}", show_header=False)
    for key in (
        "ori",
        "booked_on",
        "stage",
        "final",
        "forwarded_to_ident",
        "ident_match",
        "priority_level",
        "citizen",
        "iar_to_state",
        "detainer",
        "error",
    ):
        facts.add_row(key, str(found[key]))
    console.print(facts)
    messages = Table("kind", "from", "to", "status", "log leaf", title="Messages")
    for m in found["messages"]:
        messages.add_row(m["kind"], m["from"], m["to"], m["status"], str(m["log_index"]))
    console.print(messages)
    decisions = Table("question", "rule", "allowed", "reason", title="Policy decisions")
    for d in found["decisions"]:
        decisions.add_row(d["question"], d["rule"], str(d["allowed"]), d["reason"])
    console.print(decisions)


def status(
    tcn: Annotated[str, typer.Argument(help="The booking's transaction control number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    api: ApiOption = None,
    database: DatabaseOption = None,
) -> None:
    """Show where a booking is: stage, messages, policy decisions (exit 1 if unknown)."""
    if api:
        from urllib.parse import quote

        found = _api_get(api, f"/transactions/{quote(tcn, safe='')}")
        found["responses"] = _api_get(api, f"/transactions/{quote(tcn, safe='')}/responses")
        typer.echo(json.dumps(found, indent=2))
        return
    store = _store(database)
    try:
        _show_status(store, tcn, as_json=as_json)
    finally:
        store.close()


# ---------------------------------------------------------------- audit


@audit_app.command("verify")
def audit_verify(
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The log's public key (PEM); default: derived from the log's private key file.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Recompute the whole log, check every signed head and every entry against
    its message; exit 1 on any problem."""
    from interop.audit import AuditError, LogKey, load_public_key
    from interop.store.transparency import audit, log_key_path

    try:
        if public_key is not None:
            raw = load_public_key(_read_file(public_key))
        else:
            path = log_key_path()
            if not path.exists():
                raise _fail(f"no log key at {path}: pass --public-key or set INTEROP_LOG_KEY")
            raw = LogKey.load(path).public_key
    except AuditError as exc:
        raise _fail(f"cannot read the key: {exc}") from exc
    store = _store(database)
    try:
        report = audit(store, raw)
    finally:
        store.close()
    problem = report.log.problem
    result = {
        "ok": report.ok,
        "leaves": report.size,
        "entries_checked": report.log.entries_checked,
        "signed_heads": report.heads,
        "heads_checked": report.log.heads_checked,
        "messages_not_yet_logged": report.unlogged,
        "problem": None
        if problem is None
        else {"kind": str(problem.kind), "index": problem.index, "detail": problem.detail},
        "mismatches": report.mismatch_count,
        "mismatch_examples": report.mismatches,
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        verdict = "verified" if report.ok else "FAILED"
        typer.echo(
            f"log {verdict}: {report.size} leaves, {report.log.entries_checked} entries "
            f"recomputed, {report.log.heads_checked}/{report.heads} signed heads checked, "
            f"{report.unlogged} messages not yet logged"
        )
        if problem is not None:
            typer.echo(f"problem: {problem.kind} at {problem.index}: {problem.detail}")
        for line in report.mismatches:
            typer.echo(f"mismatch: {line}")
        if report.mismatch_count > len(report.mismatches):
            typer.echo(f"... {report.mismatch_count - len(report.mismatches)} more mismatches")
    if not report.ok:
        raise typer.Exit(1)


# ----------------------------------------------------------------- keys


@keys_app.command("issue")
def keys_issue(
    ori: Annotated[str, typer.Argument(help="The agency's ORI.")],
    role: Annotated[str, typer.Argument(help="agency, bureau, ice, program, fbi or ident.")],
    database: DatabaseOption = None,
) -> None:
    """Issue an API key (printed once; only its hash is stored)."""
    from interop.web.auth import issue_key

    store = _store(database)
    try:
        with store.session() as s:
            key = issue_key(s, ori, role)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    finally:
        store.close()
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (the part before the dot).")],
    database: DatabaseOption = None,
) -> None:
    """Revoke an API key (exit 1 if there is no such key)."""
    from interop.web.auth import revoke_key

    store = _store(database)
    try:
        with store.session() as s:
            found = revoke_key(s, key_id.partition(".")[0])
    finally:
        store.close()
    if not found:
        raise _fail(f"no key {key_id}", 1)
    typer.echo(f"revoked {key_id.partition('.')[0]}")


def register(app: typer.Typer) -> None:
    """Add the pipeline's commands to the ``interop`` application."""
    app.command()(serve)
    app.command()(worker)
    app.command()(submit)
    app.command()(status)
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
