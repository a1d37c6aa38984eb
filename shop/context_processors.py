from django.conf import settings
from django.http import HttpRequest

from shop.cart import Cart


def shop(request: HttpRequest) -> dict[str, object]:
    return {"shop_name": settings.SHOP_NAME, "cart_count": len(Cart(request.session))}
