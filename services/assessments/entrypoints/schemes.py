"""Assessment scheme entrypoints: schemes, indicators, scoring rules, the admission gate 准入.
Membership is asked here (the area a new scheme covers); the use case gets a plain dict."""
from services.assessments import schemes
from shared import membership as asked
from shared.entrypoints import rpc


class SchemeEntrypoints:
    @rpc
    def schemes_create(self, payload: dict) -> dict:
        data = schemes.check_create(self.db, payload)
        area = asked.area(self.membership, data["org_code"])
        return schemes.create_scheme(self.db, payload, area)

    @rpc
    def schemes_list(self, query: dict) -> dict:
        return schemes.list_schemes(self.db, query)

    @rpc
    def schemes_get(self, scheme_id: int) -> dict:
        return schemes.get_scheme(self.db, scheme_id)

    @rpc
    def schemes_update(self, scheme_id: int, payload: dict) -> dict:
        return schemes.update_scheme(self.db, scheme_id, payload)

    @rpc
    def schemes_add_indicator(self, scheme_id: int, payload: dict) -> dict:
        return schemes.add_indicator(self.db, scheme_id, payload)

    @rpc
    def schemes_update_indicator(self, scheme_id: int, indicator_id: int, payload: dict) -> dict:
        return schemes.update_indicator(self.db, scheme_id, indicator_id, payload)

    @rpc
    def schemes_add_rule(self, scheme_id: int, payload: dict) -> dict:
        return schemes.add_rule(self.db, scheme_id, payload)

    @rpc
    def schemes_update_rule(self, scheme_id: int, rule_id: int, payload: dict) -> dict:
        return schemes.update_rule(self.db, scheme_id, rule_id, payload)

    @rpc
    def schemes_remove_rule(self, scheme_id: int, rule_id: int) -> dict:
        return schemes.remove_rule(self.db, scheme_id, rule_id)

    @rpc
    def schemes_submit(self, scheme_id: int) -> dict:
        return schemes.submit(self.db, scheme_id)

    @rpc
    def schemes_approve(self, scheme_id: int, payload: dict) -> dict:
        return schemes.approve(self.db, scheme_id, payload)

    @rpc
    def schemes_reject(self, scheme_id: int, payload: dict) -> dict:
        return schemes.reject(self.db, scheme_id, payload)

    @rpc
    def schemes_retire(self, scheme_id: int) -> dict:
        return schemes.retire(self.db, scheme_id)
