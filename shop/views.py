"""Storefront views: catalogue, cart, checkout. Thin: parse input, call a service, render."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ops.ratelimit import rate_limit
from payments.access import order_grant_session_access, orders_awaiting_payment
from payments.exceptions import PaymentsError
from payments.models import Order
from payments.services.payments import payment_start
from payments.views import site_url
from shop.cart import Cart
from shop.exceptions import ShopError
from shop.forms import CartQuantityForm, CheckoutForm
from shop.models import Product
from shop.services import checkout_place_order

CHECKOUT_TOKEN_KEY = "checkout_token"  # noqa: S105 (a session key name)
CHECKOUT_DONE_KEY = "checkout_done"


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    # Only what a product card shows: the description can be long, and the list is the busiest page.
    products = (
        Product.objects.filter(is_active=True)
        .only("slug", "name", "price_paise", "stock", "image", "image_alt")
        .order_by("name", "pk")
    )
    # A page of the catalogue whatever its size (a page number out of range shows the nearest).
    page = Paginator(products, settings.SHOP_PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "shop/product_list.html", {"products": page.object_list, "page": page})


@require_GET
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(Product, slug=slug, is_active=True)
    in_cart = Cart(request.session).quantity_of(product)
    return render(request, "shop/product_detail.html", {"product": product, "in_cart": in_cart})


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    context = {"cart": Cart(request.session), "open_orders": orders_awaiting_payment(request)}
    return render(request, "shop/cart.html", context)


def _quantity(request: HttpRequest, default: int) -> int | None:
    form = CartQuantityForm({"quantity": request.POST.get("quantity", default)})
    return form.cleaned_data["quantity"] if form.is_valid() else None


@require_POST
def cart_add(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    quantity = _quantity(request, default=1)
    if not quantity:
        messages.error(request, "Choose a quantity of at least 1.")
        return redirect(product)
    cart = Cart(request.session)
    wanted = cart.quantity_of(product) + quantity
    kept = cart.add(product, quantity)
    if product.stock == 0:
        messages.error(request, f"Sorry, {product.name} is sold out.")
    elif kept < wanted:
        messages.warning(
            request, f"Only {kept} of {product.name} can be ordered; your cart has {kept}."
        )
    else:
        messages.success(request, f"Added {product.name} to your cart.")
    return redirect("shop:cart")


@require_POST
def cart_update(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id)
    quantity = _quantity(request, default=-1)
    if quantity is None:
        messages.error(request, "Enter a quantity between 0 and 99.")
        return redirect("shop:cart")
    kept = Cart(request.session).set(product, quantity)
    if kept < quantity:
        messages.warning(
            request, f"Only {kept} of {product.name} available; quantity set to {kept}."
        )
    elif kept == 0:
        messages.info(request, f"Removed {product.name} from your cart.")
    else:
        messages.success(request, f"Updated {product.name}.")
    return redirect("shop:cart")


@require_POST
def cart_remove(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id)
    Cart(request.session).remove(product)
    messages.info(request, f"Removed {product.name} from your cart.")
    return redirect("shop:cart")


def _checkout_token(request: HttpRequest) -> str:
    token = request.session.get(CHECKOUT_TOKEN_KEY)
    if not token:
        token = secrets.token_urlsafe(16)
        request.session[CHECKOUT_TOKEN_KEY] = token
    return str(token)


@rate_limit("checkout")  # submissions per address: each one reserves stock
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    cart = Cart(request.session)
    if request.method == "POST":
        submitted = request.POST.get("checkout_token", "")
        done = request.session.get(CHECKOUT_DONE_KEY, {})
        if submitted and submitted in done:
            # The Pay button was pressed twice: the first press placed the order already.
            order = Order.objects.filter(number=done[submitted]).first()
            if order is not None:
                return redirect(order.get_access_url())
    if not cart.lines():
        messages.info(request, "Your cart is empty.")
        return redirect("shop:cart")

    form = CheckoutForm(
        request.POST or None,
        initial={"payment_mode": settings.PAYMENTS_CHECKOUT_MODE, **_known_details(request)},
    )
    if request.method == "POST" and form.is_valid():
        if request.POST.get("checkout_token") != _checkout_token(request):
            form.add_error(
                None, "Your checkout page was out of date. Please check and press Pay again."
            )
        else:
            return _place_order_and_pay(request, cart, form)
    return render(
        request,
        "shop/checkout.html",
        {"form": form, "cart": cart, "checkout_token": _checkout_token(request)},
    )


def _known_details(request: HttpRequest) -> dict[str, str]:
    """A signed-in customer's name, email and last address, to save them typing."""
    user = request.user
    if not user.is_authenticated:
        return {}
    details = {"full_name": user.get_full_name(), "email": user.email}
    last = Order.objects.filter(customer=user).order_by("-created_at").first()
    if last is not None:
        for field in ("full_name", "phone", "address_line1", "address_line2", "city", "state"):
            details[field] = getattr(last, field)
        details["postal_code"] = last.postal_code
    return {k: v for k, v in details.items() if v}


def _place_order_and_pay(request: HttpRequest, cart: Cart, form: CheckoutForm) -> HttpResponse:
    account = request.user if request.user.is_authenticated else None
    try:
        order = checkout_place_order(cart=cart, customer=form.customer(), account=account)
    except ShopError as exc:
        messages.error(request, exc.message)
        return redirect("shop:cart")
    token = request.session.pop(CHECKOUT_TOKEN_KEY)
    request.session[CHECKOUT_DONE_KEY] = {
        **dict(list(request.session.get(CHECKOUT_DONE_KEY, {}).items())[-4:]),
        token: order.number,
    }
    order_grant_session_access(request, order)
    cart.clear()
    try:
        payment = payment_start(order=order, site_url=site_url(request))
    except PaymentsError as exc:
        messages.error(request, exc.message)
        return redirect(order.get_access_url())
    if (form.cleaned_data.get("payment_mode") or settings.PAYMENTS_CHECKOUT_MODE) == "embedded":
        pay_step = reverse("payments:order_pay", kwargs={"token": order.access_token})
        return redirect(f"{pay_step}?start=1")
    return redirect(payment.redirect_url)
