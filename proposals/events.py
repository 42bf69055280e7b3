"""The one writer of the timeline. Services call it inside their transaction; once that commits,
``event_committed`` tells whoever listens (notifications)."""

from django.db import transaction

from .models import Event
from .signals import event_committed


def event_record(
    *, proposal, action: Event.Action, by, assignment=None, from_state="", to_state="", note=""
) -> Event:
    event = Event.objects.create(
        proposal=proposal,
        assignment=assignment,
        actor=by,
        action=Event.Action(action),
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
    transaction.on_commit(lambda: event_committed.send(sender=Event, event=event))
    return event
