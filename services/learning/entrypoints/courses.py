"""courses entrypoints."""


class CourseEntrypoints:
    pass
