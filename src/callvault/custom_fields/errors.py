from callvault.kernel.errors import DuplicateObject, InvalidRequest, NotFound


class CustomFieldNotFound(NotFound):
    pass


class DuplicateSlug(DuplicateObject):
    pass


class UnknownCustomField(InvalidRequest):
    pass


class InvalidCustomFieldValue(InvalidRequest):
    pass
