"""The log redactor's guarantees, as properties (hypothesis) and as examples."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops.redact import configured_secrets, redact

QUICK = settings(max_examples=300, deadline=None, database=None)
# Text around the personal data: anything printable, but not glued to it by letters or digits
# (an address inside a longer word is not an address).
filler = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs", "S"]), max_size=40
).map(lambda s: f"{s} " if s else s)
local_part = st.from_regex(r"[a-z0-9][a-z0-9._+\-]{0,20}", fullmatch=True)
domain = st.from_regex(r"[a-z0-9][a-z0-9\-]{0,15}\.(test|in|com|co\.in)", fullmatch=True)
mobile = st.from_regex(r"[6-9][0-9]{9}", fullmatch=True)


@QUICK
@given(before=filler, after=filler, local=local_part, host=domain)
def test_no_email_survives(before: str, after: str, local: str, host: str) -> None:
    email = f"{local}@{host}"

    masked = redact(f"{before}{email} {after}")

    assert email not in masked


@QUICK
@given(
    before=filler,
    after=filler,
    number=mobile,
    style=st.sampled_from(["{n}", "+91{n}", "+91 {n}", "91-{n}", "0{n}", "{a} {b}", "{a}-{b}"]),
)
def test_no_indian_mobile_number_survives(before: str, after: str, number: str, style: str) -> None:
    written = style.format(n=number, a=number[:5], b=number[5:])

    masked = redact(f"{before}{written} {after}")

    assert number[-5:] not in masked.replace(before, "").replace(after, "")
    assert "[phone]" in masked


@QUICK
@given(text=st.text(max_size=200), secret=st.text(min_size=8, max_size=40))
def test_a_configured_secret_never_survives(text: str, secret: str) -> None:
    masked = redact(f"{text}{secret}{text}", secrets=[secret])

    assert secret not in masked


@settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(text=st.text(max_size=300))
def test_masking_is_idempotent_and_never_fails(text: str) -> None:
    once = redact(text, secrets=["s3cret-value"], personal=["Asha Rao"])

    assert redact(once, secrets=["s3cret-value"], personal=["Asha Rao"]) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Authorization: O-Bearer eyJhbGciOi.abc.def", "Authorization: [redacted]"),
        ('{"client_secret": "abc123xyz", "x": 1}', '{"client_secret": "[redacted]", "x": 1}'),
        ("password=hunter22&user=asha", "password=[redacted]&user=asha"),
        ("card 4111 1111 1111 1111 declined", "card [card] declined"),
        ("GET /orders/LL-261127-7KQ2M:sig_abc123/ 200", "GET /orders/[token]/ 200"),
        ("UPI 9876543210@ybl", "UPI [phone]@ybl"),
    ],
)
def test_known_shapes_are_masked(raw: str, expected: str) -> None:
    assert redact(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "phonepe GET /checkout/v2/order/LL-261127-7KQ2M-P1-3FA0/status -> 200 in 12 ms",
        "amount 44900 paise, expires 1742457386759",
        "transaction OM2503181227123456789 completed",
        "invoice LL/26-27/000001 issued",
    ],
)
def test_ordinary_operational_text_is_left_alone(kept: str) -> None:
    assert redact(kept) == kept


def test_the_settings_secrets_are_known(settings: object) -> None:
    configured_secrets.cache_clear()
    try:
        known = configured_secrets()
    finally:
        configured_secrets.cache_clear()

    from django.conf import settings as django_settings

    assert django_settings.SECRET_KEY in known
    assert django_settings.PHONEPE_WEBHOOK_PASSWORD in known
    assert django_settings.PHONEPE_CLIENT_SECRET in known
