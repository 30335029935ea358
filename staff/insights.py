"""The partnership's insights from the aggregate counters (`services_directory.insights`): offers
of services by week, need, age band and locality; where no local service fitted; feedback per
service. No web imports: the page, its charts and the CSV all show what `build_report` returns.

Small numbers are never shown. `suppressed` is the one function that decides what is shown, and
every output goes through it:

- a count under 10 (0 included) is shown as "fewer than 10";
- a breakdown whose parts add up to a total that can be worked out elsewhere on the page never
  has exactly one part hidden: if one is, the next smallest is hidden too, so subtracting the
  shown parts from the total gives only the sum of two or more hidden ones;
- a total under 10 is hidden like any count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory import insights as counters
from services_directory.feedback import REASONS
from services_directory.localities import load_localities
from services_directory.models import Service, TaxonomyTerm
from staff.feedback import REASON_LABELS

THRESHOLD = 10
FEWER = "fewer than 10"
DEFAULT_WEEKS = 52
AGE_LABELS = {
    "11-15": "11 to 15",
    "16-17": "16 to 17",
    "18-25": "18 to 25",
    "other": "Outside 11 to 25",
    "unknown": "Not said",
}
PLACE_LABELS = {
    counters.ONLINE: "Online or by phone",
    counters.OUTSIDE: "Outside the borough",
    counters.UNKNOWN: "Not said",
}
NO_NEED = "In their own words (no need chosen)"


@dataclass(frozen=True)
class Cell:
    """One count as it may be shown: `value` is None when it is hidden."""

    label: str
    value: int | None
    key: str = ""

    @property
    def shown(self) -> str:
        """The count, or "fewer than 10"."""
        return FEWER if self.value is None else f"{self.value:,}"

    @property
    def hidden(self) -> bool:
        """Whether the count is hidden."""
        return self.value is None


def suppressed(parts: Sequence[tuple[str, str, int]]) -> tuple[list[Cell], Cell]:
    """The cells of a breakdown, (key, label, count) each, and its total, with small numbers
    hidden as this module's docstring says. The one place that decides what is shown."""
    cells = [Cell(label, count if count >= THRESHOLD else None, key) for key, label, count in parts]
    hidden = [i for i, part in enumerate(parts) if part[2] < THRESHOLD]
    if len(hidden) == 1 and len(cells) > 1:
        # The smallest shown part goes too: its count is never below the hidden one's.
        shown = [i for i in range(len(cells)) if i != hidden[0]]
        smallest = min(shown, key=lambda i: parts[i][2])
        cells[smallest] = Cell(cells[smallest].label, None, cells[smallest].key)
    total = sum(count for _key, _label, count in parts)
    return cells, Cell("Total", total if total >= THRESHOLD else None, "total")


def one_count(label: str, count: int, key: str = "") -> Cell:
    """A count on its own (no total to subtract it from), hidden when small."""
    return suppressed([(key, label, count)])[0][0]


@dataclass(frozen=True)
class Breakdown:
    """A count split one way (by week, need, age band or locality), with its total."""

    title: str
    heading: str  # what the categories are, for a table's first column
    cells: list[Cell]
    total: Cell

    @property
    def largest(self) -> int:
        """The largest shown count (for the length of the bars)."""
        return max((c.value for c in self.cells if c.value is not None), default=0)


@dataclass(frozen=True)
class ServiceFeedback:
    """The feedback on one service: helped yes and no, and reports by reason."""

    service_id: str
    name: str
    helped_yes: Cell
    helped_no: Cell
    reports: list[Cell]


@dataclass(frozen=True)
class Report:
    """Everything the insights page, its charts and the CSV show, small numbers hidden."""

    first_week: dt.date
    last_week: dt.date
    offers: list[Breakdown]
    gaps: list[Breakdown]
    services: list[ServiceFeedback] = field(default_factory=list)

    @property
    def weeks(self) -> int:
        """How many weeks the report covers."""
        return (self.last_week - self.first_week).days // 7 + 1


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last year: the 52 weeks up to and including this one."""
    last = today - dt.timedelta(days=today.weekday())
    return last - dt.timedelta(weeks=DEFAULT_WEEKS - 1), last


def _need_names(db: Session, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    names: dict[str, str] = {}
    for code, name in db.execute(
        select(TaxonomyTerm.code, TaxonomyTerm.name).where(TaxonomyTerm.code.in_(wanted))
    ):
        if code:
            names.setdefault(code, name)
    return names


def _breakdown(
    title: str, heading: str, sums: Mapping[str, int], order: Sequence[str], names: Mapping
) -> Breakdown:
    keys = list(order) + sorted(k for k in sums if k not in order)
    cells, total = suppressed([(k, str(names.get(k, k)), sums.get(k, 0)) for k in keys])
    return Breakdown(title, heading, cells, total)


def _by_week(db: Session, first: dt.date, last: dt.date) -> Breakdown:
    rows = counters.totals(db, first, last, ("week_start",), [counters.OFFERED])
    sums = {week.isoformat(): int(n) for week, n in rows}
    weeks = [
        (first + dt.timedelta(weeks=i)).isoformat() for i in range((last - first).days // 7 + 1)
    ]
    labels = {w: dt.date.fromisoformat(w).strftime("%-d %b %Y") for w in weeks}
    return _breakdown("Offers of services by week", "Week starting", sums, weeks, labels)


def _dimensions(
    db: Session, rows: list[tuple], metric: str, what: str, places: Mapping[str, str]
) -> list[Breakdown]:
    by: dict[str, dict[str, int]] = {"need": defaultdict(int), "age": defaultdict(int)}
    by["place"] = defaultdict(int)
    for row_metric, need, band, place, _service, count in rows:
        if row_metric != metric:
            continue
        by["need"][need] += int(count)
        by["age"][band] += int(count)
        by["place"][place] += int(count)
    needs = {"": NO_NEED, **_need_names(db, by["need"])}
    return [
        _breakdown(f"{what} by need", "Need", by["need"], [], needs),
        _breakdown(f"{what} by age", "Age", by["age"], list(AGE_LABELS), AGE_LABELS),
        _breakdown(f"{what} by locality", "Locality", by["place"], list(places), places),
    ]


FEEDBACK_METRICS = [counters.HELPED_YES, counters.HELPED_NO] + [
    counters.REPORT_PREFIX + r for r in REASONS
]


def _services(db: Session, rows: list[tuple]) -> list[ServiceFeedback]:
    sums: dict[str, dict[str, int]] = defaultdict(dict)
    for metric, _need, _band, _place, service_id, count in rows:
        if metric in FEEDBACK_METRICS:
            sums[service_id][metric] = sums[service_id].get(metric, 0) + int(count)
    names = dict(
        db.execute(select(Service.id, Service.name).where(Service.id.in_(list(sums)))).all()
    )
    found = []
    for service_id, counts in sums.items():
        reports = [
            one_count(REASON_LABELS[r], counts.get(counters.REPORT_PREFIX + r, 0), r)
            for r in REASONS
        ]
        found.append(
            ServiceFeedback(
                service_id,
                names.get(service_id, "A service no longer in the directory"),
                one_count("Yes", counts.get(counters.HELPED_YES, 0)),
                one_count("No", counts.get(counters.HELPED_NO, 0)),
                reports,
            )
        )
    # By name: an order by size would tell which of two hidden counts is the larger.
    return sorted(found, key=lambda s: (s.name.casefold(), s.service_id))


def build_report(db: Session, first_week: dt.date, last_week: dt.date) -> Report:
    """The insights of the weeks from `first_week` to `last_week` (Mondays), small numbers
    hidden: two queries over the counters (by week; by everything but the week), whatever
    the number of weeks."""
    places = {
        **{lid: loc.name for lid, loc in load_localities(session=db).items()},
        **PLACE_LABELS,
    }
    rows = counters.totals(
        db,
        first_week,
        last_week,
        ("metric", "need", "age_band", "locality", "service_id"),
        [counters.OFFERED, counters.NO_LOCAL_FIT, *FEEDBACK_METRICS],
    )
    offers = [_by_week(db, first_week, last_week)]
    offers += _dimensions(db, rows, counters.OFFERED, "Offers of services", places)
    gaps = _dimensions(db, rows, counters.NO_LOCAL_FIT, "No local service fitted", places)
    return Report(first_week, last_week, offers, gaps, _services(db, rows))


def csv_rows(report: Report) -> list[list[str]]:
    """The report as CSV rows (header first), with exactly the numbers the page shows."""
    rows = [["section", "breakdown", "category", "count"]]
    period = f"{report.first_week.isoformat()} to {report.last_week.isoformat()}"
    rows.append(["period", "weeks starting", period, ""])
    for section, breakdowns in (("offers", report.offers), ("no local fit", report.gaps)):
        for breakdown in breakdowns:
            for cell in [*breakdown.cells, breakdown.total]:
                rows.append([section, breakdown.title, cell.label, cell.shown])
    for service in report.services:
        for cell in [service.helped_yes, service.helped_no]:
            rows.append(["feedback", service.name, f"Did this help? {cell.label}", cell.shown])
        for cell in service.reports:
            rows.append(["feedback", service.name, f"Something wrong: {cell.label}", cell.shown])
    return [[_spreadsheet_safe(value) for value in row] for row in rows]


def _spreadsheet_safe(value: str) -> str:
    """A value a spreadsheet will not run as a formula (names come from imported feeds)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
