"""schools entrypoints."""


class SchoolEntrypoints:
    pass
