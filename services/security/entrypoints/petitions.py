"""petitions entrypoints."""


class PetitionEntrypoints:
    pass
