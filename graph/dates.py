"""The one strict parser of the dates users type (``--as-of``, ``--param d=``): YYYY-MM-DD.

NOTE to the issue-11 engineer (time semantics, graph/analysis/temporal.py): this is the shared
place for date parsing asked for by issue 14 item 16. ``temporal.parse_date`` has the same
rules; please make it call :func:`parse_date` here (or re-export it) so there is one parser,
light enough for the CLI to validate ``--as-of`` before any heavy import. The CLI's
``--as-of`` options use :func:`as_of_callback`.
"""

from __future__ import annotations

import datetime as dt
import re

from graph.errors import InputError

__all__ = ["parse_date", "as_of_callback"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text, *, what: str = "--as-of") -> str:
    """A strict ISO date ``YYYY-MM-DD`` that is a real calendar day.

    Parameters
    ----------
    text : str or datetime.date
        What the user gave.
    what : str, default "--as-of"
        The option or field named in the error.

    Returns
    -------
    str
        The date as ``YYYY-MM-DD``.

    Raises
    ------
    graph.errors.InputError
        One line naming ``what`` and the value: ``yesterday``, ``20210301`` (Python accepts
        it, people rarely mean it), ``2021-13-45`` and ``2021-02-30`` are refused.

    Examples
    --------
    >>> parse_date("2021-06-01")
    '2021-06-01'
    >>> parse_date("2021-02-30")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: --as-of '2021-02-30': expected a date YYYY-MM-DD; there is no such day
    """
    if isinstance(text, dt.datetime):
        return text.date().isoformat()
    if isinstance(text, dt.date):
        return text.isoformat()
    value = str(text).strip()
    if not _DATE.fullmatch(value):
        raise InputError(f"{what} {text!r}: expected a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{what} {text!r}: expected a date YYYY-MM-DD; there is no such "
                         "day") from None


def as_of_callback(ctx, param, value):
    """A click callback: ``--as-of`` checked where it enters, as :func:`parse_date` does.

    Raises InputError (not click's BadParameter) so the CLI prints the same single
    ``Error: ...`` line as for every other bad input.
    """
    if value is None:
        return None
    name = param.opts[0] if param is not None and param.opts else "--as-of"
    return parse_date(value, what=name)
