import datetime

import factory

from accounts.models import Deputy, Membership, Organization, User
from proposals.models import Proposal, Session


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.BUREAU
    name = factory.Sequence(lambda n: f"慈溪市第{n}局")
    short_name = factory.Sequence(lambda n: f"市{n}局")
    document_prefix = factory.Sequence(lambda n: f"慈{n}建")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(user, organization, role):
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    name = factory.Sequence(lambda n: f"代表{n}")
    delegation = factory.SubFactory(
        OrganizationFactory,
        kind=Organization.Kind.DELEGATION,
        document_prefix="",
        cc_name=factory.Sequence(lambda n: f"第{n}街道人大工作委员会"),
    )


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        django_get_or_create = ("body", "term", "number")

    body = Session.Body.PEOPLES_CONGRESS
    term = 18
    number = 1
    starts_on = datetime.date(2022, 1, 10)
    ends_on = datetime.date(2022, 1, 13)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    session = factory.SubFactory(SessionFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"关于第{n}项工作的建议")
    reasons = "事由"
    suggestions = "建议"
    lead_deputy = factory.SubFactory(DeputyFactory)
    category = Proposal.Category.ECONOMY
    received_on = factory.LazyFunction(datetime.date.today)
