"""A machine without Pango, for the tests of what PDF exports answer there."""

import types


class NoPango(types.ModuleType):
    """What importing WeasyPrint does on a machine without Pango: an OSError."""

    def __getattr__(self, name: str) -> None:
        raise OSError("cannot load library 'libpango-1.0-0'")
