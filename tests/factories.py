"""factory_boy factories and the one helper that registers a request through the service."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from requests_app import services
from requests_app.models import Channel, DeskPolicy, Masking, Organization


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create and extracted:
            for organization in extracted:
                organization.staff.add(self)
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.Sequence(lambda n: f"テスト株式会社{n}")


class DeskPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeskPolicy

    organization = factory.SubFactory(OrganizationFactory)
    name = "開示等の手続"
    effective_from = dt.date(2020, 1, 1)
    channels = [Channel.POST, Channel.EMAIL]


def subject_data(**overrides):
    data = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "postal_code": "464-0001",
        "address": "愛知県名古屋市千種区1-2-3",
        "email": "hanako@example.jp",
    }
    data.update(overrides)
    return data


def document_data(kind, holder="data_subject", received_on=None, **overrides):
    data = {
        "kind": kind,
        "holder": holder,
        "received_on": received_on,
        "individual_number": Masking.NOT_SHOWN,
        "insurer_number": Masking.NOT_SHOWN,
        "domicile": Masking.MASKED_BY_SENDER,
    }
    data.update(overrides)
    return data


def register(actor, policy, *, kinds=("disclosure",), reached_on, **kwargs):
    """Register a request with sensible defaults; everything else as ``request_register`` takes."""
    items = kwargs.pop("items", None) or [{"kind": kind} for kind in kinds]
    documents = [
        {**document, "received_on": document.get("received_on") or reached_on}
        for document in kwargs.pop("documents", ())
    ]
    kwargs.setdefault("channel", Channel.POST)
    kwargs.setdefault("subject", subject_data())
    return services.request_register(
        actor=actor, policy=policy, reached_on=reached_on, items=items, documents=documents, **kwargs
    )
