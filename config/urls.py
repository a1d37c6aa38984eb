from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from ops import views as ops_views

admin.site.site_header = f"{settings.SHOP_NAME} operations"
admin.site.site_title = f"{settings.SHOP_NAME} admin"

urlpatterns: list[URLPattern | URLResolver] = [
    # Liveness and readiness probes (no trailing slash, as probes are usually configured).
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    # Before admin.site.urls, which would otherwise take admin/backoffice/... as its own.
    path("admin/backoffice/", include("backoffice.urls")),
    path("admin/", admin.site.urls),
    # Before payments.urls, which owns orders/<token>/: invoice downloads live under it.
    path("", include("invoicing.urls")),
    path("", include("payments.urls")),
    path("", include("shop.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.insert(0, path("sandbox/", include("sandbox.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.SERVE_MEDIA:  # `make run-prod`: static() serves nothing when DEBUG is off
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

# A database outage becomes a friendly 503 page; every other error the usual 500 page.
handler500 = "ops.views.server_error"

if settings.BENCH_BASELINE:  # `make bench` only: the baseline views (bench/README.md)
    urlpatterns.insert(0, path("bench/", include("bench.urls")))
