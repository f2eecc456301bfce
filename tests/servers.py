"""Real SPARQL 1.1 servers on loopback for tests and the benchmark: oxigraph and Virtuoso 7.

Each server runs from its own folder on 127.0.0.1 with free ports, and is stopped (and its
folder left for inspection) by :meth:`Server.stop`. Nothing listens beyond loopback; Virtuoso
grants SPARQL updates to the anonymous user only because of that.

Used by ``tests/stores.py`` (pytest fixtures) and ``scripts/bench.py``; also a command line::

    python tests/servers.py start DIR   # prints the store URIs, writes DIR/servers.env
    python tests/servers.py stop DIR
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Server",
    "oxigraph_binary",
    "virtuoso_binary",
    "start_oxigraph",
    "start_virtuoso",
    "free_port",
]

VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
#: Rows Virtuoso returns before it cuts a result (its default 10,000 truncates silently).
VIRTUOSO_MAX_ROWS = 100_000_000


@dataclass
class Server:
    """A running server: its store URI for ``open_store`` and the process behind it."""

    name: str
    uri: str
    process: subprocess.Popen
    folder: Path
    log: Path
    extra: dict = field(default_factory=dict)

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of the call."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Held while a server picks free ports and binds them (see :func:`_starting`).
START_LOCK = Path(tempfile.gettempdir()) / f"stancegraph-servers-{os.getuid()}.lock"
#: Starts tried when a server exits before answering because a port it was given was taken.
START_TRIES = 3


@contextlib.contextmanager
def _starting():
    """Serialise server starts across processes: :func:`free_port` gives a port that is free
    *now*, and the server binds it seconds later (Virtuoso: after creating its database), so two
    processes starting servers at once (pytest-xdist workers, the benchmark) could be given the
    same port. The lock is held from picking the ports until the server answers on them."""
    with open(START_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _port_taken(log: Path) -> bool:
    """Whether the server's log says it could not bind a port (taken by another program)."""
    text = _tail(log, 40)
    return any(sign in text for sign in ("Failed HTTP listen", "Failed to start listening",
                                         "Address already in use", "AddrInUse"))


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command (PyPI package ``oxigraph``): next to this Python, or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    return shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    """Debian's ``virtuoso-t`` with its ``isql-vt`` client, when installed."""
    if Path(VIRTUOSO).exists() and Path(ISQL).exists():
        return VIRTUOSO
    return None


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {_tail(log)}")
        try:
            httpx.post(url, data={"query": "ASK {}"}, timeout=2.0,
                       headers={"Accept": "application/sparql-results+json"})
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {timeout} s: {_tail(log)}")


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_oxigraph(folder: Path, *, timeout: float = 30.0) -> Server:
    """``oxigraph serve --location FOLDER/data --bind 127.0.0.1:PORT``; URI ends in ``/query``."""
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("oxigraph not installed (pip install oxigraph)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, START_TRIES + 1):
        with _starting():
            port = free_port()
            log = folder / "oxigraph.log"
            process = subprocess.Popen(
                [binary, "serve", "--location", str(folder / "data"),
                 "--bind", f"127.0.0.1:{port}"],
                stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
            )
            server = Server("oxigraph-server", f"sparql+http://127.0.0.1:{port}/query",
                            process, folder, log)
            try:
                _wait_http(f"http://127.0.0.1:{port}/query", process, log, timeout)
                return server
            except Exception:
                server.stop()
                if attempt == START_TRIES or not _port_taken(log):
                    raise
    raise AssertionError("unreachable")


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {folder}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxMemPoolSize = 200000000
MaxQueryMem = 2G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 4
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
Charset = UTF-8
EnabledGzipContent = 1

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 600
DeferInferenceRulesInit = 0
"""

#: Run once through isql on a fresh database: the anonymous SPARQL user may update (SPARQL
#: UPDATE on /sparql, and writes through the Graph Store endpoint /sparql-graph-crud).
_VIRTUOSO_GRANTS = (
    'GRANT SPARQL_UPDATE TO "SPARQL"; '
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)


def start_virtuoso(
    folder: Path,
    *,
    timeout: float = 90.0,
    max_rows: int = VIRTUOSO_MAX_ROWS,
    buffers: int = 60_000,
) -> Server:
    """Virtuoso 7 with its own ini and database in ``folder``, on loopback; URI ends in /sparql.

    ``max_rows`` is the ini's ``ResultSetMaxRows`` (raised from the default 10,000, which cuts
    results silently); ``buffers`` its ``NumberOfBuffers`` (8 KiB pages of cache).
    """
    if virtuoso_binary() is None:
        raise FileNotFoundError(
            "Virtuoso not installed (apt-get install virtuoso-opensource, as root)"
        )
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, START_TRIES + 1):
        with _starting():
            server = _launch_virtuoso(folder, max_rows, buffers)
            try:
                _wait_http(server.uri.replace("sparql+", "", 1), server.process, server.log,
                           timeout)
            except Exception:
                server.stop()
                if attempt == START_TRIES or not _port_taken(server.log):
                    raise
                continue
        try:  # the ports are bound: the grants need not hold the lock
            grants = subprocess.run(
                [ISQL, f"127.0.0.1:{server.extra['sql_port']}", "dba", "dba",
                 f"exec={_VIRTUOSO_GRANTS}"],
                capture_output=True, text=True, timeout=60,
            )
            if grants.returncode != 0 or "Error" in grants.stdout + grants.stderr:
                raise RuntimeError(f"isql grants failed: {grants.stdout}{grants.stderr}")
        except Exception:
            server.stop()
            raise
        return server
    raise AssertionError("unreachable")


def _launch_virtuoso(folder: Path, max_rows: int, buffers: int) -> Server:
    """Write the ini with two free ports and start ``virtuoso-t`` on the folder's database
    (created on the first start)."""
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(
        folder=folder, sql_port=sql_port, http_port=http_port, max_rows=max_rows,
        buffers=buffers, dirty=buffers * 3 // 4,
    ))
    log = folder / "virtuoso.log"
    process = subprocess.Popen(
        [VIRTUOSO, "+configfile", str(ini), "+foreground"],
        cwd=folder, stdout=(folder / "virtuoso.out").open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Server("virtuoso", f"sparql+http://127.0.0.1:{http_port}/sparql", process, folder,
                  log, {"sql_port": sql_port})


# ------------------------------------------------------------------------ command line

def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__.split("::")[-1].rstrip(), file=sys.stderr)
        return 2
    action, folder = argv[0], Path(argv[1]).resolve()
    state = folder / "servers.json"
    if action == "start":
        folder.mkdir(parents=True, exist_ok=True)
        started = {}
        for name, start, available in (
            ("oxigraph-server", start_oxigraph, oxigraph_binary),
            ("virtuoso", start_virtuoso, virtuoso_binary),
        ):
            if available() is None:
                print(f"skipped {name}: not installed", file=sys.stderr)
                continue
            server = start(folder / name)
            started[name] = {"uri": server.uri, "pid": server.process.pid}
            print(f"{name}\t{server.uri}\tpid {server.process.pid}")
        state.write_text(json.dumps(started, indent=2))
        (folder / "servers.env").write_text("".join(
            f"{name.upper().replace('-', '_')}_URI={info['uri']}\n"
            for name, info in started.items()
        ))
        return 0
    if not state.exists():
        print(f"no servers recorded in {state}", file=sys.stderr)
        return 1
    for name, info in json.loads(state.read_text()).items():
        try:
            os.kill(info["pid"], signal.SIGTERM)
            print(f"stopped {name} (pid {info['pid']})")
        except ProcessLookupError:
            print(f"{name} (pid {info['pid']}) was not running")
    state.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
