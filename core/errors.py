"""Base of every domain error: services raise them, the API turns them into a 4xx JSON body."""


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        # The input field the message is about, when there is one: the API lists it under "errors".
        self.field = field
