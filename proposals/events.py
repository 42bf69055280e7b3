"""The one writer of the timeline. Services call it inside their transaction."""

from .models import Event


def event_record(
    *, proposal, action: Event.Action, by, assignment=None, from_state="", to_state="", note=""
) -> Event:
    return Event.objects.create(
        proposal=proposal,
        assignment=assignment,
        actor=by,
        action=Event.Action(action),
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
