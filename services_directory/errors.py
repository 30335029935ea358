"""Domain errors of the services directory; the API translates them to HTTP in one place."""

from __future__ import annotations

from dataclasses import dataclass


class DirectoryError(Exception):
    """Base class of every error the directory raises on purpose."""


class InvalidSearch(DirectoryError, ValueError):
    """A search argument is unknown or out of range (`field` names it when known)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class RecordNotFound(DirectoryError, LookupError):
    """No record of this kind has the given id."""

    kind = "record"

    def __init__(self, record_id: str) -> None:
        super().__init__(f"no {self.kind} with id {record_id!r}")
        self.record_id = record_id


class ServiceNotFound(RecordNotFound):
    """No service has the given id or slug."""

    kind = "service"

    @property
    def service_id(self) -> str:
        return self.record_id


class ServiceAtLocationNotFound(RecordNotFound):
    """No service at a location has the given id."""

    kind = "service at location"


class TaxonomyNotFound(RecordNotFound):
    """No taxonomy has the given id."""

    kind = "taxonomy"


class TaxonomyTermNotFound(RecordNotFound):
    """No taxonomy term has the given id."""

    kind = "taxonomy term"


@dataclass(frozen=True)
class RecordError:
    """One problem in an imported file: which record, which field, what is wrong."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.record}.{self.field}" if self.field else self.record
        return f"{where}: {self.message}"


class InvalidRecord(DirectoryError):
    """An imported file (or a curated entry) is invalid; nothing was written."""

    def __init__(self, errors: list[RecordError], source: str = "") -> None:
        self.errors = list(errors)
        self.source = source
        head = f"{source}: " if source else ""
        shown = "; ".join(str(e) for e in self.errors[:10])
        more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
        super().__init__(f"{head}{len(self.errors)} invalid field(s): {shown}{more}")
