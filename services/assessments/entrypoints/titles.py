"""Title entrypoints: nomination, review, public notice, granted or withdrawn."""


class TitleEntrypoints:
    pass
