"""What intake tells the layers above it, inside the same transaction.

``proposals`` never imports ``replies``; when intake changes something replies depend on, it
sends a signal here and ``replies`` (which connects in its AppConfig.ready) keeps its drafts in step.
"""

from django.dispatch import Signal

# An assignment was withdrawn and its role given to another bureau.
# Arguments: withdrawn (Assignment), replacement (Assignment), by (User).
assignment_replaced = Signal()
