"""Party member entrypoints: parse, call the use case, return. Nothing else."""
from services.membership import party_members
from shared.entrypoints import handles, rpc


class PartyMemberEntrypoints:
    @rpc
    def party_members_register(self, payload: dict) -> dict:
        return party_members.register_member(self.db, payload)

    @rpc
    def party_members_get(self, member_id) -> dict:
        return party_members.get_member(self.db, member_id)

    @rpc
    def party_members_update(self, member_id, payload: dict) -> dict:
        return party_members.update_member(self.db, member_id, payload)

    @rpc
    def party_members_step(self, member_id, payload: dict) -> dict:
        return party_members.take_step(self.db, member_id, payload)

    @rpc
    def party_members_transfer(self, member_id, payload: dict) -> dict:
        return party_members.transfer(self.db, member_id, payload)

    @rpc
    def party_members_register_with_community(self, member_id, payload: dict) -> dict:
        return party_members.register_with_community(self.db, member_id, payload)

    @rpc
    def party_members_claim_post(self, member_id, payload: dict) -> dict:
        return party_members.claim_post(self.db, member_id, payload)

    @rpc
    def party_members_list_post_claims(self, query: dict) -> dict:
        return party_members.list_post_claims(self.db, query)

    @rpc
    def party_members_quota(self, member_id, query: dict) -> dict:
        return party_members.quota_report(self.db, member_id, query)

    @rpc
    def party_members_record_quota(self, member_id, payload: dict) -> dict:
        return party_members.record_quota_item(self.db, member_id, payload)

    @rpc
    def party_members_record_mobile(self, member_id, payload: dict) -> dict:
        return party_members.record_mobile(self.db, member_id, payload)

    @rpc
    def party_members_list(self, query: dict) -> dict:
        return party_members.list_members(self.db, query)

    # Branches re-coded by a community merge take their members with them.
    @handles("membership.communities_merged")
    def party_members_follow_merge(self, event: dict) -> dict:
        return party_members.follow_merge(self.db, event["data"]["moves"])
