"""Appraisal entrypoints: democratic appraisal of party members, "five goods" branch ratings,
commitment cards. Membership is asked here (the branch, its active members, a party member)
and the use cases get plain dicts."""
from services.assessments import appraisals
from shared import membership as asked
from shared.entrypoints import rpc


class AppraisalEntrypoints:
    @rpc
    def appraisals_open(self, payload: dict) -> dict:
        data = appraisals.check_open(self.db, payload)
        branch = asked.party_org(self.membership, data["branch_id"])
        members = asked.active_party_members(self.membership, branch_id=data["branch_id"])
        return appraisals.open_round(self.db, payload, branch, members)

    @rpc
    def appraisals_list(self, query: dict) -> dict:
        return appraisals.list_rounds(self.db, query)

    @rpc
    def appraisals_get(self, round_id: int) -> dict:
        return appraisals.get_round(self.db, round_id)

    @rpc
    def appraisals_start_voting(self, round_id: int) -> dict:
        return appraisals.start_voting(self.db, round_id)

    @rpc
    def appraisals_cast_ballot(self, round_id: int, payload: dict) -> dict:
        return appraisals.cast_ballot(self.db, round_id, payload)

    @rpc
    def appraisals_count(self, round_id: int) -> dict:
        return appraisals.count(self.db, round_id)

    @rpc
    def appraisals_results(self, round_id: int, query: dict) -> dict:
        return appraisals.list_results(self.db, round_id, query)

    @rpc
    def appraisals_override(self, round_id: int, member_id: int, payload: dict) -> dict:
        return appraisals.override_band(self.db, round_id, member_id, payload)

    @rpc
    def branch_ratings_create(self, payload: dict) -> dict:
        data = appraisals.check_rate(self.db, payload)
        branch = asked.party_org(self.membership, data["branch_id"])
        return appraisals.rate_branch(self.db, payload, branch)

    @rpc
    def branch_ratings_revise(self, rating_id: int, payload: dict) -> dict:
        return appraisals.revise_rating(self.db, rating_id, payload)

    @rpc
    def branch_ratings_get(self, rating_id: int) -> dict:
        return appraisals.get_rating(self.db, rating_id)

    @rpc
    def branch_ratings_list(self, query: dict) -> dict:
        return appraisals.list_ratings(self.db, query)

    @rpc
    def commitment_cards_create(self, payload: dict) -> dict:
        data = appraisals.check_card(self.db, payload)
        member = asked.party_member(self.membership, data["party_member_id"])
        return appraisals.create_card(self.db, payload, member)

    @rpc
    def commitment_cards_get(self, card_id: int) -> dict:
        return appraisals.get_card(self.db, card_id)

    @rpc
    def commitment_cards_list(self, query: dict) -> dict:
        return appraisals.list_cards(self.db, query)

    @rpc
    def commitment_cards_publish(self, card_id: int, payload: dict) -> dict:
        return appraisals.publish_card(self.db, card_id, payload)

    @rpc
    def commitment_cards_rate(self, card_id: int, payload: dict) -> dict:
        return appraisals.rate_card(self.db, card_id, payload)

    @rpc
    def commitment_cards_assess(self, card_id: int, payload: dict) -> dict:
        return appraisals.assess_card(self.db, card_id, payload)
