"""patrols entrypoints."""


class PatrolEntrypoints:
    pass
