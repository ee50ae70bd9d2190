"""Honour entrypoints: a title granted by assessments shows on the holder's record
(assessments.title_granted / assessments.title_withdrawn)."""
from services.membership import honours
from shared.entrypoints import handles, rpc


class HonourEntrypoints:
    @rpc
    def honours_list(self, query: dict) -> dict:
        return honours.list_honours(self.db, query)

    @handles("assessments.title_granted")
    def honour_granted_title(self, event: dict) -> dict:
        return honours.record_granted(self.db, event)

    @handles("assessments.title_withdrawn")
    def revoke_withdrawn_title(self, event: dict) -> dict:
        return honours.record_withdrawn(self.db, event)
