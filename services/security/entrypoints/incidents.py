"""incidents entrypoints."""


class IncidentEntrypoints:
    pass
