"""Stock phrases of the generated outlets, in each of their ten languages.

Menus, cookie notices, legal footers and promo lines make up the page chrome
that :mod:`provenance.eval.templates` repeats on every page of an outlet; source
lines, read-more links, editor's intros and quote lead-ins are what copies and
quoting articles carry (see :mod:`provenance.eval.drafts`).
"""

from __future__ import annotations

__all__ = ["phrase", "phrase_variants"]

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


def phrase_variants(language: str, kind: str) -> tuple[str, ...]:
    """Return every variant of one kind of stock phrase, ``{x}`` left unfilled.

    Args:
        language: ISO 639-1 code (unknown codes fall back to English).
        kind: ``menu``, ``cookie``, ``footer``, ``promo``, ``source``, ``more``,
            ``intro``, ``quote`` or ``date``.

    Returns:
        The variants, in a fixed order (for ``menu``: the menu items).
    """
    return _PHRASES.get(language, _PHRASES["en"])[kind]


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
    variants = phrase_variants(language, kind)
    return variants[index % len(variants)].replace("{x}", name)
