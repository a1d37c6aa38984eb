"""Optional customer accounts: sign up, sign in, order history. Guest checkout stays the default."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods


class SignUpForm(UserCreationForm):
    """An account is an email address and a password; the email is the username."""

    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta:
        model = User
        fields = ("full_name", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("username", None)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Sign in instead."
            )
        return email

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.username = user.email = self.cleaned_data["email"]
        user.first_name = " ".join(self.cleaned_data["full_name"].split())
        if commit:
            user.save()
        return user


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else fallback


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("shop:account_orders")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request, "/"))
    context = {"form": form, "next": _safe_next(request, "")}
    return render(request, "registration/signup.html", context)


@login_required
def account_orders(request: HttpRequest) -> HttpResponse:
    orders = request.user.orders.order_by("-created_at")  # type: ignore[union-attr]
    return render(request, "shop/account_orders.html", {"orders": orders})
