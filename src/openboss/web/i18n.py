"""Console languages: Babel catalogs, locale negotiation, local time and numbers.

The console speaks Simplified Chinese (``zh_CN``, the default of the
operators this system was designed with) and English (``en``). Every text a
person reads goes through the gettext catalogs under ``openboss/locale``;
``messages.pot`` is extracted from the templates and the console's Python
code with ``pybabel extract -F babel.cfg`` and each language's ``.po`` file
is compiled to a ``.mo`` file by :func:`compile_catalogs` (at install time,
or lazily on first use in a development checkout).

Jinja templates get their translations through ``jinja2.ext.i18n``: there is
one :class:`jinja2.Environment` per language, built once, with that
language's catalog installed, so concurrent requests in different languages
never share mutable translation state.

Times are stored in UTC and shown in the operator's local time zone
(:data:`DEFAULT_TIMEZONE`, or the ``console_timezone`` setting when the
settings define one); dates and numbers are formatted with the language's
CLDR conventions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

#: Where the gettext catalogs live: ``<LOCALE_DIR>/<locale>/LC_MESSAGES/messages.po``.
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"
#: The gettext domain of every console text.
DOMAIN: Final = "messages"
#: Languages the console offers, in the order of the language menu.
LOCALES: Final[tuple[str, ...]] = ("zh_CN", "en")
#: What each language is called in its own language (shown in the switcher).
LOCALE_NAMES: Final[dict[str, str]] = {"zh_CN": "简体中文", "en": "English"}
#: The BCP 47 tag of each language, for ``<html lang>`` and ``Content-Language``.
LOCALE_TAGS: Final[dict[str, str]] = {"zh_CN": "zh-CN", "en": "en"}
#: Time zone the console shows times in unless the settings name another
#: (``console_timezone``). Storage is always UTC.
DEFAULT_TIMEZONE: Final = "Asia/Shanghai"

_compile_lock = threading.Lock()


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalog without translating it now.

    Used for texts defined at import time (navigation labels, field error
    texts) that are translated when a page is rendered in a language.
    """
    return message


def normalise_locale(value: str | None) -> str | None:
    """Map ``zh-CN``, ``zh_cn``, ``zh-Hans``, ``zh``, ``en-US``... to a console locale.

    Returns ``None`` for anything the console does not speak.
    """
    if not value:
        return None
    tag = value.strip().replace("-", "_")
    if not tag:
        return None
    for loc in LOCALES:
        if tag.lower() == loc.lower():
            return loc
    primary = tag.split("_", 1)[0].lower()
    if primary == "zh":
        # Traditional-script variants are not offered; Simplified is the nearest.
        return "zh_CN"
    if primary == "en":
        return "en"
    return None


def _parse_accept_language(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, best first (RFC 9110 §12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and tag.strip() and tag.strip() != "*":
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def locale_from_accept_language(header: str | None) -> str | None:
    """The console locale a browser prefers most, or ``None`` if it prefers none of them."""
    if not header:
        return None
    # Best quality first; the first tag the console can serve wins (a regional or
    # script variant is served by its language: en-GB → en, zh-Hans → zh_CN).
    for tag in _parse_accept_language(header):
        loc = normalise_locale(tag)
        if loc:
            return loc
    return None


def choose_locale(
    *,
    requested: str | None,
    cookie: str | None,
    user_locale: str | None,
    accept_language: str | None,
    default: str,
) -> str:
    """The language of one page: explicit choice, then cookie, user, browser, default."""
    for candidate in (requested, cookie, user_locale):
        loc = normalise_locale(candidate)
        if loc:
            return loc
    return locale_from_accept_language(accept_language) or normalise_locale(default) or LOCALES[0]


def catalog_paths(locale: str, locale_dir: Path = LOCALE_DIR) -> tuple[Path, Path]:
    """The ``.po`` source and ``.mo`` compiled catalog of ``locale``."""
    base = locale_dir / locale / "LC_MESSAGES"
    return base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"


def compile_catalogs(locale_dir: Path = LOCALE_DIR, *, force: bool = True) -> list[Path]:
    """Compile every ``<locale>/LC_MESSAGES/messages.po`` under ``locale_dir`` to ``.mo``.

    Called by the build step (``python -m openboss.web.build``). With
    ``force=False`` only missing or outdated ``.mo`` files are written, which
    is what a development checkout does lazily on first use. Fuzzy entries
    are not compiled (an unreviewed translation falls back to the English
    source text). Returns the ``.mo`` files written.
    """
    written: list[Path] = []
    with _compile_lock:
        for po_path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            mo_path = po_path.with_suffix(".mo")
            if (
                not force
                and mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            ):
                continue
            with po_path.open("rb") as source:
                catalog = read_po(source, locale=po_path.parent.parent.name, domain=DOMAIN)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as target:
                write_mo(target, catalog, use_fuzzy=False)
            tmp.replace(mo_path)
            written.append(mo_path)
    return written


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (compiled first if missing or stale), cached."""
    return load_translations(locale)


def load_translations(locale: str, locale_dir: Path | None = None) -> NullTranslations:
    """Load ``locale``'s catalog from ``locale_dir``, compiling the ``.mo`` file if needed.

    A read-only installation that lacks compiled catalogs compiles them in memory.
    """
    if locale not in LOCALES:
        raise ValueError(f"unsupported console locale {locale!r}; use one of {LOCALES}")
    directory = locale_dir if locale_dir is not None else LOCALE_DIR
    po_path, mo_path = catalog_paths(locale, directory)
    if po_path.exists() and (
        not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime
    ):
        try:
            compile_catalogs(directory, force=False)
        except OSError:
            with po_path.open("rb") as source:
                catalog = read_po(source, locale=locale, domain=DOMAIN)
            buffer = BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            return Translations(fp=buffer, domain=DOMAIN)
    return Translations.load(str(directory), [locale], DOMAIN)


def gettext_for(locale: str) -> Callable[..., str]:
    """A ``_`` for Python code rendering in ``locale``: ``_("Hello %(name)s", name=x)``.

    Like the templates' new-style gettext, keyword arguments are interpolated
    after translation.
    """
    catalog = translations(locale)

    def _(message: str, **params: Any) -> str:
        text = catalog.gettext(message)
        return text % params if params else text

    return _


@cache
def babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(value: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """A stored (UTC) time as wall-clock time in ``timezone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(timezone))


def format_datetime(
    value: datetime | None, locale: str, timezone: str = DEFAULT_TIMEZONE, fmt: str = "medium"
) -> str:
    """Date and time in the language's convention and the local time zone."""
    if value is None:
        return ""
    return babel_format_datetime(to_local(value, timezone), fmt, locale=babel_locale(locale))


def format_date(
    value: datetime | None, locale: str, timezone: str = DEFAULT_TIMEZONE, fmt: str = "medium"
) -> str:
    if value is None:
        return ""
    return babel_format_date(to_local(value, timezone).date(), fmt, locale=babel_locale(locale))


def format_number(value: float | int | None, locale: str) -> str:
    """A number with the language's grouping and decimal signs."""
    if value is None:
        return ""
    return format_decimal(value, locale=babel_locale(locale))


def local_day_start(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """Midnight of ``now``'s local day, as a UTC instant ("today" for an operator)."""
    local = to_local(now, timezone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)


def catalog_msgids(locale: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """``msgid → msgstr`` of a ``.po`` file (plural entries keyed by their singular)."""
    po_path, _ = catalog_paths(locale, locale_dir)
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    out: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string
        if isinstance(value, tuple | list):
            out[key] = "" if not all(value) or message.fuzzy else str(value[0])
        else:
            out[key] = "" if message.fuzzy else str(value or "")
    return out


def untranslated(locale: str, msgids: Iterable[str], locale_dir: Path = LOCALE_DIR) -> list[str]:
    """The msgids that ``locale``'s catalog lacks or leaves empty or fuzzy."""
    known = catalog_msgids(locale, locale_dir)
    return sorted(m for m in msgids if not known.get(m))
