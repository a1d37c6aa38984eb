"""A shopper's browser, as far as HTTP goes: cookies, forms with CSRF tokens, redirects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlparse

import requests
from bs4 import BeautifulSoup, Tag

DETAILS = {
    "full_name": "Asha Rao",
    "email": "asha@example.test",
    "phone": "98765 43210",
    "address_line1": "12 MG Road",
    "address_line2": "Near the metro",
    "city": "Bengaluru",
    "state": "Karnataka",
    "postal_code": "560001",
}


@dataclass
class Page:
    response: requests.Response

    @property
    def url(self) -> str:
        return self.response.url

    @property
    def path(self) -> str:
        return urlparse(self.response.url).path

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.response.text, "html.parser")

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        return " ".join(self.soup.get_text(" ").split())

    def form(self, selector: str = "form") -> Tag:
        form = self.soup.select_one(selector)
        if form is None:
            raise AssertionError(f"no form {selector!r} on {self.url}:\n{self.text[:500]}")
        return form


class Shopper:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def get(self, path_or_url: str) -> Page:
        return Page(self.session.get(urljoin(self.base_url + "/", path_or_url), timeout=30))

    def submit(
        self,
        page: Page,
        selector: str = "form",
        data: dict[str, Any] | None = None,
        *,
        follow: bool = True,
    ) -> Page:
        """Fill a form the way a browser would (its own fields, then ours) and send it."""
        form = page.form(selector)
        fields: dict[str, Any] = {}
        for element in form.select("input[name], select[name], textarea[name]"):
            name = str(element["name"])
            if element.name == "select":
                chosen = element.select_one("option[selected]") or element.select_one("option")
                fields[name] = chosen.get("value", "") if chosen else ""
            elif element.get("type") in ("checkbox", "radio"):
                if element.has_attr("checked"):
                    fields[name] = element.get("value", "on")
            elif element.get("type") not in ("submit", "button"):
                fields[name] = element.get("value", "")
        fields.update(data or {})
        action = urljoin(page.url, str(form.get("action") or page.url))
        method = str(form.get("method") or "get").lower()
        if method == "post":
            response = self.session.post(
                action,
                data=fields,
                headers={"Referer": page.url},
                timeout=30,
                allow_redirects=follow,
            )
        else:
            response = self.session.get(action, params=fields, timeout=30, allow_redirects=follow)
        return Page(response)

    # --- the steps a shopper takes --------------------------------------------------------------

    def add_to_cart(self, slug: str, quantity: int = 1) -> Page:
        page = self.get(f"/products/{slug}/")
        assert page.status == 200, page.status
        return self.submit(page, "form.add-form", {"quantity": quantity})

    def checkout(
        self, details: dict[str, str] | None = None, extra: dict[str, Any] | None = None
    ) -> Page:
        """Fill in the details and press Pay; returns the page the shop sent the browser to."""
        page = self.get("/checkout/")
        assert page.path == "/checkout/", f"checkout redirected to {page.url}"
        return self.submit(page, "form.checkout-form", {**(details or DETAILS), **(extra or {})})

    def pay_on_gateway(
        self, pay_page: Page, method: str = "upi", *, follow: bool = True, **fields: str
    ) -> Page:
        """On the sandbox's hosted page, choose a method, fill it in and press Pay."""
        assert "/sandbox/pay/" in pay_page.url, f"not on the gateway's page: {pay_page.url}"
        if method != "upi":
            tab = pay_page.soup.select_one(f'nav.tabs a[href*="method={method}"]')
            assert tab is not None, f"no {method} tab on the pay page"
            pay_page = self.get(urljoin(pay_page.url, str(tab["href"])))
        return self.submit(pay_page, "form.method-form", fields, follow=follow)

    def cancel_on_gateway(self, pay_page: Page) -> Page:
        return self.submit(pay_page, "form.cancel-form")
