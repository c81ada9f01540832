from callvault.kernel.errors import CallvaultError, InvalidRequest, NotFound


class InvalidSignature(CallvaultError):
    status_code = 401
    code = "invalid_signature"


class UnknownWebhookSecret(CallvaultError):
    status_code = 401
    code = "invalid_api_token"


class UnknownWebhookSource(NotFound):
    pass


class InvalidDelivery(InvalidRequest):
    pass
