"""Canonicalisation in a child process that is killed when it overruns its time budget.

Used for untrusted documents (verification). In-process canonicalisation checks its budget
cooperatively, which stops crafted blank-node graphs and context floods, but some pyld steps
cannot be interrupted from inside: building the node map scans a property's values for
duplicates on every addition, so one property with n values costs n² comparisons (a 180 KB
document takes seconds). A child process bounds all of it: the parent waits
`max_seconds + KILL_GRACE_SECONDS`, then kills the child and starts another on the next call.

The child is a plain `python -m credentials.proofs.worker` (not multiprocessing: no fork of a
threaded server, no daemonic-process restriction inside Celery's pool), speaking
length-prefixed JSON over its stdin and stdout.
"""

import atexit
import dataclasses
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from . import errors
from .errors import CanonicalizationTimeout, ProofError, ResourceLimitExceeded
from .rdfc import Limits, canonicalize_all

KILL_GRACE_SECONDS = 0.25
"""The child stops itself at the budget; it is killed only if that fails by this margin."""

STARTUP_TIMEOUT_SECONDS = 60.0
_HEADER = struct.Struct(">I")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_ERROR_TYPES = {
    cls.__name__: cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, ProofError)
}


def _write_frame(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


class _WorkerGone(Exception):
    """The child closed its output (it exited or was killed)."""


class CanonicalizationWorker:
    """One child process, started on first use, serving one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def _read_exact(self, size: int, deadline: float | None) -> bytes:
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            readable, _, _ = select.select([fd], [], [], timeout)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, remaining)
            if not chunk:
                raise _WorkerGone
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self, deadline: float | None) -> dict[str, Any]:
        (size,) = _HEADER.unpack(self._read_exact(_HEADER.size, deadline))
        return json.loads(self._read_exact(size, deadline))

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")])
        )
        self._process = subprocess.Popen(
            [sys.executable, "-m", "credentials.proofs.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        try:
            self._read_frame(time.monotonic() + STARTUP_TIMEOUT_SECONDS)
        except (TimeoutError, _WorkerGone, ValueError) as exc:
            self.close()
            raise ResourceLimitExceeded("The canonicalisation worker did not start.") from exc

    def forget(self) -> None:
        """Drop the child without touching it (it belongs to the process we forked from)."""
        self._lock = threading.Lock()
        self._process = None

    def close(self) -> None:
        """Stop the child process, if any."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()

    def canonicalize_all(self, documents: list[Any], limits: Limits) -> list[str]:
        """Canonicalise checked documents in the child, within the time budget."""
        child_limits = dataclasses.replace(limits, isolate=False)
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self.close()
                self._start()
            assert self._process is not None and self._process.stdin is not None
            try:
                _write_frame(
                    self._process.stdin,
                    {"documents": documents, "limits": dataclasses.asdict(child_limits)},
                )
                reply = self._read_frame(time.monotonic() + limits.max_seconds + KILL_GRACE_SECONDS)
            except TimeoutError:
                self.close()
                raise CanonicalizationTimeout(
                    f"RDF canonicalisation did not finish within {limits.max_seconds:g} s and "
                    "was stopped; the document is likely built to be expensive to process."
                ) from None
            except (_WorkerGone, OSError, ValueError) as exc:
                self.close()
                raise ResourceLimitExceeded(
                    "The canonicalisation worker stopped while processing the document "
                    "(probably out of memory)."
                ) from exc
        if "error" in reply:
            raise _rebuild_error(reply["error"])
        return reply["canonical"]


def _rebuild_error(error: dict[str, Any]) -> ProofError:
    cls = _ERROR_TYPES.get(error.get("type", ""), ProofError)
    if cls is errors.UnknownContextError:
        return errors.UnknownContextError(error["url"])
    return cls(error["message"])


_WORKER = CanonicalizationWorker()
atexit.register(_WORKER.close)
# A forked process (a pre-forking server) must not share the parent's child and pipes.
os.register_at_fork(after_in_child=_WORKER.forget)


def canonicalize_in_worker(documents: list[Any], limits: Limits) -> list[str]:
    """Canonicalise (already checked) documents in the shared worker process."""
    return _WORKER.canonicalize_all(documents, limits)


def _serve() -> None:
    """Child side: answer requests on stdin until it closes."""
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol
    _write_frame(replies, {"ready": True})
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        request = json.loads(requests.read(_HEADER.unpack(header)[0]))
        try:
            reply: dict[str, Any] = {
                "canonical": canonicalize_all(
                    request["documents"], Limits(**request["limits"]), check=False
                )
            }
        except ProofError as exc:
            reply = {
                "error": {
                    "type": type(exc).__name__,
                    "message": str(exc),
                    "url": getattr(exc, "url", None),
                }
            }
        _write_frame(replies, reply)


if __name__ == "__main__":
    _serve()
