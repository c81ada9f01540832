from callvault.kernel.errors import CallvaultError, InvalidRequest, NotFound


class RecordProblem(CallvaultError):
    """One record cannot be imported; the rest of its file still is."""


class UnknownSource(NotFound):
    pass


class UnreadableDocument(InvalidRequest):
    pass
