"""attendance entrypoints."""


class AttendanceEntrypoints:
    pass
