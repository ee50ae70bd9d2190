"""Personal data: PRC ID numbers checked, stored so a database dump does not show them, masked.

An ID number 居民身份证号码 has 18 characters: a 6-digit area code, the birth date (YYYYMMDD), a
3-digit sequence whose last digit is odd for men and even for women, and a check character
computed with ISO 7064 MOD 11-2 (``0``–``9`` or ``X``).

It is stored twice and never in clear: an HMAC-SHA256 keyed hash (unique, so a duplicate is
found and a number can be looked up without decrypting anything) and an AES-GCM sealed copy (for
the rare need to recover it). Both keys are derived from ``settings.data_key``, which is not the
token key. Outside the service it only ever appears masked: ``3505**********1234``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nameko.extensions import DependencyProvider

from shared.config import settings_from_container
from shared.errors import InvalidInput

ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_SEAL_CONTEXT = b"linli:id_number:v1"


@dataclass(frozen=True)
class IdNumber:
    """A valid ID number, normalised (upper-case X), with what it says about its holder."""

    value: str
    birth_date: date
    gender: str  # "male" | "female"

    def __repr__(self) -> str:  # never in a log or a traceback in clear
        return f"IdNumber({mask_id_number(self.value)})"

    __str__ = __repr__


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_id_number(raw, field: str = "id_number", today: date | None = None) -> IdNumber:
    """The ID number checked (format, birth date, check digit), or ``InvalidInput`` naming
    ``field``. The message never repeats the number."""
    if not isinstance(raw, str):
        raise InvalidInput(f"{field}: must be a string of 18 characters", field=field)
    value = raw.strip().upper()
    if not ID_PATTERN.fullmatch(value):
        raise InvalidInput(f"{field}: an ID number has 17 digits and a digit or X", field=field)
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidInput(f"{field}: the birth date inside the ID number is not a date",
                           field=field) from None
    if born.year < 1880 or born > (today or date.today()):
        raise InvalidInput(f"{field}: the birth date inside the ID number is impossible",
                           field=field)
    if check_digit(value[:17]) != value[17]:
        raise InvalidInput(f"{field}: the check digit does not match (mistyped?)", field=field)
    return IdNumber(value, born, "male" if int(value[16]) % 2 else "female")


def mask_id_number(value: str) -> str:
    """``3505**********1234``: the first 4 and the last 4 characters."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def check_phone(raw: str, field: str = "phone") -> str:
    value = raw.strip().replace(" ", "")
    if not PHONE_PATTERN.fullmatch(value):
        raise InvalidInput(f"{field}: a mobile number (11 digits) or a landline like "
                           f"0595-22881234", field=field)
    return value


def mask_phone(value: str | None) -> str | None:
    """``138****5678``: a mobile's first 3 and last 4; a landline keeps its area code."""
    if not value:
        return value
    if "-" in value:
        area, number = value.split("-", 1)
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


class PersonalData:
    """Keyed hashing and sealing of ID numbers, with keys derived from the data key."""

    def __init__(self, data_key: str):
        if not data_key or len(data_key) < 16:
            raise ValueError("the data key must be at least 16 characters")
        master = data_key.encode()
        self._hash_key = self._derive(master, b"linli id_number hash")
        self._aead = AESGCM(self._derive(master, b"linli id_number seal"))

    @staticmethod
    def _derive(master: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"linli", info=info).derive(master)

    def id_hash(self, id_number: IdNumber | str) -> str:
        value = id_number.value if isinstance(id_number, IdNumber) else id_number
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()

    def seal(self, id_number: IdNumber | str) -> str:
        value = id_number.value if isinstance(id_number, IdNumber) else id_number
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode(), _SEAL_CONTEXT)
        return base64.b64encode(nonce + sealed).decode()

    def unseal(self, sealed: str) -> str:
        try:
            raw = base64.b64decode(sealed.encode(), validate=True)
            return self._aead.decrypt(raw[:12], raw[12:], _SEAL_CONTEXT).decode()
        except (ValueError, InvalidTag) as exc:
            raise ValueError("the sealed ID number cannot be opened with this data key") from exc

    def __repr__(self) -> str:
        return "PersonalData(<keys hidden>)"


class PersonalDataProvider(DependencyProvider):
    """Injects the service's ``PersonalData`` (keys from the container's settings)."""

    def setup(self):
        self.personal_data = PersonalData(settings_from_container(self.container.config).data_key)

    def get_dependency(self, worker_ctx):
        return self.personal_data


def mask_name(name: str) -> str:
    """张三明 → 张*明, 王五 → 王*, 欧阳娜娜 → 欧**娜, John Smith → J*** S****: enough for the
    holder to recognise, too little to identify a stranger."""
    name = (name or "").strip()
    if not name:
        return ""
    words = name.split()
    if len(words) > 1:  # a name in Latin letters: each word's initial
        return " ".join(word[0] + "*" * (len(word) - 1) for word in words)
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
