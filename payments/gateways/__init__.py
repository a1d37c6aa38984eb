"""Gateway adapters behind one interface, selected by settings.PAYMENTS_GATEWAY."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from payments.gateways.base import Gateway


def get_gateway() -> Gateway:
    return _build_gateway(
        settings.PAYMENTS_GATEWAY,
        settings.PHONEPE_BASE_URL,
        settings.PHONEPE_AUTH_BASE_URL,
        settings.PHONEPE_CLIENT_ID,
        settings.PHONEPE_CLIENT_VERSION,
        settings.PHONEPE_CLIENT_SECRET,
        (settings.PHONEPE_CONNECT_TIMEOUT, settings.PHONEPE_READ_TIMEOUT),
        settings.PHONEPE_WEBHOOK_USERNAME,
        settings.PHONEPE_WEBHOOK_PASSWORD,
    )


@cache
def _build_gateway(
    name: str,
    base_url: str,
    auth_base_url: str,
    client_id: str,
    client_version: str,
    client_secret: str,
    timeout: tuple[float, float],
    webhook_username: str,
    webhook_password: str,
) -> Gateway:
    # One instance per configuration, so its token cache is shared by every call in the process.
    if name == "phonepe":
        from payments.gateways.phonepe import PhonePeConfig, PhonePeGateway

        return PhonePeGateway(
            PhonePeConfig(
                base_url=base_url,
                auth_base_url=auth_base_url,
                client_id=client_id,
                client_version=client_version,
                client_secret=client_secret,
                timeout=timeout,
                webhook_username=webhook_username,
                webhook_password=webhook_password,
            )
        )
    raise ValueError(f"Unknown payment gateway {name!r} (settings.PAYMENTS_GATEWAY).")
