"""Party study entrypoints: the RPCs the gateway calls. Membership is asked here (the branch,
its active members) and the use cases get plain dicts."""
from services.learning import party_study
from shared import membership as asked
from shared.entrypoints import rpc


class PartyStudyEntrypoints:
    @rpc
    def study_sessions_create(self, payload: dict) -> dict:
        data = party_study.check_session_create(self.db, payload)
        branch = asked.party_org(self.membership, data["branch_id"])
        return party_study.create_session(self.db, payload, branch)

    @rpc
    def study_plans_create(self, payload: dict) -> dict:
        data = party_study.check_plan(self.db, payload)
        branch = asked.party_org(self.membership, data["branch_id"])
        return party_study.plan_sessions(self.db, payload, branch)

    @rpc
    def study_sessions_list(self, query: dict) -> dict:
        return party_study.list_sessions(self.db, query)

    @rpc
    def study_sessions_get(self, session_id: int) -> dict:
        return party_study.get_session(self.db, session_id)

    @rpc
    def study_sessions_update(self, session_id: int, payload: dict) -> dict:
        return party_study.update_session(self.db, session_id, payload)

    @rpc
    def study_sessions_record_attendance(self, session_id: int, payload: dict) -> dict:
        branch_id = party_study.check_attendance(self.db, session_id, payload)
        members = asked.active_party_members(self.membership, branch_id=branch_id)
        return party_study.record_attendance(self.db, session_id, payload, members)

    @rpc
    def study_sessions_attendance(self, session_id: int, query: dict) -> dict:
        return party_study.list_attendance(self.db, session_id, query)

    @rpc
    def study_sessions_write_note(self, session_id: int, payload: dict) -> dict:
        branch_id = party_study.check_note(self.db, session_id, payload)
        members = asked.active_party_members(self.membership, branch_id=branch_id)
        return party_study.write_note(self.db, session_id, payload, members)

    @rpc
    def study_sessions_notes(self, session_id: int, query: dict) -> dict:
        return party_study.list_notes(self.db, session_id, query)

    @rpc
    def study_quotas(self, query: dict) -> dict:
        args = party_study.check_quota_query(self.db, query)
        branch = None
        if args["branch_id"] is not None:
            branch = asked.party_org(self.membership, args["branch_id"])
            members = asked.active_party_members(self.membership, branch_id=branch["id"])
        else:
            members = asked.active_party_members(self.membership, code=args["code"])
        return party_study.quota_report(self.db, query, members, branch)
