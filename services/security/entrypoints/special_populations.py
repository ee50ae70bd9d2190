"""special_populations entrypoints."""


class SpecialPopulationEntrypoints:
    pass
