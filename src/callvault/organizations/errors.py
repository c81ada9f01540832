from callvault.kernel.errors import DuplicateObject, NotFound


class OrganizationExists(DuplicateObject):
    pass


class OrganizationNotFound(NotFound):
    pass


class TokenNotFound(NotFound):
    pass
