"""Crisis contacts: from the directory in crisis order, else the built-in copy."""

from __future__ import annotations

from unittest.mock import MagicMock

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from services_directory.crisis import builtin_crisis_contacts, crisis_contacts


def test_crisis_contacts_from_the_directory(curated: Session) -> None:
    contacts = crisis_contacts(curated)
    assert [c.name for c in contacts] == ["Test Helpline", "Test Textline"]
    helpline, textline = contacts
    assert helpline.phone == "0800 000 0001" and textline.phone is None
    assert textline.to_dict()["routes"][0] == {
        "mode": "text",
        "label": "Text HELLO to 85000",
        "href": "sms:85000?&body=HELLO",
        "value": "85000",
        "open_now": True,
    }
    assert set(helpline.to_dict()) == {
        "slug",
        "name",
        "phone",
        "description",
        "what_happens",
        "who_for",
        "routes",
        "min_age",
        "max_age",
    }


def test_built_in_copy_without_a_database() -> None:
    contacts = crisis_contacts(None)
    assert contacts and contacts == builtin_crisis_contacts()
    assert all(c.name and (c.phone or c.routes) for c in contacts)
    for contact in contacts:
        for route in contact.routes:
            assert route.href is None or route.href.startswith(
                ("tel:", "sms:", "https:", "mailto:")
            )


def test_built_in_copy_when_the_database_cannot_be_read() -> None:
    broken = MagicMock(spec=Session)
    broken.execute.side_effect = OperationalError("select", {}, Exception("database is locked"))
    assert crisis_contacts(broken) == builtin_crisis_contacts()


def test_built_in_copy_when_the_directory_is_empty(session: Session) -> None:
    assert crisis_contacts(session) == builtin_crisis_contacts()


def test_the_built_in_copy_agrees_with_the_curated_directory(curated_directory_url: str) -> None:
    """The built-in copy is read from the same curated file as the directory: every crisis
    entry, with the same numbers, links, words, ages and order (open-now aside: the copy has no
    clock-aware hours)."""
    from services_directory.db import make_engine, make_session_factory

    def facts(contact) -> dict:
        shown = contact.to_dict()
        for route in shown["routes"]:
            route.pop("open_now")
        return shown

    with make_session_factory(make_engine(curated_directory_url))() as session:
        curated = crisis_contacts(session)
    builtin = builtin_crisis_contacts()
    assert [c.slug for c in builtin] == [c.slug for c in curated]
    for ours, theirs in zip(builtin, curated, strict=True):
        assert facts(ours) == facts(theirs)
