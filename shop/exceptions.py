class ShopError(Exception):
    message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class EmptyCart(ShopError):
    message = "Your cart is empty."


class OutOfStock(ShopError):
    def __init__(self, product_name: str, available: int) -> None:
        self.product_name = product_name
        self.available = available
        if available <= 0:
            text = f"Sorry, {product_name} just sold out."
        else:
            text = f"Sorry, only {available} of {product_name} left. Please update your cart."
        super().__init__(text)
