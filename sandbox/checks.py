"""System checks: a bad SANDBOX_CHAOS or settlement setting fails `manage.py check` (and
runserver) at start-up, not on the first API call or report it would break."""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sandbox import conf
from sandbox.services import chaos


@checks.register()
def check_chaos_setting(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        chaos.settings_rule()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="sandbox.E001")]
    return []


@checks.register()
def check_settlement_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for read in (conf.settlement_days, conf.fee_percent, conf.fee_tax_percent):
        try:
            read()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="sandbox.E002"))
    return errors
