"""``get_FOO_display()`` comes from a table made once per field (``accounts.models.ChoiceLabels``):
the same labels as Django's, in the language of the moment, and the raw value for one that is
not a choice."""

from django.utils import translation

from proposals.models import Assignment, Event, Proposal
from proposals.states import ProposalState


def test_every_choice_shows_its_label_in_the_language_of_the_moment():
    proposal = Proposal(state=ProposalState.ASSIGNED)
    with translation.override("zh-hans"):
        assert proposal.get_state_display() == "已交办"
    with translation.override("en"):
        assert proposal.get_state_display() == "Assigned"  # the table keeps the lazy labels
    for value, label in Event.Action.choices:
        assert Event(action=value).get_action_display() == str(label)
    assert Assignment(role="lead").get_role_display() == str(Assignment.Role.LEAD.label)


def test_a_value_that_is_not_a_choice_shows_as_it_is():
    assert Proposal(state="lost").get_state_display() == "lost"
    assert Proposal(state=None).get_state_display() is None
