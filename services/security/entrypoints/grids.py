"""grids entrypoints."""


class GridEntrypoints:
    pass
