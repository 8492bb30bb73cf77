"""Memberships from Keycloak groups, permissions, signed cookies, safe redirects."""

from __future__ import annotations

import time

import pytest

from nastavnik.platform.auth.permissions import (
    Membership,
    Permission,
    Role,
    Scope,
    memberships_from_groups,
    permissions_for,
)
from nastavnik.platform.auth.signing import Purpose, derive_key, sign, unsign
from nastavnik.platform.web import Form, safe_next


def test_group_paths_become_memberships() -> None:
    groups = [
        "/schools/sosh2-zar/curator",
        "/schools/sosh2-zar/mentor",
        "/municipalities/zarechny/municipal_officer",
        "/regions/demo/cnppm_tutor",
        "/platform/admins",
    ]
    assert memberships_from_groups(groups) == sorted(
        [
            Membership(Scope.SCHOOL, "sosh2-zar", Role.CURATOR),
            Membership(Scope.SCHOOL, "sosh2-zar", Role.MENTOR),
            Membership(Scope.MUNICIPALITY, "zarechny", Role.MUNICIPAL_OFFICER),
            Membership(Scope.REGION, "demo", Role.CNPPM_TUTOR),
            Membership(Scope.PLATFORM, "platform", Role.PLATFORM_ADMIN),
        ]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/schools/sosh2-zar/platform_admin",  # a role that does not belong to a school
        "/schools/sosh2-zar",  # a school group without a role
        "/regions/demo/curator",
        "/municipalities/zar/cnppm_tutor",
        "/schools/a/b/curator",
        "/other/admins",
        "/schools/x/owner",
    ],
)
def test_unknown_or_misplaced_groups_grant_nothing(path: str) -> None:
    assert memberships_from_groups([path]) == []


def test_membership_round_trips_through_json_and_names_its_group() -> None:
    m = Membership(Scope.SCHOOL, "sosh2-zar", Role.PSYCHOLOGIST)
    assert Membership.from_json(m.to_json()) == m
    assert m.group_path == "/schools/sosh2-zar/psychologist"
    assert Membership(Scope.PLATFORM, "platform", Role.PLATFORM_ADMIN).group_path == "/platform/admins"


def test_permissions_follow_roles() -> None:
    assert Permission.SCHOOL_STAFF_INVITE in permissions_for(frozenset({Role.CURATOR}))
    assert Permission.SCHOOL_STAFF_INVITE not in permissions_for(frozenset({Role.MENTOR}))
    assert permissions_for(frozenset({Role.MINISTRY_VIEWER})) == {Permission.REGION_INDICATORS_VIEW}
    assert permissions_for(frozenset()) == frozenset()


def test_signed_values_detect_tampering_and_age() -> None:
    login = Purpose.LOGIN_STATE
    value = sign("secret", {"s": "state"}, purpose=login)
    assert unsign("secret", value, purpose=login, max_age=60) == {"s": "state"}
    assert unsign("other", value, purpose=login, max_age=60) is None
    body, _, mac = value.partition(".")
    assert unsign("secret", body[:-2] + "AA." + mac, purpose=login, max_age=60) is None
    assert unsign("secret", "garbage", purpose=login, max_age=60) is None
    assert unsign("secret", value, purpose=login, max_age=-1) is None


def test_a_value_signed_for_one_purpose_is_refused_for_every_other() -> None:
    for made_for in Purpose:
        value = sign("secret", {"s": "x"}, purpose=made_for)
        for used_as in Purpose:
            accepted = unsign("secret", value, purpose=used_as, max_age=60) is not None
            assert accepted is (made_for is used_as), (made_for, used_as)
    assert len({derive_key("secret", p) for p in Purpose}) == len(Purpose)


def test_signed_values_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    value = sign("secret", {"a": 1}, purpose=Purpose.PREFERENCE_LINK)
    monkeypatch.setattr(time, "time", lambda: 10**10)
    assert unsign("secret", value, purpose=Purpose.PREFERENCE_LINK, max_age=600) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/s/x/staff?a=1", "/s/x/staff?a=1"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
        ("relative/path", "/"),
    ],
)
def test_only_local_paths_are_returned_to(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_form_keeps_input_and_collects_errors() -> None:
    form = Form.from_mapping({"name": "  Школа  ", "code": ""}, ("name", "code", "missing"))
    assert form.value("name") == "Школа"
    assert form.require("code") == ""
    form.error("code", "second message is ignored")
    assert form.errors == {"code": "Заполните это поле."}
    assert not form.ok
