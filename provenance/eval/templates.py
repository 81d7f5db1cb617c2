"""The generated outlets: names, domains, languages, boilerplate and page templates.

Every outlet has its own page chrome (menu, cookie notice, legal footer, maybe a
promo block) repeated on all its pages, as real sites do, so that the system's
per-outlet boilerplate learning is exercised. Templates range from semantic
markup (``<article>``, JSON-LD NewsArticle, ``og:site_name``,
``article:published_time``, ``rel=canonical``) to bare ``<div>`` soup with no
metadata; some outlets deliver plain-text records instead of HTML.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

__all__ = ["OUTLETS", "Block", "Outlet", "Page", "phrase", "render_record"]

_ALL = ("en", "de", "es", "fr", "it", "ru", "zh", "pl", "tr", "ar")

# Per language: menu, two cookie notices, two legal footers, promo, source line,
# read-more line, editor intros, quote lead-ins (credited / uncredited), date label.
_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "menu": ("Home", "World", "Politics", "Business", "Sport", "Culture", "Science", "Opinion"),
        "cookie": (
            "We use cookies to improve your experience on {x}. By continuing you accept them.",
            "This site uses cookies for analytics and personalised content.",
        ),
        "footer": (
            "© 2024 {x}. All rights reserved. Reproduction without permission is prohibited.",
            "{x} is not responsible for external sites. Terms of use | Privacy | Contact",
        ),
        "promo": ("Get the {x} morning briefing in your inbox every day.",),
        "source": ("Source: {x}", "Originally published by {x}"),
        "more": ("Read more at {x}",),
        "intro": ("Editor's note: here is what we know so far.", "This report has been updated."),
        "quote": ("As {x} reported:", "One report put it this way:"),
        "date": ("Published",),
    },
    "de": {
        "menu": ("Startseite", "Welt", "Politik", "Wirtschaft", "Sport", "Kultur", "Wissen"),
        "cookie": (
            "Wir verwenden Cookies, um Ihnen das beste Erlebnis auf {x} zu bieten.",
            "Diese Website nutzt Cookies für Statistik und personalisierte Inhalte.",
        ),
        "footer": (
            "© 2024 {x}. Alle Rechte vorbehalten. Impressum | Datenschutz | Kontakt",
            "Nachdruck nur mit Genehmigung von {x}.",
        ),
        "promo": ("Abonnieren Sie den Newsletter von {x} und bleiben Sie informiert.",),
        "source": ("Quelle: {x}",),
        "more": ("Weiterlesen bei {x}",),
        "intro": ("Anmerkung der Redaktion: Das wissen wir bisher.", "Der Bericht wurde ergänzt."),
        "quote": ("Wie {x} berichtete:", "In einem Bericht hieß es:"),
        "date": ("Veröffentlicht",),
    },
    "es": {
        "menu": ("Portada", "Mundo", "Política", "Economía", "Deportes", "Cultura", "Ciencia"),
        "cookie": (
            "Utilizamos cookies para mejorar su experiencia en {x}. Al continuar, las acepta.",
            "Este sitio usa cookies analíticas y de personalización.",
        ),
        "footer": (
            "© 2024 {x}. Todos los derechos reservados. Aviso legal | Privacidad | Contacto",
            "Prohibida la reproducción total o parcial sin autorización de {x}.",
        ),
        "promo": ("Suscríbase al boletín de {x} y reciba las noticias cada mañana.",),
        "source": ("Fuente: {x}",),
        "more": ("Lea más en {x}",),
        "intro": ("Nota del editor: esto es lo que sabemos.", "Esta información fue actualizada."),
        "quote": ("Según informó {x}:", "Un informe lo resumía así:"),
        "date": ("Publicado",),
    },
    "fr": {
        "menu": ("Accueil", "Monde", "Politique", "Économie", "Sport", "Culture", "Sciences"),
        "cookie": (
            "Nous utilisons des cookies pour améliorer votre expérience sur {x}.",
            "Ce site utilise des cookies de mesure d'audience et de personnalisation.",
        ),
        "footer": (
            "© 2024 {x}. Tous droits réservés. Mentions légales | Confidentialité | Contact",
            "Toute reproduction sans l'accord de {x} est interdite.",
        ),
        "promo": ("Abonnez-vous à la lettre de {x} pour recevoir l'essentiel de l'actualité.",),
        "source": ("Source : {x}",),
        "more": ("Lire la suite sur {x}",),
        "intro": (
            "Note de la rédaction : voici ce que l'on sait.",
            "Cet article a été mis à jour.",
        ),
        "quote": ("Comme l'a rapporté {x} :", "Un compte rendu le résumait ainsi :"),
        "date": ("Publié le",),
    },
    "it": {
        "menu": ("Home", "Mondo", "Politica", "Economia", "Sport", "Cultura", "Scienza"),
        "cookie": (
            "Utilizziamo i cookie per migliorare la tua esperienza su {x}.",
            "Questo sito utilizza cookie analitici e di profilazione.",
        ),
        "footer": (
            "© 2024 {x}. Tutti i diritti riservati. Note legali | Privacy | Contatti",
            "È vietata la riproduzione senza autorizzazione di {x}.",
        ),
        "promo": ("Iscriviti alla newsletter di {x} per ricevere le notizie del giorno.",),
        "source": ("Fonte: {x}",),
        "more": ("Continua a leggere su {x}",),
        "intro": ("Nota della redazione: ecco cosa sappiamo.", "L'articolo è stato aggiornato."),
        "quote": ("Come riportato da {x}:", "Un resoconto lo descriveva così:"),
        "date": ("Pubblicato",),
    },
    "ru": {
        "menu": ("Главная", "Мир", "Политика", "Экономика", "Спорт", "Культура", "Наука"),
        "cookie": (
            "Мы используем файлы cookie, чтобы сделать {x} удобнее.",
            "Сайт использует cookie для аналитики и персонализации.",
        ),
        "footer": (
            "© 2024 {x}. Все права защищены. Перепечатка только с разрешения редакции.",
            "Правовая информация | Конфиденциальность | Контакты {x}",
        ),
        "promo": ("Подпишитесь на рассылку {x} и получайте главные новости.",),
        "source": ("Источник: {x}",),
        "more": ("Читать далее на {x}",),
        "intro": ("От редакции: вот что известно на данный момент.", "Материал обновлён."),
        "quote": ("Как сообщило издание {x}:", "В одном из сообщений говорилось:"),
        "date": ("Опубликовано",),
    },
    "zh": {
        "menu": ("首页", "国际", "政治", "财经", "体育", "文化", "科技"),
        "cookie": (
            "我们使用Cookie来改善您在{x}的浏览体验。继续浏览即表示您同意。",
            "本网站使用Cookie进行统计分析和个性化推荐。",
        ),
        "footer": ("© 2024 {x} 版权所有，未经授权不得转载。", "{x} 法律声明 | 隐私政策 | 联系我们"),
        "promo": ("关注{x}，获取每日要闻。",),
        "source": ("来源：{x}",),
        "more": ("阅读全文请访问{x}",),
        "intro": ("编者按：以下是目前已知的情况。", "本文已根据最新消息更新。"),
        "quote": ("据{x}报道：", "有报道称："),
        "date": ("发布时间",),
    },
    "pl": {
        "menu": ("Strona główna", "Świat", "Polityka", "Gospodarka", "Sport", "Kultura"),
        "cookie": (
            "Używamy plików cookie, aby ułatwić korzystanie z serwisu {x}.",
            "Ta strona korzysta z plików cookie w celach statystycznych.",
        ),
        "footer": (
            "© 2024 {x}. Wszelkie prawa zastrzeżone. Regulamin | Prywatność | Kontakt",
            "Kopiowanie bez zgody {x} zabronione.",
        ),
        "promo": ("Zapisz się na newsletter {x} i bądź na bieżąco.",),
        "source": ("Źródło: {x}",),
        "more": ("Czytaj więcej na {x}",),
        "intro": ("Od redakcji: oto, co wiemy do tej pory.", "Artykuł został zaktualizowany."),
        "quote": ("Jak podał {x}:", "Jak czytamy w jednej z relacji:"),
        "date": ("Opublikowano",),
    },
    "tr": {
        "menu": ("Ana Sayfa", "Dünya", "Siyaset", "Ekonomi", "Spor", "Kültür", "Bilim"),
        "cookie": (
            "{x} deneyiminizi iyileştirmek için çerezler kullanıyoruz.",
            "Bu site analiz ve kişiselleştirme için çerez kullanır.",
        ),
        "footer": (
            "© 2024 {x}. Tüm hakları saklıdır. Künye | Gizlilik | İletişim",
            "İzinsiz kopyalanamaz: {x}.",
        ),
        "promo": ("{x} bültenine abone olun, gündemi kaçırmayın.",),
        "source": ("Kaynak: {x}",),
        "more": ("Devamını {x} sitesinde okuyun",),
        "intro": ("Editörün notu: şu ana kadar bilinenler.", "Bu haber güncellendi."),
        "quote": ("{x} tarafından bildirildiğine göre:", "Bir haberde şöyle denildi:"),
        "date": ("Yayınlanma",),
    },
    "ar": {
        "menu": ("الرئيسية", "العالم", "سياسة", "اقتصاد", "رياضة", "ثقافة", "علوم"),
        "cookie": (
            "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على {x}.",
            "يستخدم هذا الموقع ملفات تعريف الارتباط لأغراض التحليل.",
        ),
        "footer": (
            "© 2024 {x}. جميع الحقوق محفوظة. الشروط | الخصوصية | اتصل بنا",
            "يمنع النسخ دون إذن من {x}.",
        ),
        "promo": ("اشترك في النشرة البريدية لـ{x} لتصلك أهم الأخبار.",),
        "source": ("المصدر: {x}",),
        "more": ("اقرأ المزيد على {x}",),
        "intro": ("ملاحظة المحرر: إليكم ما نعرفه حتى الآن.", "تم تحديث هذا الخبر."),
        "quote": ("وبحسب ما أفاد به {x}:", "وجاء في أحد التقارير:"),
        "date": ("نشر في",),
    },
}


def phrase(language: str, kind: str, index: int = 0, name: str = "") -> str:
    """Return one stock phrase of a language, with ``{x}`` filled by ``name``.

    Args:
        language: ISO 639-1 code (unknown codes fall back to English).
        kind: ``menu``, ``cookie``, ``footer``, ``promo``, ``source``, ``more``,
            ``intro``, ``quote`` or ``date``.
        index: Which variant; wraps around.
        name: The outlet name to insert.

    Returns:
        The phrase.
    """
    variants = _PHRASES.get(language, _PHRASES["en"])[kind]
    return variants[index % len(variants)].replace("{x}", name)


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


@dataclass(frozen=True, slots=True)
class Block:
    """One body paragraph; ``anchor`` (a substring of ``text``) links to ``href``."""

    text: str
    href: str | None = None
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """Everything needed to render one article as an ingest record.

    Attributes:
        url: The article URL (already normalised).
        outlet: Who publishes it.
        language: The article's language.
        title: Its headline.
        blocks: Its body paragraphs, attribution lines included.
        published: The date it claims, or None for none.
        fetched: When the crawler first saw it.
        canonical: Its ``rel=canonical`` target (itself unless syndicated).
    """

    url: str
    outlet: Outlet
    language: str
    title: str
    blocks: tuple[Block, ...]
    published: datetime | None
    fetched: datetime
    canonical: str | None = None


def _stamp(moment: datetime, hours: int = 0) -> str:
    return moment.astimezone(timezone(timedelta(hours=hours))).isoformat(timespec="seconds")


def render_record(page: Page) -> dict[str, object]:
    """Turn a page into one ingest record (HTML, or plain text for text outlets).

    Args:
        page: The article.

    Returns:
        The JSON-ready record: ``url``, ``html`` or ``text`` and the optional fields.
    """
    record: dict[str, object] = {"url": page.url}
    if page.outlet.style == "text":
        record["text"] = "\n\n".join(block.text for block in page.blocks)
        record["title"] = page.title
        record["outlet"] = page.outlet.name
        if page.published is not None:
            record["published_at"] = _stamp(page.published, page.outlet.tz_hours)
    else:
        record["html"] = _render_html(page)
    record["fetched_at"] = _stamp(page.fetched)
    return record


def _render_html(page: Page) -> str:
    outlet = page.outlet
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(page.title)} | {escape(outlet.name)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if outlet.style in ("semantic", "opengraph"):
        head += _metadata(page)
    body = "\n".join(_paragraph(block) for block in page.blocks)
    if outlet.style == "semantic":
        main = (
            f'<main class="{outlet.css}-main"><article class="{outlet.css}-article">'
            f"<h1>{escape(page.title)}</h1>{_dateline(page)}\n"
            f'<div class="{outlet.css}-text">\n{body}\n</div></article>\n{_related(outlet)}</main>'
        )
    else:
        main = (
            f'<div id="{outlet.css}-wrap"><div class="{outlet.css}-col">'
            f'<div class="headline">{escape(page.title)}</div>{_dateline(page)}\n'
            f'<div class="content">\n{body}\n</div></div>\n{_related(outlet)}</div>'
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{page.language}">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n<body>\n{_chrome_top(outlet)}\n{main}\n{_footer(outlet)}\n</body>\n</html>\n"
    )


def _metadata(page: Page) -> list[str]:
    outlet = page.outlet
    meta = [
        f'<meta property="og:site_name" content="{escape(outlet.name)}">',
        f'<meta property="og:title" content="{escape(page.title)}">',
    ]
    if page.published is not None:
        stamp = _stamp(page.published, outlet.tz_hours)
        meta.append(f'<meta property="article:published_time" content="{stamp}">')
    if outlet.style != "semantic":
        return meta
    meta.append(f'<link rel="canonical" href="{escape(page.canonical or page.url)}">')
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "inLanguage": page.language,
        "mainEntityOfPage": page.canonical or page.url,
        "publisher": {"@type": "Organization", "name": outlet.name},
    }
    if page.published is not None:
        data["datePublished"] = _stamp(page.published, outlet.tz_hours)
    ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    meta.append(f'<script type="application/ld+json">{ld}</script>')
    return meta


def _dateline(page: Page) -> str:
    if page.published is None:
        return ""
    local = page.published.astimezone(timezone(timedelta(hours=page.outlet.tz_hours)))
    label = phrase(page.outlet.ui, "date")
    if page.outlet.style == "semantic":
        stamp = _stamp(page.published, page.outlet.tz_hours)
        return f'<time datetime="{stamp}">{label} {local:%d.%m.%Y %H:%M}</time>'
    return f'<div class="date">{label} {local:%d.%m.%Y %H:%M}</div>'


def _paragraph(block: Block) -> str:
    if block.href is None or block.anchor not in block.text:
        return f"<p>{escape(block.text)}</p>"
    before, _, after = block.text.partition(block.anchor)
    link = f'<a href="{escape(block.href)}">{escape(block.anchor)}</a>'
    return f"<p>{escape(before)}{link}{escape(after)}</p>"


def _chrome_top(outlet: Outlet) -> str:
    home = f"https://{outlet.domain}"
    items = _PHRASES.get(outlet.ui, _PHRASES["en"])["menu"]
    links = "".join(
        f'<li><a href="{home}/section/{i}">{escape(item)}</a></li>' for i, item in enumerate(items)
    )
    cookie = escape(phrase(outlet.ui, "cookie", outlet.variant, outlet.name))
    return (
        f'<header class="{outlet.css}-header">'
        f'<a class="logo" href="{home}">{escape(outlet.name)}</a>'
        f'<nav><ul class="menu">{links}</ul></nav></header>\n'
        f'<div class="cookie-banner" id="{outlet.css}-consent"><p>{cookie}</p>'
        '<button type="button">OK</button></div>'
    )


def _related(outlet: Outlet) -> str:
    if outlet.variant != 1:
        return ""
    promo = escape(phrase(outlet.ui, "promo", 0, outlet.name))
    return f'<aside class="{outlet.css}-promo"><p>{promo}</p></aside>'


def _footer(outlet: Outlet) -> str:
    lines = "".join(
        f"<p>{escape(phrase(outlet.ui, 'footer', i + outlet.variant, outlet.name))}</p>"
        for i in range(2)
    )
    return f'<footer class="{outlet.css}-footer">{lines}</footer>'
