"""GST state codes: the first two digits of a GSTIN, and how place of supply is printed."""

from __future__ import annotations

import re

# The codes of the GST portal. 25 (Daman and Diu) and 28 (undivided Andhra Pradesh) are no
# longer issued; the shop's checkout offers the current names only.
GST_STATE_CODES: dict[str, str] = {
    "Jammu and Kashmir": "01",
    "Himachal Pradesh": "02",
    "Punjab": "03",
    "Chandigarh": "04",
    "Uttarakhand": "05",
    "Haryana": "06",
    "Delhi": "07",
    "Rajasthan": "08",
    "Uttar Pradesh": "09",
    "Bihar": "10",
    "Sikkim": "11",
    "Arunachal Pradesh": "12",
    "Nagaland": "13",
    "Manipur": "14",
    "Mizoram": "15",
    "Tripura": "16",
    "Meghalaya": "17",
    "Assam": "18",
    "West Bengal": "19",
    "Jharkhand": "20",
    "Odisha": "21",
    "Chhattisgarh": "22",
    "Madhya Pradesh": "23",
    "Gujarat": "24",
    "Dadra and Nagar Haveli and Daman and Diu": "26",
    "Maharashtra": "27",
    "Karnataka": "29",
    "Goa": "30",
    "Lakshadweep": "31",
    "Kerala": "32",
    "Tamil Nadu": "33",
    "Puducherry": "34",
    "Andaman and Nicobar Islands": "35",
    "Telangana": "36",
    "Andhra Pradesh": "37",
    "Ladakh": "38",
}


def _key(name: str) -> str:
    """Compare names loosely: 'tamil  nadu', 'Tamil Nadu' and 'Jammu & Kashmir' all match."""
    return re.sub(r"\s+", " ", name.replace("&", " and ")).strip().casefold()


_BY_KEY = {_key(name): code for name, code in GST_STATE_CODES.items()}


def state_code(name: str) -> str:
    """The GST code of a state or union territory by name; '' when the name is not known."""
    return _BY_KEY.get(_key(name), "")


def same_state(a: str, b: str) -> bool:
    """Whether two state names are one state (by code when known, else by name)."""
    code_a, code_b = state_code(a), state_code(b)
    if code_a and code_b:
        return code_a == code_b
    return _key(a) == _key(b)


def state_with_code(name: str) -> str:
    """'Karnataka' -> 'Karnataka (29)'; an unknown name is printed as given."""
    code = state_code(name)
    return f"{name} ({code})" if code else name


# GSTIN: 2-digit state code, 10-character PAN, entity number, 'Z', check character.
GSTIN_PATTERN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
_GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin_check_character(first_fourteen: str) -> str:
    """The GSTIN's 15th character: a base-36 Luhn-style checksum of the first fourteen."""
    total = 0
    for position, char in enumerate(first_fourteen):
        product = _GSTIN_ALPHABET.index(char) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_ALPHABET[(36 - total % 36) % 36]
