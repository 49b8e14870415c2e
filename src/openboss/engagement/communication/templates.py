"""Message templates of customer communications, rendered in the customer's language.

The texts are English gettext message ids (marked with :func:`N_`, extracted
into ``openboss/locale`` by ``babel.cfg``); a message is rendered through the
catalog of its language (``zh-CN`` by default, ``en``). Parameters are
``%(name)s`` placeholders; a missing parameter renders empty, so a template
never fails for a value the caller did not have.

A template names the parameters that are **secret** (the access password):
:func:`render` returns the clear text for delivery and a masked copy for the
stored record.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from openboss.kit.errors import ValidationFailed

#: The gettext catalogs (shared with the console).
LOCALE_DIR: Final = Path(__file__).resolve().parents[2] / "locale"
DOMAIN: Final = "messages"
#: Languages a customer may receive messages in (BCP 47) and their catalogs.
LANGUAGES: Final[dict[str, str]] = {"zh-CN": "zh_CN", "en": "en"}
DEFAULT_LANGUAGE: Final = "zh-CN"
MASK: Final = "******"


def N_(message: str) -> str:
    """Mark a text for extraction; translated when rendered."""
    return message


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    subject: str
    body: str
    secret: frozenset[str] = frozenset()


TEMPLATES: Final[dict[str, Template]] = {
    t.id: t
    for t in (
        Template(
            "order.acknowledged",
            N_("Your order %(orderId)s was received"),
            N_(
                "Dear %(customerName)s, we have received your order %(orderId)s "
                "(%(offerings)s). We will keep you informed of its progress."
            ),
        ),
        Template(
            "order.appointment",
            N_("Installation visit for your order %(orderId)s"),
            N_(
                "Dear %(customerName)s, the installation visit for your order %(orderId)s "
                "is booked for %(when)s at %(address)s."
            ),
        ),
        Template(
            "order.accessCredentials",
            N_("Your broadband access account"),
            N_(
                "Dear %(customerName)s, your broadband account for order %(orderId)s is "
                "%(account)s, password %(password)s. Please keep it safe."
            ),
            frozenset({"password"}),
        ),
        Template(
            "order.completed",
            N_("Your order %(orderId)s is completed"),
            N_(
                "Dear %(customerName)s, your order %(orderId)s is completed and your "
                "services are ready to use. Thank you for choosing us."
            ),
        ),
        Template(
            "order.cancelled",
            N_("Your order %(orderId)s was cancelled"),
            N_("Dear %(customerName)s, your order %(orderId)s was cancelled. Reason: %(reason)s."),
        ),
        Template(
            "order.failed",
            N_("Your order %(orderId)s could not be completed"),
            N_(
                "Dear %(customerName)s, we could not complete your order %(orderId)s "
                "(%(reason)s). Our staff will contact you."
            ),
        ),
    )
}

#: The brand line an SMS starts with, per language.
SMS_PREFIX: Final = N_("[OpenBOSS] ")


def language_of(locale: str | None) -> str:
    """``zh-CN``/``zh_CN``/``zh``… → ``zh-CN``; ``en``/``en-US`` → ``en``; anything
    else is refused (400 naming ``locale``). ``None`` is the default language."""
    if locale is None or not locale.strip():
        return DEFAULT_LANGUAGE
    tag = locale.strip().replace("_", "-").lower()
    if tag == "zh" or tag.startswith(("zh-cn", "zh-hans")):
        return "zh-CN"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    raise ValidationFailed(
        f"locale '{locale}' is not offered; use one of {', '.join(LANGUAGES)}", field="locale"
    )


_lock = threading.Lock()
_catalogs: dict[str, tuple[float, NullTranslations]] = {}


def _catalog(language: str) -> NullTranslations:
    """The language's catalog, read from its ``.po`` file (re-read when it changes)."""
    code = LANGUAGES[language]
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        mtime = po.stat().st_mtime
    except OSError:
        return NullTranslations()
    with _lock:
        cached = _catalogs.get(code)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        with po.open("rb") as source:
            catalog = read_po(source, locale=code, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        translations = Translations(fp=buffer, domain=DOMAIN)
        _catalogs[code] = (mtime, translations)
        return translations


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def translate(language: str, message: str) -> str:
    return _catalog(language_of(language)).gettext(message)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    #: What is delivered.
    text: str
    #: What is stored and shown (equal to ``text`` unless a secret is in it).
    masked: str

    @property
    def has_secret(self) -> bool:
        return self.text != self.masked


def _fill(pattern: str, params: Mapping[str, Any]) -> str:
    values = _Params({k: "" if v is None else v for k, v in params.items()})
    try:
        return pattern % values
    except (TypeError, ValueError):  # a broken translation: fall back to the raw pattern
        return pattern


def render(template_id: str, params: Mapping[str, Any], language: str) -> Rendered:
    """Render ``template_id`` in ``language`` (400 naming ``template`` when unknown)."""
    template = TEMPLATES.get(template_id)
    if template is None:
        raise ValidationFailed(
            f"unknown template '{template_id}'; expected one of {', '.join(sorted(TEMPLATES))}",
            field="template",
        )
    catalog = _catalog(language_of(language))
    subject_pattern = catalog.gettext(template.subject)
    body_pattern = catalog.gettext(template.body)
    masked_params = {**params, **dict.fromkeys(template.secret, MASK)}
    return Rendered(
        subject=_fill(subject_pattern, masked_params),
        text=_fill(body_pattern, params),
        masked=_fill(body_pattern, masked_params),
    )
