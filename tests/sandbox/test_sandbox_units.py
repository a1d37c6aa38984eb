"""Small pure pieces: rupee formatting, the production guard."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from sandbox.money import format_inr


@pytest.mark.parametrize(
    ("amount_paise", "expected"),
    [
        (100, "₹1.00"),
        (149900, "₹1,499.00"),
        (99999, "₹999.99"),
        (100000, "₹1,000.00"),
        (12345678, "₹1,23,456.78"),
        (1234567801, "₹1,23,45,678.01"),
        (10000000000, "₹10,00,00,000.00"),
        (5, "₹0.05"),
    ],
)
def test_format_inr_uses_indian_grouping(amount_paise, expected):
    assert format_inr(amount_paise) == expected


def test_sandbox_refuses_to_start_with_production_phonepe(settings):
    settings.PHONEPE_ENV = "production"

    with pytest.raises(ImproperlyConfigured, match="PHONEPE_ENV=production"):
        apps.get_app_config("sandbox").ready()


def test_sandbox_starts_with_the_sandbox_environment(settings):
    settings.PHONEPE_ENV = "sandbox"

    apps.get_app_config("sandbox").ready()
