"""Bulk import entrypoints: accept a file, work through it batch by batch, report on it."""
from services.membership import imports
from shared.entrypoints import handles, rpc
from shared.personal_data import PersonalDataProvider


class ImportEntrypoints:
    personal_data = PersonalDataProvider()

    @rpc
    def imports_create(self, payload: dict) -> dict:
        return imports.create_import(self.db, self.personal_data, payload)

    @rpc
    def imports_get(self, import_id: int) -> dict:
        return imports.get_import(self.db, import_id)

    @rpc
    def imports_errors(self, import_id: int, query: dict) -> dict:
        return imports.list_errors(self.db, import_id, query)

    # One batch per event: the first when the file is accepted, then one per batch done.
    @handles("membership.resident_import_queued", on_give_up=imports.fail_job)
    def imports_start(self, event: dict) -> dict | None:
        return imports.work_batch(self.db, self.personal_data, event["data"]["import_id"])

    @handles("membership.resident_import_progressed", on_give_up=imports.fail_job)
    def imports_continue(self, event: dict) -> dict | None:
        return imports.work_batch(self.db, self.personal_data, event["data"]["import_id"])
