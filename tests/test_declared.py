"""Tests of declared-source detection, per form and language."""

from __future__ import annotations

import pytest

from provenance.declared import find_declared_sources, is_credit_line

RIA = "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438"  # RIA Novosti
TASS = "\u0422\u0410\u0421\u0421"
XINHUA = "新华社"
BODY = "The minister said the plan would be published next week, officials added."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # English
        ("Source: Reuters", ("Reuters",)),
        ("SOURCE: Reuters.", ("Reuters",)),
        ("Sources: Reuters, AFP", ("Reuters", "AFP")),
        ("Originally published by The Daily Planet on May 3, 2024.", ("The Daily Planet",)),
        ("Originally published at Grist.", ("Grist",)),
        (
            "This article was originally published on The Conversation. Read the original.",
            ("The Conversation",),
        ),
        ("This article first appeared on Inside Climate News.", ("Inside Climate News",)),
        (
            "This article is republished from The Conversation under a Creative Commons license.",
            ("The Conversation",),
        ),
        ("Republished from ProPublica with permission.", ("ProPublica",)),
        ("Reprinted with permission from Mother Jones.", ("Mother Jones",)),
        ("Via Reuters", ("Reuters",)),
        ("Source: https://www.example.com/story/123", ("example.com",)),
        ("Source: Reuters (https://www.reuters.com/world/x)", ("Reuters",)),
        ("Source: \u201cThe Guardian\u201d", ("The Guardian",)),
        # Other languages
        ("Quelle: dpa", ("dpa",)),
        ("Quelle: APA/dpa", ("APA/dpa",)),
        ("Fuente: EFE", ("EFE",)),
        ("Source : Le Monde", ("Le Monde",)),
        ("Source\u00a0: AFP", ("AFP",)),
        ("Fonte: ANSA", ("ANSA",)),
        ("Fonte: Folha de S.Paulo", ("Folha de S.Paulo",)),
        (
            f"\u0418\u0441\u0442\u043e\u0447\u043d\u0438\u043a: {RIA}",
            (RIA,),
        ),
        (
            f"\u041f\u043e \u043c\u0430\u0442\u0435\u0440\u0438\u0430\u043b\u0430\u043c {TASS}.",
            (TASS,),
        ),
        ("\u0179r\u00f3d\u0142o: PAP", ("PAP",)),
        ("Kaynak: Anadolu Ajans\u0131", ("Anadolu Ajans\u0131",)),
        (
            "\u0627\u0644\u0645\u0635\u062f\u0631: \u0627\u0644\u062c\u0632\u064a\u0631\u0629",
            ("\u0627\u0644\u062c\u0632\u064a\u0631\u0629",),
        ),
        ("\u6765\u6e90\uff1a\u65b0\u534e\u793e", ("\u65b0\u534e\u793e",)),
        ("\u6765\u6e90: \u4eba\u6c11\u65e5\u62a5", ("\u4eba\u6c11\u65e5\u62a5",)),
        ("\u7a3f\u4ef6\u6765\u6e90\uff1a\u592e\u89c6\u65b0\u95fb", ("\u592e\u89c6\u65b0\u95fb",)),
        (
            "2024-05-17 10:00 \u6765\u6e90\uff1a\u65b0\u534e\u7f51 \u4f5c\u8005\uff1a\u5f20\u4e09",
            ("\u65b0\u534e\u7f51",),
        ),
        ("\uff08\u65b0\u534e\u793e\uff09", ("\u65b0\u534e\u793e",)),
        ("\u51fa\u5178\uff1a\u5171\u540c\u901a\u4fe1", ("\u5171\u540c\u901a\u4fe1",)),
        # A Latin name after a Chinese label keeps its spaces, and stops at the next field.
        ("\u6765\u6e90\uff1aContinental Press Agency", ("Continental Press Agency",)),
        ("\u6765\u6e90\uff1aReuters 2024-05-17 10:00", ("Reuters",)),
        # A Latin name runs on into Chinese prose (a credit line merged with a paragraph).
        ("Originally published by World Feed \u5bf9\u4e8e\u9e7f\u3002", ("World Feed",)),
    ],
)
def test_credit_lines(line: str, expected: tuple[str, ...]) -> None:
    assert find_declared_sources([BODY, BODY, BODY, BODY, line]) == expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("WASHINGTON (Reuters) - The U.S. Senate passed the bill.", ("Reuters",)),
        ("(AP) \u2014 A storm hit the coast on Monday.", ("AP",)),
        ("(AFP) - French officials said.", ("AFP",)),
        ("PARIS, May 17 (AFP) - French officials said.", ("AFP",)),
        ("BERLIN/PARIS (Reuters) -- Talks resumed.", ("Reuters",)),
        ("S\u00c3O PAULO (Reuters) - Markets fell.", ("Reuters",)),
        (
            f"{XINHUA}北京5月17日电\uff08记者 张三\uff09今天",
            ("\u65b0\u534e\u793e",),
        ),
    ],
)
def test_datelines(first: str, expected: tuple[str, ...]) -> None:
    assert find_declared_sources([first, BODY]) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Copyright Reuters 2024. All rights reserved.",
        "\u00a9 AFP 2024",
        "(c) Thomson Reuters",
        "Sources said the plan would fail.",
        "Source of the trouble was a burst pipe.",
        "The source: a leaked memo.",
        "Source: officials familiar with the matter said",
        "Via a spokesperson, the company said it would appeal the ruling in court.",
        "via Reuters reporting that the talks had collapsed after a long night",
        "Sourcing the parts took months.",
        "Quellen zufolge wurde der Plan verschoben.",
        "Fuentes cercanas al gobierno dijeron que no.",
        # "Sources report a postponement": no colon, no credit.
        "\u0418\u0441\u0442\u043e\u0447\u043d\u0438\u043a\u0438"
        " \u0441\u043e\u043e\u0431\u0449\u0430\u044e\u0442"
        " \u043e \u043f\u0435\u0440\u0435\u043d\u043e\u0441\u0435.",
        # "An anonymous source said the plan was delayed": 来源 in prose.
        "不愿透露姓名的消息来源表示\uff0c计划已推迟\u3002",
        "\uff08\u8bb0\u8005 \u5f20\u4e09\uff09",
        "\uff08\u5b8c\uff09",
        "Source: ",
        "Source: 2024",
    ],
)
def test_non_declarations(line: str) -> None:
    assert find_declared_sources([BODY, line, BODY]) == ()
    assert find_declared_sources([BODY, BODY, BODY, BODY, line]) == ()


def test_dateline_words_that_are_not_agencies() -> None:
    assert find_declared_sources(["(Updated) - Markets fell.", BODY]) == ()
    assert find_declared_sources(["LONDON (Exclusive) - A leak.", BODY]) == ()


def test_dateline_only_at_the_start_of_a_block() -> None:
    assert find_declared_sources([f"{BODY} WASHINGTON (Reuters) - more text.", BODY]) == ()


def test_dateline_only_in_the_first_blocks() -> None:
    blocks = [BODY] * 5 + ["WASHINGTON (Reuters) - Quoted dateline.", BODY]
    assert find_declared_sources(blocks) == ()


def test_middle_blocks_are_not_read() -> None:
    blocks = ["Intro.", BODY, BODY, "Source: Middle Agency", BODY, BODY, BODY]
    assert find_declared_sources(blocks) == ()


def test_credit_line_inside_a_block() -> None:
    assert find_declared_sources([BODY, f"{BODY}\nSource: Reuters"]) == ("Reuters",)


def test_order_of_appearance_and_dedupe() -> None:
    blocks = [
        "WASHINGTON (Reuters) - The bill passed.",
        BODY,
        BODY,
        BODY,
        "Source: AFP; Reuters",
        "Via REUTERS",
    ]
    assert find_declared_sources(blocks) == ("Reuters", "AFP")


def test_empty_body() -> None:
    assert find_declared_sources([]) == ()
    assert find_declared_sources([""]) == ()


@pytest.mark.parametrize(
    "block",
    [
        "Source: Reuters",
        "Quelle: dpa",
        "Originally published by The Conversation",
        "This article first appeared on Harbor Gazette.",
        "来源：新华社",
        "Via Global Wire",
    ],
)
def test_a_credit_on_a_line_of_its_own_is_a_credit_line(block: str) -> None:
    assert is_credit_line(block)


@pytest.mark.parametrize(
    "block",
    [
        "WASHINGTON (Reuters) - Officials said the talks would resume.",
        "Source: " + "a long paragraph that goes on " * 6,
        "The source said nothing more about it.",
        "Source: officials familiar with the plan",
        "（新华社）北京市今天发布了新的交通规定。",
        "",
    ],
)
def test_prose_and_datelines_are_no_credit_lines(block: str) -> None:
    assert not is_credit_line(block)


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("As Harbor Gazette reported:", "Harbor Gazette"),
        ("Wie Alpen Kurier berichtete:", "Alpen Kurier"),
        ("Según informó El Faro Diario:", "El Faro Diario"),
        ("Comme l'a rapporté Le Matin :", "Le Matin"),
        ("Come riportato da La Gazzetta del Lago:", "La Gazzetta del Lago"),
        ("Как сообщило издание Уральские новости:", "Уральские новости"),
        ("Jak podał Kurier Wiślany:", "Kurier Wiślany"),
        ("Ege Haber tarafından bildirildiğine göre:", "Ege Haber"),
        ("据新城晚报报道：", "新城晚报"),
    ],
)
def test_a_quotes_lead_in_declares_its_source_anywhere_in_the_body(
    lead: str, expected: str
) -> None:
    # The lead-in sits mid-article, before the quoted passage, not at an edge.
    assert find_declared_sources([BODY, BODY, BODY, BODY, lead, BODY, BODY, BODY, BODY]) == (
        expected,
    )


@pytest.mark.parametrize(
    "line",
    [
        "One report put it this way:",
        "As we reported:",
        "According to police:",
        "Según el ministro:",
        "As the minister reported to parliament on Tuesday, the plan would be delayed:" + " x" * 30,
        "Danapur SDPO Ashok Mishra 已成为巴特那的 City SP\uff08西部\uff09",  # "(west)": prose
    ],
)
def test_lead_ins_and_parentheses_that_name_no_outlet(line: str) -> None:
    assert find_declared_sources([BODY, BODY, BODY, BODY, line]) == ()
