"""Run a blocking call with a time limit, and stay responsive to Ctrl-C while it runs.

pyoxigraph evaluates a query in Rust: nothing in Python can interrupt it, and a main thread
blocked in it would not see SIGINT until the query ends (minutes, or never for a runaway
cartesian product). The call therefore runs in a daemon thread (pyoxigraph releases the GIL
while it evaluates, rdflib yields it between bytecodes) while the main thread waits in short
slices, where a signal is delivered at once. When the time is up, or on Ctrl-C, the main thread
stops waiting; the thread is left to die with the process, which the command line ends next.
The server kills its worker processes instead (graph.server.workers), since it lives on.
"""

from __future__ import annotations

import threading
import time

from graph.errors import QueryError

__all__ = ["QueryTimeout", "call_with_deadline"]

#: How often the waiting thread wakes up: the bound on the reaction to a time limit.
_SLICE = 0.1


class QueryTimeout(QueryError):
    """A query ran past its time limit."""


def call_with_deadline(func, timeout: float | None, *, what: str = "the query"):
    """``func()`` run in a daemon thread; its result, or QueryTimeout after ``timeout`` seconds.

    Parameters
    ----------
    func : callable
        Called with no arguments. Whatever it raises is raised here.
    timeout : float or None
        Seconds to wait; None or 0 waits for as long as it takes (Ctrl-C still works).
    what : str
        Named in the timeout message.

    Returns
    -------
    object
        What ``func`` returned.

    Raises
    ------
    QueryTimeout
        When ``func`` is still running after ``timeout`` seconds (it keeps running in its
        thread; the caller is expected to end the process, or to let it finish unseen).
    KeyboardInterrupt
        On Ctrl-C, within a tenth of a second, whatever ``func`` is doing.

    Examples
    --------
    >>> call_with_deadline(lambda: 6 * 7, 5)
    42
    """
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = func()
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="stancegraph-deadline", daemon=True)
    thread.start()
    deadline = None if not timeout else time.monotonic() + timeout
    while thread.is_alive():
        if deadline is None:
            thread.join(_SLICE)
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout(f"{what} was stopped after {timeout:g} s (--timeout): add a "
                               "LIMIT, narrow the query, or give a longer --timeout")
        thread.join(min(_SLICE, remaining))
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
