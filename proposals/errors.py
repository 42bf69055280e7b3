"""The two refusals every service may raise. Views show their message; nothing was changed."""


class WorkflowError(Exception):
    """A refused action: the message is shown to the user; nothing was changed."""


class ConflictError(WorkflowError):
    """Someone else saved the same draft first; ``current`` is what they saved."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current
