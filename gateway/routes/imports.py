"""Bulk import routes: a CSV or JSON Lines file of residents becomes an import job (202), whose
progress and rejected rows are read back while membership works through it."""
from gateway.http import PayloadTooLarge, json_response, query_args, route
from services.membership.domain.imports import IMPORTER_ROLES
from services.membership.schemas.imports import (
    ImportErrorPageSchema,
    ImportErrorQuerySchema,
    ImportSchema,
)
from shared.errors import MalformedRequest

IMPORTS = "/api/v1/imports/residents"
IMPORT = IMPORTS + "/<int:id>"
MAX_FILE_BYTES = 20 * 1024 * 1024
IMPORT_DEADLINE_SECONDS = 60
FORMATS = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
           "application/x-jsonlines": "jsonl"}


class UnsupportedMediaType(MalformedRequest):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def read_file(request) -> tuple[str, str]:
    """The body as (format, text): CSV or JSON Lines in UTF-8 (a BOM is allowed), at most
    20 MB."""
    fmt = FORMATS.get(request.mimetype)
    if fmt is None:
        raise UnsupportedMediaType(
            f"body: send the file as {' or '.join(('text/csv', 'application/x-ndjson'))}",
            field="body")
    if (request.content_length or 0) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"body: larger than {MAX_FILE_BYTES} bytes", field="body")
    raw = request.stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"body: larger than {MAX_FILE_BYTES} bytes", field="body")
    if not raw.strip():
        raise MalformedRequest("body: the file is empty", field="body")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedRequest(f"body: not UTF-8 (byte {exc.start})", field="body") from None
    if "\x00" in text:
        raise MalformedRequest("body: contains a NUL character", field="body")
    return fmt, text


class ImportRoutes:
    @route("POST", IMPORTS, roles=IMPORTER_ROLES, response=ImportSchema, status=202,
           tag="imports",
           summary="Import residents from a CSV (header row) or JSON Lines file (Content-Type "
                   "text/csv or application/x-ndjson; columns name, gender, birth_date, "
                   "id_number, phone, address, grid_code, residence, household_address); "
                   "202 with the job, worked through in the background")
    def imports_create(self, request):
        fmt, text = read_file(request)
        # Accepting a file seals every row's ID number (~2 s per 20,000 rows on an idle core):
        # it gets a longer deadline than a read, so a busy machine does not turn a large file
        # into a 503.
        job = self.membership.imports_create({"format": fmt, "text": text},
                                             timeout=IMPORT_DEADLINE_SECONDS)
        return json_response(job, status=202, headers={"Location": f"{IMPORTS}/{job['id']}"})

    @route("GET", IMPORT, roles=IMPORTER_ROLES, response=ImportSchema, tag="imports",
           summary="An import's status (queued, running, done), counts and progress")
    def imports_get(self, request, id):
        return self.membership.imports_get(id)

    @route("GET", IMPORT + "/errors", roles=IMPORTER_ROLES, query=ImportErrorQuerySchema,
           response=ImportErrorPageSchema, tag="imports",
           summary="An import's rejected rows: line, field and reason (ID numbers never "
                   "repeated)")
    def imports_errors(self, request, id):
        return self.membership.imports_errors(id, query_args(request))
