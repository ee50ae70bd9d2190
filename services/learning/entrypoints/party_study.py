"""party_study entrypoints."""


class PartyStudyEntrypoints:
    pass
