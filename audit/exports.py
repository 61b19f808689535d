"""An audit search written out for a regulator or a quality review: CSV and XLSX, in constant memory.

The rows come from one query read in chunks (search.audit_export_rows). CSV goes out as it is read
(a StreamingHttpResponse over a generator), UTF-8 with a byte-order mark so that Excel reads Chinese
correctly. XLSX cannot be sent before it is finished (a zip of sheets), so openpyxl's write-only
mode writes it row by row to a temporary file, which is then streamed (FileResponse) and removed.

Both guard against formula injection: a text cell starting with = + - @ (or a tab or carriage
return) gets a leading apostrophe, so a customer's words never run as a formula in a spreadsheet.
Labels, names and times are worked out when the export starts, in the asker's language and zone:
the generator runs after the view has returned.
"""

import csv
import datetime as dt
import io
import tempfile
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.people import display_name
from cases.choices import CaseState, Channel, CustomerTier, Priority

from .search import audit_export_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH_ROWS = 500
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _header(zone_name) -> list:
    return [
        _("Case number"),
        _("Opened (%(zone)s)") % {"zone": zone_name},
        _("First response (%(zone)s)") % {"zone": zone_name},
        _("Closed (%(zone)s)") % {"zone": zone_name},
        _("State"),
        _("Channel"),
        _("Customer tier"),
        _("Priority"),
        _("Owner"),
        _("Customer"),
        pgettext("complaint", "Summary"),
        _("Customer types"),
        _("Ever escalated"),
        _("Satisfaction (1–5)"),
        _("Times reopened"),
    ]


class ExportRows:
    """The header and the rows (lists of str, int, naive local datetime or None) of an export."""

    def __init__(self, filters, customer_types: dict):
        self.filters = filters
        self.zone = timezone.get_current_timezone()
        self.header = _header(str(self.zone))
        self.labels = {
            "state": {value: str(label) for value, label in CaseState.choices},
            "channel": {value: str(label) for value, label in Channel.choices},
            "tier": {value: str(label) for value, label in CustomerTier.choices},
            "priority": {value: str(label) for value, label in Priority.choices},
        }
        self.types = {code: customer_type.name for code, customer_type in customer_types.items()}
        self.yes, self.no = _("Yes"), _("No")
        self.owners = {}

    def _time(self, value):
        return None if value is None else timezone.localtime(value, self.zone).replace(tzinfo=None)

    def _owner(self, row):
        name = self.owners.get(row["owner_id"])
        if name is None:
            person = SimpleNamespace(
                username=row["owner__username"], first_name=row["owner__first_name"], last_name=row["owner__last_name"]
            )
            name = self.owners[row["owner_id"]] = display_name(person)
        return name

    def __iter__(self):
        labels = self.labels
        for row in audit_export_rows(self.filters):
            codes = sorted((row["type_codes"] or "").split(",")) if row["type_codes"] else []
            yield [
                row["number"],
                self._time(row["created_at"]),
                self._time(row["accepted_at"]),
                self._time(row["closed_at"]),
                labels["state"].get(row["state"], row["state"]),
                labels["channel"].get(row["channel"], row["channel"]),
                labels["tier"].get(row["customer_tier"], row["customer_tier"]),
                labels["priority"].get(row["priority"], str(row["priority"])),
                self._owner(row),
                row["customer_name"],
                row["summary"],
                ", ".join(self.types.get(code, code) for code in codes),
                self.yes if row["escalated"] else self.no,
                row["satisfaction"],
                row["reopen_count"],
            ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def csv_chunks(rows: ExportRows):
    """The export as CSV text, a batch of rows at a time, starting with the byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([spreadsheet_safe(str(title)) for title in rows.header])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if n % CSV_BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(value):
    if isinstance(value, str):
        # openpyxl refuses control characters in cells; a text starting with "=" would be a formula.
        return spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_file(rows: ExportRows, title: str):
    """The export as an XLSX in a temporary file (removed when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([str(header) for header in rows.header])
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it, the OS removes it
    workbook.save(output)
    output.seek(0)
    return output
