"""Assessment scheme entrypoints: schemes, indicators, scoring rules, the admission gate,
manual scores and survey results."""


class SchemeEntrypoints:
    pass
