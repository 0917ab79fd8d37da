"""Copies of the audit log's checkpoints kept outside the database (VENTANILLA_AUDIT_SINK).

Whoever controls the database (and knows the audit key) could rewrite the chain and its
checkpoints together; a copy appended to a file or sent to syslog, where that person cannot reach,
still names the hash the chain had. A file sink is appended one JSON line per checkpoint and
synced to disk; a syslog line carries the same JSON after the usual prefix, so the file syslog
writes can be read back with ``ventanilla audit verify --sink file:/var/log/…``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from logging.handlers import SysLogHandler
from pathlib import Path

from django.conf import settings

from ventanilla.audit.models import AuditCheckpoint

MARK = "ventanilla.audit.checkpoint"
log = logging.getLogger(__name__)


class SinkError(Exception):
    """The sink cannot be read back, or holds a line that is not a checkpoint copy."""


@dataclass(frozen=True)
class CopiedCheckpoint:
    """A checkpoint as the sink holds it; ``line`` is where (1-based), for the report."""

    entry_id: int
    entry_hash: str
    at: datetime
    signature: str
    line: int


def checkpoint_line(checkpoint: AuditCheckpoint) -> str:
    return json.dumps(
        {
            "event": MARK,
            "entry_id": checkpoint.entry_id,
            "entry_hash": checkpoint.entry_hash,
            "at": checkpoint.at.astimezone(UTC).isoformat(),
            "signature": checkpoint.signature,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def sink_write(checkpoint: AuditCheckpoint, *, sink: str | None = None) -> None:
    """Copy one checkpoint to the sink (VENTANILLA_AUDIT_SINK unless ``sink`` is given).
    Raises OSError when the sink cannot take it."""
    target = settings.VENTANILLA_AUDIT_SINK if sink is None else sink
    if not target:
        return
    kind, _, where = target.partition(":")
    line = checkpoint_line(checkpoint)
    if kind == "file":
        _append(Path(where), line)
    elif kind == "syslog":
        _send_to_syslog(where, line)


def sink_write_or_log(checkpoint: AuditCheckpoint) -> None:
    """For the checkpoints taken inside a request: a full disk must not fail the citizen's
    request, whose change is already committed; the next checkpoint copies a later head."""
    try:
        sink_write(checkpoint)
    except OSError:
        log.exception(
            "The audit checkpoint at entry #%s could not be copied to %s",
            checkpoint.entry_id,
            settings.VENTANILLA_AUDIT_SINK,
        )


def _append(path: Path, line: str) -> None:
    # One write of a short line to a file opened for appending is not interleaved with another
    # process's; fsync so a crash right after does not lose the copy.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _syslog_address(where: str) -> str | tuple[str, int]:
    if where.startswith("/"):
        return where
    if where:
        host, _, port = where.rpartition(":")
        return (host, int(port)) if host else (port, 514)
    return "/dev/log" if Path("/dev/log").exists() else ("localhost", 514)


class _SysLogHandler(SysLogHandler):
    """emit() hands a failure to handleError, which only prints it; the caller must know."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        raise  # noqa: PLE0704 - called from emit()'s except block: re-raise what it caught


def _send_to_syslog(where: str, line: str) -> None:
    address = _syslog_address(where)
    handler = _SysLogHandler(
        address=address,
        facility=SysLogHandler.LOG_AUTHPRIV,
        socktype=socket.SOCK_DGRAM if isinstance(address, tuple) else None,
    )
    handler.ident = "ventanilla-audit: "
    try:
        handler.emit(logging.LogRecord(MARK, logging.WARNING, __file__, 0, line, None, None))
    finally:
        handler.close()


def sink_read(sink: str, *, missing_ok: bool = False) -> list[CopiedCheckpoint]:
    """Every checkpoint copy in a file sink, in the order written. Lines without the mark (other
    programs' syslog lines) are skipped; a marked line that does not parse is an error. A file
    that does not exist is an error unless ``missing_ok`` (nothing was signed yet)."""
    kind, _, where = sink.partition(":")
    if kind != "file" or not where:
        raise SinkError(
            f"{sink!r} cannot be read back: pass the file that holds the copies, "
            "e.g. --sink file:/var/log/ventanilla-audit.log"
        )
    copies = []
    try:
        with Path(where).open(encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                if MARK not in text:
                    continue
                copies.append(_parse(text, number))
    except FileNotFoundError as error:
        if missing_ok:
            return []
        raise SinkError(
            f"the sink file {where} does not exist, though the database holds checkpoints"
        ) from error
    return copies


def _parse(text: str, number: int) -> CopiedCheckpoint:
    try:
        data = json.loads(text[text.index("{") : text.rindex("}") + 1])
        return CopiedCheckpoint(
            entry_id=int(data["entry_id"]),
            entry_hash=str(data["entry_hash"]),
            at=datetime.fromisoformat(data["at"]),
            signature=str(data["signature"]),
            line=number,
        )
    except (ValueError, KeyError, TypeError) as error:
        raise SinkError(f"line {number} of the sink is not a checkpoint copy") from error
