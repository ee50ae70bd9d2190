"""Honour entrypoints: a title granted by assessments shows on the holder's record
(assessments.title_granted / assessments.title_withdrawn)."""


class HonourEntrypoints:
    pass
