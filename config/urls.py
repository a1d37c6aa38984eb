from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

admin.site.site_header = f"{settings.SHOP_NAME} operations"
admin.site.site_title = f"{settings.SHOP_NAME} admin"

urlpatterns: list[URLPattern | URLResolver] = [
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
