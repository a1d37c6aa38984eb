"""The baselines every scenario is compared with, served by the same gunicorn as the shop.

- `baseline_insert`: one INSERT in one transaction and a tiny JSON answer, through the whole
  middleware stack: the practical ceiling for any write endpoint on this machine.
- `baseline_render`: the product list's own template with the same number of products, built in
  memory: what rendering the page costs without the database (the ceiling for browsing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

# Created (and dropped with its database) by bench/run.py, not by a migration: the bench app has
# no models, so that nothing of it reaches a deployment's schema.
BASELINE_TABLE = "bench_baseline_row"


@csrf_exempt
@require_POST
def baseline_insert(request: HttpRequest) -> JsonResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (payload) VALUES (%s) RETURNING id",  # noqa: S608
            [request.body[:200].decode("utf-8", errors="replace")],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id})


@dataclass(frozen=True)
class _FakeProduct:
    name: str
    slug: str
    price_paise: int
    stock: int
    image: str = ""
    image_alt: str = ""

    def get_absolute_url(self) -> str:
        return f"/products/{self.slug}/"


@require_GET
def baseline_render(request: HttpRequest) -> HttpResponse:
    count = max(0, min(int(request.GET.get("n", "24") or 24), 1000))
    products = [
        _FakeProduct(
            name=f"Bench Product {i:04d}", slug=f"bench-{i:04d}", price_paise=49900 + i, stock=50
        )
        for i in range(count)
    ]
    return render(request, "shop/product_list.html", {"products": products})
