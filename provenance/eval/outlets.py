"""The generated outlets: names, domains, languages and how their pages look.

The roster is fixed: eight multilingual portals and agencies, six English
outlets and two national outlets for each other language. Each outlet's
``style`` picks its page template in :mod:`provenance.eval.templates`, from
semantic markup with full metadata to bare ``<div>`` soup or plain-text records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["OUTLETS", "Outlet", "outlets_for"]

_ALL = ("en", "de", "es", "fr", "it", "ru", "zh", "pl", "tr", "ar")


@dataclass(frozen=True, slots=True)
class Outlet:
    """A generated news outlet.

    Attributes:
        name: Display name (also its ``og:site_name``).
        domain: Host name under ``.test``.
        languages: Languages it publishes in.
        ui: The language of its page chrome and its source lines.
        style: ``semantic``, ``opengraph``, ``bare`` or ``text`` (plain-text records).
        dated_urls: Whether its URLs carry ``/yyyy/mm/dd/``.
        tz_hours: The UTC offset it prints dates in.
        wire: A news agency; copies credit it with an ``(Agency) -`` dateline.
        prints_dates: False for the few templates that show no date at all.
        variant: Picks its boilerplate variants, so neighbours differ.
    """

    name: str
    domain: str
    languages: tuple[str, ...]
    ui: str
    style: str
    dated_urls: bool = True
    tz_hours: int = 0
    wire: bool = False
    prints_dates: bool = True
    variant: int = 0

    @property
    def css(self) -> str:
        """A class-name prefix unique to the outlet's template."""
        return self.domain.removeprefix("www.").split(".")[0].replace("-", "")


def _o(name: str, domain: str, langs: Sequence[str], style: str, **kw: object) -> Outlet:
    ui = str(kw.pop("ui", langs[0]))
    return Outlet(name, domain, tuple(langs), ui, style, **kw)  # type: ignore[arg-type]


#: The fixed outlet roster: 8 multilingual portals and agencies, 6 English outlets,
#: and two national outlets per other language (the second also runs English).
OUTLETS: tuple[Outlet, ...] = (
    _o("NewsHub Global", "newshub.test", _ALL, "semantic", ui="en", variant=1),
    _o("World Feed", "www.worldfeed.test", _ALL, "opengraph", ui="en", dated_urls=False),
    _o("Aggregata", "aggregata.test", _ALL, "bare", ui="en", variant=1),
    _o("PressMirror", "www.pressmirror.test", _ALL, "text", ui="en"),
    _o("StoryStream", "storystream.test", _ALL, "semantic", ui="en", dated_urls=False),
    _o("Daily Digest Network", "www.dailydigest.test", _ALL, "text", ui="en", variant=1),
    _o("Global Wire", "www.globalwire.test", _ALL, "semantic", ui="en", wire=True),
    _o("Continental Press Agency", "cpa-news.test", _ALL, "text", ui="en", wire=True, tz_hours=1),
    _o("The Daily Planet", "www.dailyplanet.test", ("en",), "semantic", tz_hours=-4),
    _o("Morning Ledger", "www.morningledger.test", ("en",), "opengraph", tz_hours=-5, variant=1),
    _o("Harbor Gazette", "harborgazette.test", ("en",), "bare", tz_hours=-7),
    _o("Capital Courier", "www.capitalcourier.test", ("en",), "semantic", variant=1),
    _o("Evening Sentinel", "eveningsentinel.test", ("en",), "text", tz_hours=10),
    _o(
        "Metro Chronicle",
        "metrochronicle.test",
        ("en",),
        "bare",
        dated_urls=False,
        prints_dates=False,
    ),
    _o("Rheinischer Bote", "www.rheinischer-bote.test", ("de",), "semantic", tz_hours=2),
    _o("Alpen Kurier", "alpenkurier.test", ("de", "en"), "text", tz_hours=2, variant=1),
    _o("El Faro Diario", "www.elfarodiario.test", ("es",), "opengraph", tz_hours=2),
    _o("La Voz del Sur", "lavozdelsur.test", ("es", "en"), "bare", tz_hours=-3, variant=1),
    _o("Le Courrier du Léman", "www.courrier-leman.test", ("fr",), "semantic", tz_hours=2),
    _o("L'Écho des Provinces", "echo-provinces.test", ("fr", "en"), "text", variant=1),
    _o("Il Corriere Tirreno", "www.corrieretirreno.test", ("it",), "bare", tz_hours=2),
    _o("La Gazzetta del Lago", "gazzettadellago.test", ("it", "en"), "semantic", variant=1),
    _o("Невский курьер", "nevsky-kurier.test", ("ru",), "opengraph", tz_hours=3),
    _o("Уральские новости", "www.ural-novosti.test", ("ru", "en"), "text", tz_hours=5),
    _o("华东日报", "www.huadong-daily.test", ("zh",), "semantic", tz_hours=8),
    _o("新城晚报", "xincheng-evening.test", ("zh", "en"), "bare", tz_hours=8, variant=1),
    _o("Kurier Wiślany", "www.kurier-wislany.test", ("pl",), "opengraph", tz_hours=2),
    _o("Głos Mazowsza", "glos-mazowsza.test", ("pl", "en"), "text", tz_hours=2, variant=1),
    _o("Ege Haber", "www.egehaber.test", ("tr",), "semantic", tz_hours=3),
    _o("Anadolu Gündem", "anadolugundem.test", ("tr", "en"), "bare", tz_hours=3, variant=1),
    _o("النيل اليوم", "www.alnil-today.test", ("ar",), "opengraph", tz_hours=2),
    _o("صوت الخليج", "sawt-alkhaleej.test", ("ar", "en"), "text", tz_hours=4, variant=1),
)


def outlets_for(language: str) -> list[Outlet]:
    """Return the outlets that publish in ``language``, in roster order."""
    return [o for o in OUTLETS if language in o.languages]
