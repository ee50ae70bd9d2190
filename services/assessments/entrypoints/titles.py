"""Title entrypoints: nomination, review, public notice, granted or withdrawn. Membership is
asked here (the holder) and the use case gets a plain dict."""
from services.assessments import titles
from shared import membership as asked
from shared.entrypoints import rpc


class TitleEntrypoints:
    @rpc
    def titles_kinds(self) -> dict:
        return titles.kinds()

    @rpc
    def titles_nominate(self, payload: dict) -> dict:
        data = titles.check_nomination(self.db, payload)
        holder = asked.title_holder(self.membership, data["holder_kind"], data["holder_ref"])
        return titles.nominate(self.db, payload, holder)

    @rpc
    def titles_list(self, query: dict) -> dict:
        return titles.list_titles(self.db, query)

    @rpc
    def titles_get(self, title_id: int) -> dict:
        return titles.get_title(self.db, title_id)

    @rpc
    def titles_review(self, title_id: int, payload: dict) -> dict:
        return titles.review(self.db, title_id, payload)

    @rpc
    def titles_raise_objection(self, title_id: int, payload: dict) -> dict:
        return titles.raise_objection(self.db, title_id, payload)

    @rpc
    def titles_decide_objection(self, title_id: int, objection_id: int, payload: dict) -> dict:
        return titles.decide_objection(self.db, title_id, objection_id, payload)

    @rpc
    def titles_grant(self, title_id: int, payload: dict) -> dict:
        return titles.grant(self.db, title_id, payload)

    @rpc
    def titles_withdraw(self, title_id: int, payload: dict) -> dict:
        return titles.withdraw(self.db, title_id, payload)

    @rpc
    def titles_public_notices(self, query: dict) -> dict:
        return titles.public_notices(self.db, query)
