"""Scorecard entrypoints: scorecards and what explains them, rankings, manual scores, survey
results and corrections. Membership is asked here (the subject's territory node, the territory
subjects lying in an area) and the use cases get plain dicts and lists."""
from services.assessments import scorecards
from shared import membership as asked
from shared.entrypoints import rpc
from shared.errors import InvalidInput


def _subjects_listed(membership, plan: dict) -> list[dict]:
    """The territory subjects lying in the plan's area, each ``{"code", "name"}`` (none when it
    names no area)."""
    if plan["area"] is None:
        return []
    return asked.nodes_within(membership, plan["area"], plan["level"], "within_code")


def _subject_node(membership, plan: dict) -> dict:
    """The territory node the plan names; a person (party member, household, volunteer) must
    also be one membership shows the caller (else 404 ``subject_ref``)."""
    node = asked.area(membership, plan["code"], plan["field"])
    if plan["person_kind"] is not None:
        asked.title_holder(membership, plan["person_kind"], plan["person_ref"], "subject_ref")
    return node


class ScorecardEntrypoints:
    @rpc
    def scorecards_list(self, query: dict) -> dict:
        return scorecards.list_scorecards(self.db, query)

    @rpc
    def scorecards_get(self, scorecard_id: int) -> dict:
        plan = scorecards.scorecard_plan(self.db, scorecard_id)
        try:
            siblings = [node["code"] for node in _subjects_listed(self.membership, plan)]
        except InvalidInput:  # a parent membership no longer knows: rank among the scorecards
            siblings = []
        return scorecards.get_scorecard(self.db, scorecard_id, siblings)

    @rpc
    def scorecards_entries(self, scorecard_id: int, query: dict) -> dict:
        return scorecards.scorecard_entries(self.db, scorecard_id, query)

    @rpc
    def scorecards_recompute(self, query: dict) -> dict:
        return scorecards.recompute(self.db, query)

    @rpc
    def rankings_get(self, query: dict) -> dict:
        plan = scorecards.ranking_plan(self.db, query)
        return scorecards.ranking(self.db, query, _subjects_listed(self.membership, plan))

    @rpc
    def manual_scores_create(self, payload: dict) -> dict:
        plan = scorecards.manual_score_plan(self.db, payload)
        node = _subject_node(self.membership, plan)
        return scorecards.enter_manual_score(self.db, payload, node)

    @rpc
    def survey_results_create(self, scheme_id: int, payload: dict) -> dict:
        plan = scorecards.survey_plan(self.db, scheme_id, payload)
        node = _subject_node(self.membership, plan)
        return scorecards.record_survey(self.db, scheme_id, payload, node)

    @rpc
    def survey_results_list(self, scheme_id: int, query: dict) -> dict:
        return scorecards.list_surveys(self.db, scheme_id, query)

    @rpc
    def ledger_entries_correct(self, entry_id: int, payload: dict) -> dict:
        return scorecards.correct_entry(self.db, entry_id, payload)
