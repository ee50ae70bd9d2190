"""mediation entrypoints."""


class MediationEntrypoints:
    pass
