"""Bulk import of residents 居民批量导入: the rules, in plain Python (no I/O).

Who may import, how a CSV or JSON Lines file becomes numbered rows, and what a job's progress
is. A file is refused as a whole only when it cannot be read as rows at all (not UTF-8, no
header, an unknown column, too many rows); everything else is judged row by row.
"""
from __future__ import annotations

import csv
import io
import json

from shared.context import CallerContext, require_role
from shared.errors import InvalidInput

IMPORTER_ROLES = ("integration", "district_admin", "street_admin", "community_worker")
FORMATS = ("csv", "jsonl")
STATUSES = ("queued", "running", "done", "failed")
ROW_STATES = ("pending", "applied", "rejected")
COLUMNS = ("name", "gender", "birth_date", "id_number", "phone", "address", "grid_code",
           "residence", "household_address")
REQUIRED_COLUMNS = ("name", "id_number", "address", "grid_code")
MAX_ROWS = 50_000  # accepting the file is one RPC (10 s deadline): ~2 s per 20,000 rows
MAX_CELL = 500
BATCH_SIZE = 250


def require_importer(caller: CallerContext | None) -> None:
    require_role(caller, *IMPORTER_ROLES)


def _cell(value):
    """A cell as the resident payload wants it: stripped text, empty as absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    value = value.strip()
    return value or None


def _row(line: int, values: dict) -> dict:
    return {"line": line, "values": {k: _cell(v) for k, v in values.items()
                                      if _cell(v) is not None}}


def _bad(line: int, field: str, reason: str) -> dict:
    return {"line": line, "values": {}, "field": field, "reason": reason}


def parse_csv(text: str) -> list[dict]:
    """Rows of a CSV file with a header row; ``line`` is the row's line in the file."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput(f"body: not a readable CSV file ({exc})", field="body") from None
    if not header or not any(h.strip() for h in header):
        raise InvalidInput("body: a header row naming the columns is required", field="body")
    names = [h.strip().lower() for h in header]
    _check_columns(names)
    rows = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            record = next(reader, None)
        except csv.Error as exc:
            rows.append(_bad(start, "line", f"not a readable CSV row ({exc})"))
            break
        if record is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(names):
            rows.append(_bad(start, "line", f"has {len(record)} cells, the header "
                                            f"{len(names)}"))
        else:
            rows.append(_row(start, dict(zip(names, record, strict=True))))
        _check_count(rows)
    return rows


def parse_jsonl(text: str) -> list[dict]:
    """Rows of a JSON Lines file: one JSON object per line, blank lines skipped."""
    rows = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            values = json.loads(raw)
        except (ValueError, RecursionError):
            rows.append(_bad(number, "line", "not valid JSON"))
            continue
        if not isinstance(values, dict):
            rows.append(_bad(number, "line", "must be a JSON object"))
            continue
        unknown = sorted(set(values) - set(COLUMNS))
        if unknown:
            rows.append(_bad(number, unknown[0][:50], f"unknown field; the fields are "
                                                      f"{', '.join(COLUMNS)}"))
            continue
        rows.append(_row(number, values))
        _check_count(rows)
    if not rows:
        raise InvalidInput("body: the file has no rows", field="body")
    return rows


def parse(fmt: str, text: str) -> list[dict]:
    if fmt not in FORMATS:
        raise InvalidInput(f"format: must be one of {', '.join(FORMATS)}", field="format")
    rows = parse_csv(text) if fmt == "csv" else parse_jsonl(text)
    if not rows:
        raise InvalidInput("body: the file has no rows", field="body")
    return rows


def _check_columns(names: list[str]) -> None:
    for name in names:
        if name not in COLUMNS:
            raise InvalidInput(f"body: unknown column {name[:50]!r}; the columns are "
                               f"{', '.join(COLUMNS)}", field="body")
    if len(set(names)) != len(names):
        raise InvalidInput("body: a column is named twice in the header", field="body")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InvalidInput(f"body: the header lacks the column(s) {', '.join(missing)}",
                           field="body")


def _check_count(rows: list) -> None:
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"body: more than {MAX_ROWS} rows; split the file", field="body")


def reason_of(detail: str, field: str | None) -> str:
    """A refusal's message without its leading ``field:``."""
    if field and detail.startswith(f"{field}: "):
        return detail[len(field) + 2:]
    return detail


def progress(total: int, processed: int) -> float:
    """Percent of rows processed, one decimal (100.0 for an empty job)."""
    if total <= 0:
        return 100.0
    return round(100.0 * processed / total, 1)
