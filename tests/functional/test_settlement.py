"""The gateway's settlement file, downloaded from the sandbox and uploaded by finance: the shop
shows the payment settled, with its UTR, on the order's page."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from django.contrib.auth.models import Group, User

from payments.models import Order
from payments.roles import ensure_roles
from tests.factories import ProductFactory
from tests.functional.shopper import Shopper

pytestmark = pytest.mark.functional


@pytest.fixture
def finance(shop_url: str) -> Iterator[Shopper]:
    ensure_roles()
    User.objects.create_user("fin", password="pw-12345678", is_staff=True).groups.add(
        Group.objects.get(name="finance")
    )
    browser = Shopper(shop_url)
    login = browser.get("/admin/login/?next=/admin/")
    browser.submit(login, "#login-form", {"username": "fin", "password": "pw-12345678"})
    yield browser
    browser.close()


def test_a_sandbox_settlement_file_marks_the_payment_settled(
    shopper: Shopper, finance: Shopper, shop_url: str
) -> None:
    ProductFactory.create(slug="assam", price_paise=44900, stock=5)
    shopper.add_to_cart("assam", 3)
    shopper.pay_on_gateway(shopper.checkout(), "upi", vpa="success@ybl")
    order = Order.objects.get()
    payment = order.payments.get()
    # When does the gateway pay this out? Ask the sandbox (keeping the completion time as it is).
    when = requests.post(
        f"{shop_url}/sandbox/pg/_control/orders/{payment.merchant_order_id}/backdate",
        json={"completedAt": int(time.time() * 1000)},
        timeout=10,
    ).json()
    report = requests.get(
        f"{shop_url}/sandbox/settlements/{when['settlementDate']}.csv", timeout=10
    )
    assert report.status_code == 200
    assert payment.merchant_order_id in report.text

    upload = finance.get("/admin/backoffice/settlements/upload/")
    form = upload.form("form.bo-form")
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]  # type: ignore[index]
    done = finance.session.post(
        upload.url,
        data={"csrfmiddlewaretoken": token},
        files={"file": ("settlement.csv", report.content, "text/csv")},
        headers={"Referer": upload.url},
        timeout=30,
    )

    assert done.status_code == 200
    page = finance.get(f"/admin/payments/order/{order.pk}/change/")
    assert "Settlement" in page.text
    assert "Settled" in page.text
    utr = report.text.strip().splitlines()[1].rsplit(",", 1)[1]
    assert utr in page.text
    assert "₹1,347.00" in page.text
