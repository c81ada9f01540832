from callvault.kernel.errors import NotFound


class RecordingNotFound(NotFound):
    pass
