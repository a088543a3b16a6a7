"""What the body text keeps and leaves: one golden page per rule of extract/boilerplate.py and
extract/lead.py, each built as the corpus pages that showed the cause are."""

from datetime import UTC, datetime

import pytest
from trafilatura.utils import load_html

from newsarchive.extract import chunks
from newsarchive.extract.article import extract
from tests.pages import LOREM, article_html, story_paragraphs

NOW = datetime(2025, 1, 1, tzinfo=UTC)
URL = "https://harbour.example/local/2024/03/05/harbour-expansion"
STORY = story_paragraphs(seed=3)


def text_of(html: str) -> str:
    return extract(html.encode(), URL, now=NOW).text


def with_block(block: str, after: int = 2) -> str:
    """The story's page with `block` between its paragraphs, inside the article."""
    marker = STORY[after]
    return article_html(paragraphs=STORY).replace(f"{marker}</p>", f"{marker}</p>{block}", 1)


@pytest.mark.parametrize(
    "teaser",
    [
        "<p>Lea también: <a href='/otra'>Impiden ingreso a Nicaragua a reportero y camarógrafo</a></p>",
        "<p><strong>LE PUEDE INTERESAR:</strong> <a href='/x'>La ficha de Juan Orlando Hernández en el MDC</a></p>",
        "<p>Read more: <a href='/y'>Council approves the new ferry timetable for the summer</a></p>",
        "<p><b>À lire aussi</b> <a href='/z'>Le port de commerce change de directeur cette semaine</a></p>",
        "<p>\n                    » <b>Read also</b>: <a href='/w'>The lighthouse reopens to visitors after ten years</a></p>",
    ],
)  # fmt: skip
def test_a_read_also_line_between_paragraphs_goes(teaser: str) -> None:
    text = text_of(with_block(teaser))
    assert all(paragraph in text for paragraph in STORY)
    linked = teaser.split("'>")[1].split("</a>")[0]
    assert linked not in text


def test_a_label_heading_goes_with_the_list_of_links_under_it() -> None:
    block = (
        "<p><strong>Lesen Sie auch die folgenden Beiträge:</strong></p><ul>"
        "<li><a href='/a'>Warum Sie diese drei HR-Prozesse digitalisieren sollten</a></li>"
        "<li><a href='/b'>So gelingt das Onboarding im Homeoffice</a></li></ul>"
    )
    text = text_of(with_block(block))
    assert "Lesen Sie auch" not in text
    assert "Onboarding im Homeoffice" not in text
    assert all(paragraph in text for paragraph in STORY)


def test_a_paragraph_that_only_starts_like_a_label_stays() -> None:
    """Text, not links: "Lea" is also a name."""
    line = "Lea Müller, who runs the harbour café, said the new berths would bring more visitors."
    assert line in text_of(with_block(f"<p>{line}</p>"))


@pytest.mark.parametrize(
    "call",
    [
        "To view the full story, please subscribe to <a href='/s'>The Harbour Times</a>.",
        "Subscribe now to our <a href='/e'><strong>eNATION</strong></a> edition for the full story.",
        "Never miss the latest news by signing up to our newsletter today!",
        "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner.",
    ],
)
def test_a_call_to_subscribe_or_follow_goes(call: str) -> None:
    text = text_of(with_block(f"<p>{call}</p>", after=len(STORY) - 1))
    assert all(paragraph in text for paragraph in STORY)
    assert call.split("<")[0][:25] not in text


@pytest.mark.parametrize(
    "line",
    [
        "The ferry company said subscribers to its season ticket would pay less from April.",
        "Residents can subscribe to the new district heating scheme from next month, it said.",
        "Travellers should download the NHS Covid app before they board the ferry, it said.",
        "Supporters can follow the campaign on Facebook, where it posts the council's votes.",
        "«Únete a la marcha», gritaban los pescadores frente al puerto durante la mañana.",
    ],
)
def test_news_about_subscribing_or_following_keeps_its_sentences(line: str) -> None:
    assert line in text_of(with_block(f"<p>{line}</p>"))


def test_an_interview_speaker_label_stays() -> None:
    line = "Lea: Ich finde, der Hafen braucht die neuen Liegeplätze, und zwar bald."
    html = with_block(f"<p><strong>Lea:</strong> {line[5:]} <a href='/x'>Hafen</a></p>")
    assert "Ich finde, der Hafen braucht" in text_of(html)


def test_a_related_posts_class_on_the_main_container_keeps_the_article() -> None:
    html = article_html(paragraphs=STORY).replace(
        "<main>", "<main class='content has-related-posts'>"
    )
    text = text_of(html)
    assert all(paragraph in text for paragraph in STORY)


def test_a_share_widget_inside_the_article_goes() -> None:
    widget = (
        "<div class='sharedaddy sd-sharing-enabled'><h3>Teilen mit:</h3><ul>"
        "<li><a href='/share/twitter'>Twitter</a></li><li><a href='/share/fb'>Facebook</a></li>"
        "</ul><span>Gefällt mir Wird geladen …</span></div>"
    )
    text = text_of(with_block(widget, after=len(STORY) - 1))
    assert "Teilen mit" not in text
    assert "Wird geladen" not in text
    assert all(paragraph in text for paragraph in STORY)


def test_the_lead_the_description_repeats_is_kept_before_the_text() -> None:
    lead = (
        "Der Kunststoff-Hersteller Covestro will seine Kompetenzen in der Biotechnologie ausbauen."
    )
    html = article_html(paragraphs=STORY, extra_head=f'<meta name="description" content="{lead}">')
    html = html.replace("</h1>", f"</h1><div class='article-teaser text--intro'>{lead}</div>", 1)
    text = text_of(html.replace('<meta property="og:description"', '<meta name="x"'))
    assert text.startswith(lead)
    assert text.count(lead) == 1
    assert all(paragraph in text for paragraph in STORY)


def test_a_site_tagline_the_description_repeats_elsewhere_is_not_a_lead() -> None:
    tagline = "News, views and weather from the harbour town and the coast around it."
    html = article_html(
        paragraphs=STORY, extra_head=f'<meta name="description" content="{tagline}">'
    )
    html = html.replace("<header>", f"<header><p class='site-description'>{tagline}</p>")
    html = html.replace("<footer>", f"<footer><p>{tagline}</p>")
    assert tagline not in text_of(html.replace('<meta property="og:description"', '<meta name="x"'))


def test_a_description_that_is_the_headline_adds_nothing() -> None:
    html = article_html("Harbour expansion approved by the council", paragraphs=STORY)
    html = html.replace(
        "</head>",
        '<meta name="description" content="Harbour expansion approved by the council"></head>',
    )
    text = text_of(html)
    assert not text.startswith("Harbour expansion approved")


def test_a_description_the_page_does_not_show_is_not_added() -> None:
    unseen = "A summary written for search engines that the page itself never prints anywhere."
    html = article_html(
        paragraphs=[LOREM], extra_head=f'<meta name="description" content="{unseen}">'
    )
    assert unseen not in text_of(html)


def chunked_page(chunks: list[list[str]], name: str = "body__inner-container") -> str:
    """A story printed in chunks of the same markup with ads between them (The New Yorker)."""
    parts = [
        f'<div class="grid"><div class="body article__body"><div class="{name}">'
        + "".join(f"<p>{p}</p>" for p in chunk)
        + '</div></div></div><div class="ad"><span>Advertisement</span></div>'
        for chunk in chunks
    ]
    story = "".join(parts)
    return (
        "<html><head><title>Harbour expansion approved</title>"
        '<meta property="og:title" content="Harbour expansion approved"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/local'>Local</a></nav>"
        f"<article><h1>Harbour expansion approved</h1>{story}</article>"
        "<footer><p>© Harbour Times</p></footer></body></html>"
    )


def test_a_story_split_into_chunks_between_ads_is_read_whole() -> None:
    paragraphs = story_paragraphs(seed=5, paragraphs=9)
    text = text_of(chunked_page([paragraphs[:3], paragraphs[3:6], paragraphs[6:]]))
    for paragraph in paragraphs:
        assert paragraph in text


def test_two_blocks_of_one_class_are_not_joined() -> None:
    # the story and a company profile written in the same editor are no chunks of one story
    story, profile = story_paragraphs(seed=5, paragraphs=6), story_paragraphs(seed=9, paragraphs=2)
    page = load_html(chunked_page([story, profile], name="richtext"))
    assert chunks.body_chunks(page) == []
    three = load_html(chunked_page([story[:2], story[2:4], story[4:]]))
    assert len(chunks.body_chunks(three)) == 3
