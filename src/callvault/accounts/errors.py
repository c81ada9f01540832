from callvault.kernel.errors import DuplicateObject, InvalidRequest, NotFound


class AccountNotFound(NotFound):
    pass


class UnknownAccount(InvalidRequest):
    """An account id in a request body that names no account of the caller."""


class DomainClaimed(DuplicateObject):
    pass
