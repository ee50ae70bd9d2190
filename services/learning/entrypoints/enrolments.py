"""enrolments entrypoints."""


class EnrolmentEntrypoints:
    pass
