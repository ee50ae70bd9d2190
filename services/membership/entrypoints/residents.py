"""Resident and household entrypoints: parse, call the use case, return. Nothing else."""
from services.membership import households, residents
from shared.entrypoints import handles, rpc
from shared.personal_data import PersonalDataProvider


class ResidentEntrypoints:
    personal_data = PersonalDataProvider()

    @rpc
    def residents_register(self, payload: dict) -> dict:
        return residents.register_resident(self.db, self.personal_data, payload)

    @rpc
    def residents_get(self, resident_id: int) -> dict:
        return residents.get_resident(self.db, resident_id)

    @rpc
    def residents_update(self, resident_id: int, payload: dict) -> dict:
        return residents.update_resident(self.db, self.personal_data, resident_id, payload)

    @rpc
    def residents_move(self, resident_id: int, payload: dict) -> dict:
        return residents.move_resident(self.db, resident_id, payload)

    @rpc
    def residents_list(self, query: dict) -> dict:
        return residents.list_residents(self.db, query)

    @rpc
    def residents_set_flag(self, resident_id: int, payload: dict) -> dict:
        return residents.set_flag(self.db, resident_id, payload)

    @rpc
    def residents_clear_flag(self, resident_id: int, flag: str, payload: dict) -> dict:
        return residents.clear_flag(self.db, resident_id, flag, payload)

    @rpc
    def residents_export_page(self, query: dict) -> dict:
        return residents.export_page(self.db, query)

    @rpc
    def households_create(self, payload: dict) -> dict:
        return households.create_household(self.db, payload)

    @rpc
    def households_get(self, household_id: int) -> dict:
        return households.get_household(self.db, household_id)

    @rpc
    def households_update(self, household_id: int, payload: dict) -> dict:
        return households.update_household(self.db, household_id, payload)

    @rpc
    def households_list(self, query: dict) -> dict:
        return households.list_households(self.db, query)

    @rpc
    def households_add_member(self, household_id: int, payload: dict) -> dict:
        return households.add_member(self.db, household_id, payload)

    @rpc
    def households_remove_member(self, household_id: int, resident_id: int) -> dict:
        return households.remove_member(self.db, household_id, resident_id)

    # Grids re-coded by a community merge take their residents and households with them.
    @handles("membership.communities_merged")
    def residents_follow_merge(self, event: dict) -> dict:
        return residents.follow_merge(self.db, event["data"]["moves"])
