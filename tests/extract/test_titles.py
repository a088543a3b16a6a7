"""Which headline a page gets: one golden page per rule of extract/titles.py, each built as the
corpus pages that showed the rule's cause are (what the page shows, what it declares)."""

import json
from datetime import UTC, datetime
from html import escape

from newsarchive.extract.article import ExtractedArticle, extract
from newsarchive.extract.titles import drop_leading_title, plausible_site, same_story
from tests.pages import LOREM

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def page(
    h1: str,
    og: str | None = None,
    headline: str | None = None,
    title: str | None = None,
    site: str | None = None,
    url: str = "https://harbour.example/2024/03/05/story",
) -> ExtractedArticle:
    head = f"<title>{escape(title)}</title>" if title else ""
    if og:
        head += f'<meta property="og:title" content="{escape(og)}">'
    if site:
        head += f'<meta property="og:site_name" content="{escape(site)}">'
    if headline:  # written as some CMSs do: with the entities left in the JSON
        data = {"@type": "NewsArticle", "headline": headline}
        head += f'<script type="application/ld+json">{json.dumps(data)}</script>'
    html = (
        f"<html><head>{head}</head><body><main><article><h1>{escape(h1)}</h1>"
        f"<p>{LOREM}</p><p>{LOREM}</p></article></main></body></html>"
    )
    return extract(html.encode(), url, now=NOW)


def test_typographic_quotes_and_dashes_in_the_h1_match_an_ascii_og_title() -> None:
    article = page(
        "A Paris-8, un peu de tension, beaucoup d’actions – reportage",
        og="A Paris-8, un peu de tension, beaucoup d'actions - reportage - Bondy Blog",
    )
    assert article.title == "A Paris-8, un peu de tension, beaucoup d’actions – reportage"
    assert article.title_rule == "heading in og:title"


def test_entities_left_in_a_json_ld_headline_are_read() -> None:
    article = page(
        "Muffins & more: Harry's kitchen",
        headline="Muffins &amp; more: Harry&#039;s kitchen",
        title="Recipes",
    )
    assert article.title == "Muffins & more: Harry's kitchen"
    assert article.title_rule == "heading in og:title"
    assert article.declared_title is None


def test_the_site_name_at_the_end_of_the_title_tag_is_a_logo_not_the_headline() -> None:
    article = page("DimidoBlog", title="Was ist Virales Marketing? | DimidoBlog")
    assert article.title == "Was ist Virales Marketing?"


def test_a_site_first_title_tag_keeps_its_story_heading() -> None:
    article = page(
        "Ferry returns to the harbour", title="Harbour Times | Ferry returns to the harbour"
    )
    assert article.title == "Ferry returns to the harbour"


def test_an_h1_naming_the_sites_address_is_a_logo() -> None:
    article = page(
        "jan-grosser.de",
        title="XUM1541: Dateien zwischen Linux und C64 austauschen",
        url="https://www.jan-grosser.de/xum1541.html",
    )
    assert article.title == "XUM1541: Dateien zwischen Linux und C64 austauschen"


def test_the_sites_address_ending_the_title_is_the_site_not_the_headline() -> None:
    """The address written as the name ("| MDR.DE" on www.mdr.de), whatever og:site_name says."""
    for url in ("https://www.homify.de/ideen/tischdecke", "https://homify.de/ideen/tischdecke"):
        article = page(
            "Unsere Ideen",
            og="Wie man eine runde Tischdecke herstellt | HOMIFY.DE",
            site="Homify",
            url=url,
        )
        assert article.title == "Wie man eine runde Tischdecke herstellt"
    elsewhere = page(
        "Unsere Ideen", og="Wie man sie herstellt | homify.de", url="https://b.example/x"
    )
    assert elsewhere.title == "Wie man sie herstellt | homify.de"


def test_the_printed_headline_beats_an_seo_title_that_tells_the_same_story() -> None:
    article = page(
        "Der Nervenkrieg um den Brexit geht in die nächste Runde",
        og="Brexit: Nervenkrieg geht in nächste Runde",
        site="Neue Zürcher Zeitung",
    )
    assert article.title == "Der Nervenkrieg um den Brexit geht in die nächste Runde"
    assert article.declared_title == "Brexit: Nervenkrieg geht in nächste Runde"
    assert article.title_rule == "visible heading"


def test_an_h1_about_something_else_does_not_beat_the_declared_title() -> None:
    article = page("Ratgeber Finanzen", og="Günstiger Autokredit im Mai: Angebote vergleichen")
    assert article.title == "Günstiger Autokredit im Mai: Angebote vergleichen"
    assert article.declared_title is None
    assert article.title_rule == "declared title"


def test_an_h1_with_a_kicker_before_the_declared_title_keeps_the_declared_title() -> None:
    article = page(
        "Tunesien Große Aufgaben für die neue Regierung",
        og="Große Aufgaben für die neue Regierung",
    )
    assert article.title == "Große Aufgaben für die neue Regierung"


def kicker_page(og: str | None) -> ExtractedArticle:
    """An <h1> of a kicker and a headline, two lines on the page and one run-together text."""
    head = f'<meta property="og:title" content="{escape(og)}">' if og else ""
    html = (
        f"<html><head><title>Tagesschau</title>{head}</head><body><main><article>"
        '<h1>\n  <span class="kicker">Ausschuss zur Ahrtal-Flut</span>\n'
        '  <span class="headline">Zwei Rücktritte - und viele offene Fragen</span>\n</h1>'
        f"<p>{LOREM}</p><p>{LOREM}</p></article></main></body></html>"
    )
    return extract(html.encode(), "https://www.tagesschau.de/inland/ahrtal-100.html", now=NOW)


def test_a_kicker_above_the_headline_is_joined_as_the_og_title_joins_it() -> None:
    article = kicker_page("Ausschuss zur Ahrtal-Flut: Zwei Rücktritte - und viele offene Fragen")
    assert article.title == "Ausschuss zur Ahrtal-Flut: Zwei Rücktritte - und viele offene Fragen"
    assert article.title_rule == "heading in og:title"
    assert "Ahrtal" not in article.text  # the headline is not the text's first line


def test_a_kicker_is_joined_only_where_a_declared_title_shows_how() -> None:
    article = kicker_page(None)
    assert article.title == "Ausschuss zur Ahrtal-Flut Zwei Rücktritte - und viele offene Fragen"


def test_the_headline_leaves_the_text_letter_for_letter_whatever_its_punctuation() -> None:
    title = "Nutzerbasierte Abrechnung: Musik-Stars fordern neues Streaming-Modell"
    text = "Nutzerbasierte Abrechnung : Musik-Stars fordern neues Streaming-Modell\nDie Abogebühr"
    assert drop_leading_title(text, title) == "Die Abogebühr"
    assert drop_leading_title("Musik-Stars fordern es\nDie Abogebühr", title).startswith("Musik")


def test_with_only_a_title_tag_the_one_visible_h1_is_the_headline() -> None:
    article = page(
        "Wie pflege ich meine Zaubernuss im Winter?",
        title="Zaubernuss im Winter » Wann blüht die Hamamelis?",
    )
    assert article.title == "Wie pflege ich meine Zaubernuss im Winter?"
    assert article.declared_title == "Zaubernuss im Winter » Wann blüht die Hamamelis?"


def test_a_one_word_section_h1_does_not_beat_a_lone_title_tag() -> None:
    article = page("Pressemitteilungen", title="Impfen ist bis Ende Februar überall möglich")
    assert article.title == "Impfen ist bis Ende Februar überall möglich"


def test_a_title_tag_carrying_the_h1_keeps_a_different_og_title_as_declared() -> None:
    article = page(
        "Kind krank: Was Arbeitgeber wissen müssen",
        og="Kind krank? Was Arbeitgeber jetzt wissen müssen",
        title="Kind krank: Was Arbeitgeber wissen müssen | impulse",
    )
    assert (article.title, article.title_rule) == (
        "Kind krank: Was Arbeitgeber wissen müssen",
        "heading in <title>",
    )
    assert article.declared_title == "Kind krank? Was Arbeitgeber jetzt wissen müssen"


def test_a_title_with_angle_brackets_keeps_its_words() -> None:
    article = page(
        "If x < y and y > z, then x < z", title="If x &lt; y and y &gt; z, then x &lt; z"
    )
    assert article.title == "If x < y and y > z, then x < z"


def test_a_site_name_guess_that_is_the_headline_is_not_the_site() -> None:
    """trafilatura splits <title> and can keep the story's side as the site's name."""
    story = "Ergebnisse: RM Schülerinnen A, Aalen-Unterkochen, 19.5.2007"
    assert plausible_site(story, [story], [None, None, f"{story} | Leichtathletik"]) is None
    assert plausible_site("Bürgerbeteiligung am Windpark", [], ["Bürgerbeteiligung am Windpark | EnBW"]) is None  # fmt: skip
    assert plausible_site("EnBW", [], ["Bürgerbeteiligung am Windpark | EnBW"]) == "EnBW"
    article = page(story, title=f"{story} | Leichtathletikkreis Ostalb")
    assert article.title == story
    assert article.site_name != story


def test_same_story_counts_the_declared_titles_words() -> None:
    assert same_story("VW-Chef warnt vor Tesla", "VW-Chef Diess warnt vor Tesla")
    assert not same_story("Autokredit", "Günstiger Autokredit im Mai")
