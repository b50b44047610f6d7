"""Autosave under load: gunicorn (as deployed, 2 workers) on PostgreSQL, 64 connections, against
a bare Django JSON view served by the same configuration in the same run.

Run (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 must answer; wrk is used when
installed, `apt-get install -y wrk`, else a Python load generator):

    .venv/bin/python bench/bench_autosave.py [--duration 15] [--connections 64] \
        [--attempts 64] [--workers 2] [--profile 500] [--keep-db]

It creates its own database (skillproof_bench_autosave, dropped at the end unless --keep-db)
and uses Redis database 13, so it never touches development or test data. Steps:

1. migrate, collect static files; publish the demo assessment; invite ``--attempts``
   candidates.
2. start gunicorn with the project's gunicorn.conf.py and production settings (DEBUG=0, behind
   a TLS proxy: requests carry X-Forwarded-Proto), plus one bare JSON view
   (bench/autosave_urls.py) behind the same middleware.
3. prepare: each candidate opens their link, consents and opens the first step through the
   real pages over HTTP; the step page gives the CSRF token and the option aliases to post.
4. load: the autosave endpoint, then the bare view, each for ``--duration`` seconds with
   ``--connections`` connections cycling over the attempts (the same request bodies, cookies and
   headers for both).
5. profile: ``--profile`` autosaves in this process under cProfile, with the time per package.

The last line is ``RESULT {json}``: autosave_rps, bare_rps, ratio, autosave_p50_ms,
autosave_p99_ms, errors (autosave requests that failed or did not answer 2xx), and how it ran.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import http.client
import json
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from bench.support import SERVER_URL, drop_database, percentile, recreate_database  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
DEFAULT_DB = "skillproof_bench_autosave"
HOST = "127.0.0.1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--attempts", type=int, default=64, help="started attempts to save to")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--loader", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--profile", type=int, default=500, help="autosaves profiled in-process")
    parser.add_argument("--assessment", default="incident-triage")
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def production_environment(database: str) -> dict[str, str]:
    """DEBUG=0 settings, as docker-compose runs the web service."""
    return {
        "DATABASE_URL": f"{SERVER_URL}/{database}",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "autosave_settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        # The image collects static files with their hashed names at build time; so do we.
        "STATIC_ROOT": tempfile.mkdtemp(prefix="skillproof-bench-static-"),
    }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The web service as docker-compose starts it, with ``workers`` worker processes."""

    def __init__(self, workers: int, env: dict[str, str]):
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "hiring.wsgi", "--config", "gunicorn.conf.py",
            "--bind", f"{HOST}:{self.port}", "--workers", str(workers),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ) | env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        """(status, headers, body text) of one request, as through the TLS proxy."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=proxied(headers or {}))
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode("utf-8")
        finally:
            connection.close()

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def proxied(headers: dict) -> dict:
    """What the load balancer adds: the request arrived over TLS."""
    return {"X-Forwarded-Proto": "https", **headers}


# --- preparing attempts through the pages ------------------------------------------------------


@dataclass
class SavedStep:
    """One started attempt's autosave request: where to post and what."""

    token: str
    step_id: str
    cookie: str
    body: str


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION = re.compile(r'name="option"[^>]*value="([^"]+)"')
TEXT = re.compile(r'<textarea[^>]*name="text"')


def csrf_cookie(headers) -> str:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("csrftoken="):
            return value.split(";", 1)[0]
    raise RuntimeError("the page set no CSRF cookie")


def start_through_pages(server: Gunicorn, token: str) -> SavedStep:
    """Open the link, consent, open the first step: the candidate's own requests."""
    status, headers, page = server.request("GET", f"/a/{token}/")
    if status != 200:
        raise RuntimeError(f"landing page answered {status}")
    cookie = csrf_cookie(headers)
    form = urlencode({"csrfmiddlewaretoken": CSRF_FIELD.search(page)[1], "consent": "yes"})
    post_headers = {
        "Cookie": cookie,
        "Origin": server.origin,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    status, headers, _ = server.request("POST", f"/a/{token}/start", form, post_headers)
    if status != 302:
        raise RuntimeError(f"consent answered {status}")
    step_path = urlsplit(headers["Location"]).path
    status, _, page = server.request("GET", step_path, headers={"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"the first step answered {status}")
    answer = {"option": OPTION.search(page)[1]} if OPTION.search(page) else {"text": "Roll back."}
    body = urlencode({"csrfmiddlewaretoken": CSRF_FIELD.search(page)[1], **answer})
    return SavedStep(token=token, step_id=step_path.rsplit("/", 1)[1], cookie=cookie, body=body)


# --- load ------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one endpoint did under load."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def request_specs(server: Gunicorn, steps: list[SavedStep], bare: bool) -> list[dict]:
    specs = []
    for step in steps:
        path = f"/a/{step.token}/step/{step.step_id}/autosave"
        if bare:
            path = f"/bench/bare/{step.token}/{step.step_id}"
        headers = proxied(
            {
                "Cookie": step.cookie,
                "Origin": server.origin,
                "Content-Type": "application/x-www-form-urlencoded",
            }
        )
        specs.append({"path": path, "headers": headers, "body": step.body})
    return specs


WRK_SCRIPT = """
local specs = %(specs)s
local counter = 0
wrk.method = "POST"
request = function()
  counter = counter + 1
  local spec = specs[(counter %% #specs) + 1]
  return wrk.format("POST", spec.path, spec.headers, spec.body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\\"requests\\": %%d, \\"us\\": %%d, \\"errors\\": %%d, " ..
    "\\"p50\\": %%d, \\"p99\\": %%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def lua_table(specs: list[dict]) -> str:
    def quote(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid Lua string literal here (ASCII)

    rows = []
    for spec in specs:
        headers = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in spec["headers"].items())
        path, body = quote(spec["path"]), quote(spec["body"])
        rows.append(f"{{path = {path}, headers = {{{headers}}}, body = {body}}}")
    return "{" + ",\n".join(rows) + "}"


def load_with_wrk(server: Gunicorn, specs: list[dict], connections: int, seconds: float) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"specs": lua_table(specs)})
    try:
        command = [
            "wrk", f"-t{min(2, connections)}", f"-c{connections}",
            f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s",
            "-s", script.name, f"http://{HOST}:{server.port}",
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRKJSON "))
    figures = json.loads(line.removeprefix("WRKJSON "))
    return Load(
        requests=figures["requests"],
        seconds=figures["us"] / 1e6,
        errors=figures["errors"],
        p50_ms=figures["p50"] / 1000,
        p99_ms=figures["p99"] / 1000,
    )


async def _python_connection(port, specs, offset, deadline, latencies, failures) -> None:
    """One keep-alive connection (reopened when the server closes it) posting in turn."""
    index, reader, writer = offset, None, None
    while time.monotonic() < deadline:
        spec = specs[index % len(specs)]
        index += 1
        body = spec["body"].encode()
        head = "".join(f"{k}: {v}\r\n" for k, v in spec["headers"].items())
        request = (
            f"POST {spec['path']} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request)
            status_line = await reader.readline()
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            await reader.readexactly(int(headers.get("content-length", 0)))
            ok = status_line.split()[1:2] and status_line.split()[1].startswith(b"2")
            latencies.append((time.perf_counter() - started) * 1000)
            if not ok:
                failures.append(status_line)
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, IndexError) as error:
            failures.append(error)
            reader = writer = None


def load_with_python(server: Gunicorn, specs: list[dict], connections: int, seconds: float) -> Load:
    latencies: list[float] = []
    failures: list = []

    async def run() -> float:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _python_connection(server.port, specs, i, deadline, latencies, failures)
                for i in range(connections)
            )
        )
        return time.monotonic() - started

    elapsed = asyncio.run(run())
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        errors=len(failures),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
    )


# --- where the time goes -----------------------------------------------------------------------


def package_of(filename: str) -> str:
    """Which part of the stack a profiled function belongs to."""
    if "site-packages/django/" in filename:
        return "django"
    if "site-packages/psycopg" in filename:
        return "psycopg (the database driver, and waiting on PostgreSQL)"
    if filename.startswith(str(ROOT)) and "/.venv/" not in filename:
        return "ours (the project's apps)"
    return "other (standard library, other libraries)"


def profile_autosaves(steps: list[SavedStep], count: int) -> list[str]:
    """``count`` autosaves through Django's handler in this process, under cProfile."""
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    posts = [(f"/a/{step.token}/step/{step.step_id}/autosave", step.body) for step in steps]

    def autosaves() -> float:
        started = time.perf_counter()
        for index in range(count):
            path, body = posts[index % len(posts)]
            response = client.post(
                path, body, content_type="application/x-www-form-urlencoded", secure=True
            )
            assert response.status_code == 200, response.content
        return time.perf_counter() - started

    plain = autosaves()  # the first request of a process reads the version; then it is cached
    profiler = cProfile.Profile()
    profiler.enable()
    wall = autosaves()
    profiler.disable()
    stats = pstats.Stats(profiler)
    shares: dict[str, float] = {}
    total = 0.0
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        total += own
        group = package_of(filename)
        shares[group] = shares.get(group, 0.0) + own
    lines = [
        f"  {plain / count * 1000:.2f} ms per autosave in-process "
        f"({wall / count * 1000:.2f} ms under cProfile); own time by package:"
    ]
    lines += [
        f"  {seconds / total:5.0%}  {group}"
        for group, seconds in sorted(shares.items(), key=lambda item: -item[1])
    ]
    lines.append("  top functions by own time:")
    ranked = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:12]
    for (filename, line, name), (_, calls, own, _, _) in ranked:
        short = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        lines.append(
            f"    {own / count * 1000:6.3f} ms  {calls / count:5.1f} calls  {short}:{line} {name}"
        )
    return lines


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    options = parse_args()
    loader = options.loader
    if loader == "auto":
        loader = "wrk" if shutil.which("wrk") else "python"
    env = production_environment(options.database)
    os.environ.update(env)
    print(
        f"bench_autosave: gunicorn {options.workers} workers, {options.connections} connections, "
        f"{options.attempts} attempts, {options.duration:g} s per endpoint, loader {loader}"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}"
    )
    recreate_database(options.database)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from assessments.authoring.files import read_document
        from assessments.services import create_invitation, publish_document

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        document = read_document(
            (ROOT / "assessments" / "demo" / f"{options.assessment}.yaml").read_text("utf-8")
        )
        version = publish_document(document)
        tokens = [
            create_invitation(version, name=f"Bench {i}", email=f"bench{i}@example.com")[1]
            for i in range(options.attempts)
        ]
        from django.db import connections

        connections.close_all()
        server = Gunicorn(options.workers, env)
        started = time.perf_counter()
        steps = [start_through_pages(server, token) for token in tokens]
        print(
            f"prepared {len(steps)} started attempts through the pages in "
            f"{time.perf_counter() - started:.1f} s (step {steps[0].step_id})"
        )
        load = load_with_wrk if loader == "wrk" else load_with_python
        results = {}
        for name, bare in (("autosave", False), ("bare", True)):
            specs = request_specs(server, steps, bare)
            results[name] = figures = load(server, specs, options.connections, options.duration)
            print(
                f"{name:<9} {figures.rps:8.1f} requests/s   p50 {figures.p50_ms:7.1f} ms   "
                f"p99 {figures.p99_ms:7.1f} ms   errors {figures.errors} "
                f"({figures.requests} requests in {figures.seconds:.1f} s)"
            )
        server.stop()
        server = None
        ratio = results["autosave"].rps / results["bare"].rps
        print(f"ratio     {ratio:8.3f} (autosave / bare JSON view, same server, same run)")
        if options.profile:
            print(f"\n== where an autosave's time goes: {options.profile} in this process ==")
            print("\n".join(profile_autosaves(steps, options.profile)))
        result = {
            "autosave_rps": round(results["autosave"].rps, 1),
            "bare_rps": round(results["bare"].rps, 1),
            "ratio": round(ratio, 3),
            "autosave_p50_ms": round(results["autosave"].p50_ms, 1),
            "autosave_p99_ms": round(results["autosave"].p99_ms, 1),
            "errors": results["autosave"].errors,
            "bare_errors": results["bare"].errors,
            "loader": loader,
            "connections": options.connections,
            "gunicorn_workers": options.workers,
            "duration_s": options.duration,
        }
        print("RESULT " + json.dumps(result, sort_keys=True))
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)
        if not options.keep_db:
            drop_database(options.database)


if __name__ == "__main__":
    main()
