"""What intake tells the layers above it, inside the same transaction.

``proposals`` never imports ``replies``; when intake changes something replies depend on, it
sends a signal here and ``replies`` (which connects in its AppConfig.ready) keeps its drafts in step.
"""

from django.dispatch import Signal

# An assignment was withdrawn and its role given to another bureau.
# Arguments: withdrawn (Assignment), replacement (Assignment), by (User).
assignment_replaced = Signal()

# An event was written and its transaction committed (sent from ``transaction.on_commit``).
# Arguments: event (Event). Notifications are made from these.
event_committed = Signal()
