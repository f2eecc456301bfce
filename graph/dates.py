"""The one strict parser of the dates users type (``--as-of``, ``--param d=``): YYYY-MM-DD.

One module for the date rules that readers, projections and the CLI share, so that none of
them reaches into another wing for them: :func:`parse_date` (issue 14: ``2021-02-30``,
``yesterday`` and ``2021-13-45`` are refused in one line) and :func:`valid_at` (a claim's
bounds, without the decay of docs/TIME.md).
"""

from __future__ import annotations

import datetime as dt
import re

from graph.errors import InputError

__all__ = ["parse_date", "as_of_callback", "valid_at", "iso_or_none"]

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


def iso_or_none(value) -> str | None:
    """A date (or date-like store value) as ``YYYY-MM-DD`` text; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def valid_at(row: dict, as_of: str | None) -> bool:
    """Whether a claim row (``date`` / ``validFrom`` / ``validUntil``) lies in its interval.

    Only the bounds, without decay, supersession or office terms: the analyses weigh claims
    with :func:`graph.analysis.temporal.weigh` (docs/TIME.md); this is kept for the claims
    spreadsheet's filter.

    Examples
    --------
    >>> valid_at({"validFrom": "2020-01-01", "validUntil": "2020-12-31"}, "2021-06-01")
    False
    >>> valid_at({"date": "2020-01-01"}, "2021-06-01")
    True
    """
    if as_of is None:
        return True
    start = iso_or_none(row.get("validFrom")) or iso_or_none(row.get("date"))
    end = iso_or_none(row.get("validUntil"))
    if start and start > as_of:
        return False
    return not (end and end < as_of)
