"""Special populations entrypoints: the RPCs the gateway calls. Membership is asked here (the
resident, the floating residents) and the use cases get plain dicts."""
from services.security import special_populations
from shared import membership as asked
from shared.entrypoints import rpc


class SpecialPopulationEntrypoints:
    @rpc
    def supervision_files_create(self, payload: dict) -> dict:
        data = special_populations.check_file_create(self.db, payload)
        resident = asked.resident(self.membership, data["resident_id"])
        return special_populations.open_file(self.db, payload, resident)

    @rpc
    def supervision_files_list(self, query: dict) -> dict:
        return special_populations.list_files(self.db, query)

    @rpc
    def supervision_files_summary(self, query: dict) -> dict:
        return special_populations.summary(self.db, query)

    @rpc
    def supervision_files_get(self, file_id: int) -> dict:
        return special_populations.get_file(self.db, file_id)

    @rpc
    def supervision_files_update(self, file_id: int, payload: dict) -> dict:
        return special_populations.update_file(self.db, file_id, payload)

    @rpc
    def supervision_files_record_visit(self, file_id: int, payload: dict) -> dict:
        return special_populations.record_visit(self.db, file_id, payload)

    @rpc
    def supervision_files_record_screening(self, file_id: int, payload: dict) -> dict:
        return special_populations.record_screening(self.db, file_id, payload)

    @rpc
    def supervision_files_visits(self, file_id: int, query: dict) -> dict:
        return special_populations.list_visits(self.db, file_id, query)

    @rpc
    def supervision_files_screenings(self, file_id: int, query: dict) -> dict:
        return special_populations.list_screenings(self.db, file_id, query)

    @rpc
    def supervision_files_close(self, file_id: int, payload: dict) -> dict:
        return special_populations.close_file(self.db, file_id, payload)

    @rpc
    def floating_checks_create(self, payload: dict) -> dict:
        data = special_populations.check_floating_create(self.db, payload)
        resident = asked.resident(self.membership, data["resident_id"])
        return special_populations.record_floating_check(self.db, payload, resident)

    @rpc
    def floating_checks_list(self, query: dict) -> dict:
        return special_populations.list_floating_checks(self.db, query)

    @rpc
    def floating_checks_rates(self, query: dict) -> dict:
        args = special_populations.check_rate_query(self.db, query)
        floating = asked.floating_residents(self.membership, args["code"])
        return special_populations.rate_report(self.db, query, floating)
