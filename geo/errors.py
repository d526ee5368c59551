"""One exception tree for everything a user can cause.

Every class inherits :class:`GeoError` and, where one fits, the matching builtin, so callers can catch either
(``except GeoError`` or ``except ValueError``). Messages name the file (and line) and the problem.
"""

from __future__ import annotations

from pathlib import Path


class GeoError(Exception):
    """Root of every error the project raises on purpose."""


class InputError(GeoError, ValueError):
    """An input (file, record, argument) cannot be used.

    Parameters
    ----------
    message:
        What is wrong, in one line.
    path:
        The file the problem is in, if any.
    line:
        The 1-based line number in that file, if known.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = self.path if line is None else f"{self.path}:{line}"
            where += ": "
        super().__init__(f"{where}{message}")


class ArticleFormatError(InputError):
    """An article file or record is malformed (bad header, bad JSON, missing text...)."""


class ArticleTooLongError(InputError):
    """An article is longer than the pipeline accepts (a dump or a binary file rather than a news story)."""


class UnsupportedFormatError(InputError):
    """The file's type is not one the readers know."""


class DateError(GeoError, ValueError):
    """A date value is impossible or cannot be parsed where one is required."""


class GazetteerError(GeoError, RuntimeError):
    """The offline gazetteer is missing, corrupt or cannot be built."""


class GazetteerMissingError(GazetteerError, FileNotFoundError):
    """The gazetteer has not been built yet (run ``geo gazetteer build``)."""


class ModelError(GeoError, RuntimeError):
    """No usable spaCy pipeline is installed."""


class StoreError(GeoError, RuntimeError):
    """The SQLite event store cannot be opened, migrated or written."""


class ExportError(GeoError, ValueError):
    """Events cannot be written in the requested format."""


class EngineError(GeoError, RuntimeError):
    """A processing engine (local pool or Dask) failed to start or run."""
