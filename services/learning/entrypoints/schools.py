"""School, venue and teacher entrypoints: the RPCs the gateway calls."""
from services.learning import schools
from shared import membership as asked
from shared.entrypoints import rpc


class SchoolEntrypoints:
    @rpc
    def schools_create(self, payload: dict) -> dict:
        data = schools.check_new_school(self.db, payload)
        area = asked.area(self.membership, data["org_code"])
        return schools.create_school(self.db, payload, area)

    @rpc
    def schools_get(self, school_id: int) -> dict:
        return schools.get_school(self.db, school_id)

    @rpc
    def schools_update(self, school_id: int, payload: dict) -> dict:
        return schools.update_school(self.db, school_id, payload)

    @rpc
    def schools_list(self, query: dict) -> dict:
        return schools.list_schools(self.db, query)

    @rpc
    def venues_create(self, payload: dict) -> dict:
        data = schools.check_new_venue(self.db, payload)
        area = asked.area(self.membership, data["org_code"]) if data["org_code"] else None
        return schools.create_venue(self.db, payload, area)

    @rpc
    def venues_get(self, venue_id: int) -> dict:
        return schools.get_venue(self.db, venue_id)

    @rpc
    def venues_update(self, venue_id: int, payload: dict) -> dict:
        return schools.update_venue(self.db, venue_id, payload)

    @rpc
    def venues_list(self, query: dict) -> dict:
        return schools.list_venues(self.db, query)

    # A volunteer teacher is a volunteer membership shows the caller: it lends the name and the
    # community; the teacher row keeps the volunteer's id (the hours of a held session go there).
    @rpc
    def teachers_create(self, payload: dict) -> dict:
        data = schools.check_new_teacher(self.db, payload)
        volunteer = None
        if data["kind"] == "volunteer":
            found = asked.volunteer(self.membership, data["volunteer_id"])
            volunteer = {key: found.get(key) for key in ("id", "name", "community_code",
                                                          "status")}
        return schools.create_teacher(self.db, payload, volunteer)

    @rpc
    def teachers_get(self, teacher_id: int) -> dict:
        return schools.get_teacher(self.db, teacher_id)

    @rpc
    def teachers_list(self, query: dict) -> dict:
        return schools.list_teachers(self.db, query)
