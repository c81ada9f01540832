from callvault.kernel.errors import InvalidRequest


class InvalidFilter(InvalidRequest):
    """A filter tree that breaks a rule of the filter language."""


class InvalidLimit(InvalidRequest):
    pass


class CursorMismatch(InvalidRequest):
    """A cursor of ours, sent back with another filter or limit."""
