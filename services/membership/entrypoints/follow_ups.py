"""Follow-up entrypoints: a party member rated unqualified in a democratic appraisal is followed
up (assessments.member_rated_unqualified)."""
from services.membership import follow_ups
from shared.entrypoints import handles, rpc


class FollowUpEntrypoints:
    @rpc
    def follow_ups_list_for_member(self, member_id, query: dict) -> dict:
        return follow_ups.list_for_member(self.db, member_id, query)

    @rpc
    def follow_ups_close(self, follow_up_id, payload: dict) -> dict:
        return follow_ups.close(self.db, follow_up_id, payload)

    @handles("assessments.member_rated_unqualified")
    def follow_ups_open_for_unqualified(self, event: dict) -> dict | None:
        return follow_ups.open_for_unqualified(self.db, event)
