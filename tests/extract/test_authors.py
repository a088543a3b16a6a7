"""Golden cases for each author rule: cleaning, organisations, bylines, the choice of source."""

import json
from datetime import UTC, datetime

import lxml.html
import pytest

from newsarchive.extract.article import extract
from newsarchive.extract.authors import byline_names, choose_authors, is_organisation, names_in
from newsarchive.extract.metadata import classed_bylines
from tests.pages import article_html, under_headline

NOW = datetime(2025, 1, 1, tzinfo=UTC)
URL = "https://www.harbourtimes.example/local/harbour"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
        (["Von Benjamin Fischer und Marcus Theurer"], ["Benjamin Fischer", "Marcus Theurer"]),
        (["Ana Ruiz; Bo Li | Cy Wu"], ["Ana Ruiz", "Bo Li", "Cy Wu"]),
        (["Artikel von Alexa von Heyden"], ["Alexa von Heyden"]),  # "von" inside a name stays
        (["View all posts by Daniel Lemire"], ["Daniel Lemire"]),
        (["Author: Andreas Kalt"], ["Andreas Kalt"]),
        (["Auteur Anna Kubišta"], ["Anna Kubišta"]),
        (["Richard David Precht im Gespräch mit Karin Fischer"], ["Richard David Precht", "Karin Fischer"]),
        (["Evan Halper Staff Writer"], ["Evan Halper"]),
        (["Christoph Hein Chefredakteur"], ["Christoph Hein"]),
        (["Nuño Domínguez Twitter"], ["Nuño Domínguez"]),
        (["Perry Bacon Jr."], ["Perry Bacon Jr."]),  # an initial keeps its dot
        (["edilson.la.rosa"], ["Edilson La Rosa"]),  # a user slug spells the name
        (["Redacci&oacute;n Central"], ["Redacción Central"]),
        (["Redacci&amp;oacute;n Central"], ["Redacción Central"]),  # escaped twice
        (["Zeige alle Beiträge von Cem Basman"], ["Cem Basman"]),
        (["damianduchamps on August 3, 2019"], ["damianduchamps"]),
        (["Posted by Nesselsetzer under Politik"], ["Nesselsetzer"]),
        (["Rasender Reporter"], ["Rasender Reporter"]),  # a pen name, not a role after a name
        (["jesusfreak jesusfreak"], ["jesusfreak"]),
        (["Deutscher Caritasverband e. V."], ["Deutscher Caritasverband e. V."]),
        (["Auteur(s)"], []),
        (["Reuters"], ["Reuters"]),  # agencies are kept as agencies
        (["Name", "Follow", "Von", "No Author", "Posted"], []),  # template labels
        (["@janedoe", "https://x.example/jane", "© Getty Images", "www.example.com"], []),
        (["Jane Doe", "jane doe"], ["Jane Doe"]),
        (["Kolter, Max"], ["Kolter, Max"]),  # last name first: one person
        (["AFP, Reuters"], ["AFP", "Reuters"]),  # two agencies
        (["Lars Fischer og Mette Frederiksen"], ["Lars Fischer", "Mette Frederiksen"]),
        (["Jan de Vries en Anna Bakker"], ["Jan de Vries", "Anna Bakker"]),
        (["257 Artikel", "9 articles"], []),  # a writer page's count
        (["Foto: dpa", "Bild: Jane Doe"], []),  # image credits
        (["(Image: Getty Images/iStockphoto)"], []),
        (["Ma", "Do Kwon"], ["Ma", "Do Kwon"]),  # names, not degrees
        (["Alles von Martin Junker"], ["Martin Junker"]),
        (["Eine Kolumne von Nils Pickert"], ["Nils Pickert"]),
        (["Mehr Artikel von Stefanus Stahl →"], ["Stefanus Stahl"]),
        (["Max Kolter Stand: 12.03.2024"], ["Max Kolter"]),
        (["Jane Doe vor 3 Stunden"], ["Jane Doe"]),
        (["신현주 기자", "박준석 특파원"], ["신현주", "박준석"]),  # Korean: the role follows the name
        (["기자"], ["기자"]),  # (the word alone is left as it is)
    ],
)  # fmt: skip
def test_names_in(raw: list[str], expected: list[str]) -> None:
    assert names_in(raw) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Harbour Times", True),  # the site's name
        ("harbourtimes", True),  # the domain's name
        ("LAOLA1.at", True),
        ("Frankfurter Allgemeine Zeitung GmbH", True),
        ("Bund der Energieverbraucher e.V.", True),
        ("Jane Doe", False),
        ("dpa", False),
        ("LTO", True),  # an acronym: an agency or a desk
    ],
)
def test_is_organisation(name: str, expected: bool) -> None:
    assert is_organisation(name, "Harbour Times", URL) is expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["von Alexander Rosenkranz", "09.03.2022"], ["Alexander Rosenkranz"]),
        (["AVOCAT", "Par", "Matthieu Hy", "le 07 Mai 2020"], ["Matthieu Hy"]),
        (["By Ana Ruiz and Bo Li", "March 5, 2024"], ["Ana Ruiz", "Bo Li"]),
        (["April 13, 2020", "| By", "Cara Stiles"], ["Cara Stiles"]),
        (["Posted on September 21, 2020 by Adi Tzlil"], ["Adi Tzlil"]),
        (["von", "Marianne1", "am 20.09.2020"], ["Marianne1"]),  # a user name
        (["Share", "5 min read"], []),
        (["Der Umsatz stieg von rund 1,5 Milliarden in 2022"], []),  # prose, not a byline
        (["Autor kontaktieren"], []),
        (
            ["11.12.2019 - Amelie Loevenich"],
            ["Amelie Loevenich"],
        ),  # a dateline ending in the writer
        (["04.02.2022 | 13:10 Uhr | Uta Helkenberg"], ["Uta Helkenberg"]),
        (["04.02.2022 - 17 Grad und Sonne"], []),
        (["11.12.2019 - Berlin"], []),  # a dateline's place
        (["24.12.2023 – Heute ist Weihnachten"], []),
        # a name, a separator and a date, in one text or two (Anadolu)
        (["Sehernur Karsu |", "05.04.2025 - Güncelleme : 05.04.2025"], ["Sehernur Karsu"]),
        (["Jane Doe · 2024-03-05"], ["Jane Doe"]),
        (["Ankara |", "05.04.2025"], []),  # a place
        (["Wirtschaft | 05.04.2025"], []),  # a section
        (["Sehernur Karsu |", "Ankara"], []),  # no date after it
    ],
)
def test_byline_names(texts: list[str], expected: list[str]) -> None:
    assert byline_names(texts) == expected


def nobody() -> list[str]:
    return []


class TestChoice:
    def test_a_person_beats_the_site_named_as_author(self) -> None:
        sources = (lambda: ["Harbour Times"], lambda: ["By Jane Doe"])
        assert choose_authors(sources, nobody, "Harbour Times", URL) == ["Jane Doe"]

    def test_the_organisation_stays_when_nobody_is_named(self) -> None:
        sources = (lambda: ["Nordex SE"], nobody)
        assert choose_authors(sources, nobody, "Nordex", URL) == ["Nordex SE"]

    def test_a_declared_organisation_beats_a_guess_from_the_text(self) -> None:
        sources = (lambda: ["Solarserver"],)
        guess = lambda: ["CSP, International, Photovoltaik"]  # noqa: E731  (a category list)
        assert choose_authors(sources, guess, "Solarserver", URL) == ["Solarserver"]

    def test_a_person_in_the_byline_beats_an_acronym_in_the_meta(self) -> None:
        sources = (lambda: ["LTO"], lambda: ["Dr. Max Kolter"])
        assert choose_authors(sources, nobody, "Legal Tribune Online", URL) == ["Dr. Max Kolter"]

    def test_co_authors_a_later_source_lists_after_the_first_writer(self) -> None:
        sources = (lambda: ["Ana Ruiz"], lambda: ["Ana Ruiz, Bo Li"])
        assert choose_authors(sources, nobody, None, URL) == ["Ana Ruiz", "Bo Li"]
        publisher_first = (lambda: ["Marie Merlet"], lambda: ["Prisma Média", "Marie Merlet"])
        assert choose_authors(publisher_first, nobody, None, URL) == ["Marie Merlet"]

    def test_the_same_writer_in_several_meta_tags_is_one_author(self) -> None:
        sources = (lambda: ["Jane Doe", "Jane Doe", "jane doe"],)
        assert choose_authors(sources, nobody, None, URL) == ["Jane Doe"]

    def test_an_agency_credited_beside_a_writer_follows_the_writer(self) -> None:
        assert choose_authors((lambda: ["DPA, Jane Doe"],), nobody, None, URL) == [
            "Jane Doe",
            "DPA",
        ]
        sources = (lambda: ["Adam Vidler", "AP"],)
        assert choose_authors(sources, nobody, "9News", URL) == ["Adam Vidler", "AP"]

    def test_the_site_credited_beside_a_writer_is_no_author(self) -> None:
        sources = (lambda: ["Harbour Times, Jane Doe", "harbourtimes.example"],)
        assert choose_authors(sources, nobody, "Harbour Times", URL) == ["Jane Doe"]
        publisher = (lambda: ["Jane Doe", "Coastal Media Group"],)
        chosen = choose_authors(publisher, nobody, None, URL, publisher="Coastal Media Group")
        assert chosen == ["Jane Doe"]

    def test_degrees_after_a_name_are_no_one(self) -> None:
        sources = (lambda: ["Ilana Muhlstein, MS, RDN", "Jo Ma, Ph.D."],)
        assert choose_authors(sources, nobody, None, URL) == ["Ilana Muhlstein", "Jo Ma"]

    def test_a_publishers_address_is_no_one(self) -> None:
        sources = (lambda: ["hessenschau.de, Frankfurt, Germany"], lambda: ["By Jane Doe"])
        assert choose_authors(sources, nobody, None, URL) == ["Jane Doe"]
        assert choose_authors(sources[:1], nobody, None, URL) == ["hessenschau.de"]
        two_publishers = (lambda: ["Le Figaro et AFP"],)  # an agency is no address
        assert choose_authors(two_publishers, nobody, "Le Figaro", URL) == ["Le Figaro", "AFP"]

    def test_an_author_the_page_types_as_an_organisation_is_one(self) -> None:
        sources = (lambda: ["Helmholtz Klima"], lambda: ["Christian Mihatsch"])
        chosen = choose_authors(sources, nobody, None, URL, organisations=["Helmholtz Klima"])
        assert chosen == ["Christian Mihatsch"]

    def test_a_first_name_alone_as_a_later_source_writes_it_in_full(self) -> None:
        sources = (lambda: ["Nils"], lambda: ["Eine Kolumne von Nils Pickert"])
        assert choose_authors(sources, nobody, None, URL) == ["Nils Pickert"]
        others = (lambda: ["Nils"], lambda: ["Nilsson Berg"])
        assert choose_authors(others, nobody, None, URL) == ["Nils"]

    def test_a_user_name_run_together_as_the_guess_spells_it(self) -> None:
        guess = lambda: ["Arian Schlichenmayer"]  # noqa: E731
        assert choose_authors((lambda: ["arianschlichenmayer"],), guess, None, URL) == [
            "Arian Schlichenmayer"
        ]
        assert choose_authors((lambda: ["delta201"],), guess, None, URL) == ["delta201"]

    def test_the_guess_when_the_page_names_nobody(self) -> None:
        assert choose_authors((nobody,), lambda: ["Ana Ruiz"], None, URL) == ["Ana Ruiz"]

    def test_the_site_is_dropped_from_a_list_of_writers(self) -> None:
        assert choose_authors((lambda: ["Rob Picheta, CNN"],), nobody, "CNN", URL) == [
            "Rob Picheta"
        ]


class TestPages:
    def test_byline_under_the_headline_when_the_meta_author_is_the_site(self) -> None:
        html = under_headline(
            article_html(authors_meta="Harbour Times"),
            "<p class='byline'>Von Jane Doe</p><p>05.03.2024</p>",
        )
        article = extract(html.encode(), URL, now=NOW)
        assert article.authors == ["Jane Doe"]

    def test_the_analytics_author_tag_when_the_json_ld_names_only_the_publisher(self) -> None:
        """Cxense's tag (Mainichi, Schibsted's papers) names the writer where the JSON-LD and
        the page name only the newspaper."""
        ld = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "毎日新聞"}}
        extra = '<meta name="cXenseParse:author" content="松岡大地" data-separator=",">'
        html = article_html(site_name="毎日新聞", json_ld=ld, extra_head=extra)
        assert extract(html.encode(), URL, now=NOW).authors == ["松岡大地"]
        without = article_html(site_name="毎日新聞", json_ld=ld)
        assert extract(without.encode(), URL, now=NOW).authors == ["毎日新聞"]

    def test_rel_author_link(self) -> None:
        html = under_headline(
            article_html(), "<p>Story: <a rel='author' href='/people/ana'>Ana Ruiz</a></p>"
        )
        article = extract(html.encode(), URL, now=NOW)
        assert article.authors == ["Ana Ruiz"]

    def test_link_to_the_writers_page(self) -> None:
        html = under_headline(
            article_html(authors_meta="Harbour Times"),
            "<p><a href='/author/boris-t-kaiser/'>Boris T. Kaiser</a></p>",
        )
        article = extract(html.encode(), URL, now=NOW)
        assert article.authors == ["Boris T. Kaiser"]

    def test_a_json_ld_author_reference_is_resolved_to_its_person(self) -> None:
        """Yoast writes the article's author as {"@id": ...} and the Person in the @graph."""
        person = "https://harbourtimes.example/#/schema/person/1e7f"
        ld = {
            "@graph": [
                {"@type": "NewsArticle", "headline": "x", "author": {"@id": person}},
                {"@type": "Person", "@id": person, "name": "Eugen Zentner"},
            ]
        }
        html = article_html(json_ld=ld, authors_meta="Paul Soldan")
        assert extract(html.encode(), URL, now=NOW).authors == ["Eugen Zentner"]

    def test_a_json_ld_person_named_by_first_name_gets_the_name_its_profile_gives(self) -> None:
        person = {"@type": "Person", "name": "Stefanus", "description": "Stefanus Stahl - Maschinenbauer, Abenteurer"}  # fmt: skip
        ld = {"@type": "NewsArticle", "headline": "x", "author": person}
        assert extract(article_html(json_ld=ld).encode(), URL, now=NOW).authors == [
            "Stefanus Stahl"
        ]
        person["description"] = "Schreibt über Mountainbikes und Reifen."
        assert extract(article_html(json_ld=ld).encode(), URL, now=NOW).authors == ["Stefanus"]

    def test_the_bylines_links_together_and_not_other_stories_writers(self) -> None:
        html = under_headline(
            article_html(authors_meta="Harbour Times").replace(
                "<h3>Most read</h3><ul>",
                "<h3>Most read</h3><ul><li><a href='/author/ed-other/'>Ed Other</a></li>",
            ),
            "<p><a href='/author/clara-loew/'>Clara Löw</a>, "
            "<a href='/author/s-prakash/'>Siddharth Prakash</a> &amp; "
            "<a href='/author/klaus-jacob/'>Klaus Jacob</a></p>",
        )
        authors = extract(html.encode(), URL, now=NOW).authors
        assert authors == ["Clara Löw", "Siddharth Prakash", "Klaus Jacob"]

    @pytest.mark.parametrize(
        ("box", "expected"),
        [
            ("<span>Datum:</span> 19.11.2021<br><span>Autor:</span> Fritz Imhof<br>", "Fritz Imhof"),
            ("<h4>Autor</h4><p><a href='/profil/nikolai-huke'>Nikolai Huke</a></p>", "Nikolai Huke"),
            ("<b>Von:</b><br><br>Götz Warnke", "Götz Warnke"),
            ("<span>责任编辑： 焦鹏 </span>", "焦鹏"),
        ],
    )  # fmt: skip
    def test_a_labelled_author_far_from_the_headline(self, box: str, expected: str) -> None:
        html = article_html(authors_meta=None).replace("<footer>", f"<footer><div>{box}</div>")
        assert extract(html.encode(), URL, now=NOW).authors == [expected]

    def test_a_byline_the_page_classes_as_one_far_from_the_headline(self) -> None:
        """n-tv's "Von Seb Dumitru" in `article__author`, out of reach of the headline, where
        the meta tags name only the paper."""
        links = "".join(f"<li><a href='/{i}'>Story {i}</a></li>" for i in range(20))
        page = article_html(authors_meta="Harbour Times").replace("</ul>", f"{links}</ul>")
        assert extract(page.encode(), URL, now=NOW).authors == ["Harbour Times"]
        byline = "<footer><span class='article__author'>Von Seb Dumitru</span>"
        html = page.replace("<footer>", byline)
        assert extract(html.encode(), URL, now=NOW).authors == ["Seb Dumitru"]

    def test_a_teasers_classed_byline_is_another_storys(self) -> None:
        tree = lxml.html.fromstring(
            "<html><body><a href='/other'><div class='author-name'>Von Ed Other</div></a>"
            "<p class='byline'>Von Jane Doe</p><a class='author' href='/a'>Ann Link</a></body></html>"
        )
        assert classed_bylines(tree) == ["Von Jane Doe"]

    def test_a_writer_signing_the_story_in_bold_where_only_the_paper_is_named(self) -> None:
        """VnExpress names only itself in its JSON-LD and signs each story at its end."""
        ld = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "VnExpress"}}
        page = article_html(site_name="VnExpress", json_ld=ld)
        signed = page.replace(
            "</article>", "<p style='text-align:right'><strong>Lê Phương</strong></p></article>"
        )
        assert extract(signed.encode(), URL, now=NOW).authors == ["Lê Phương"]
        assert extract(page.encode(), URL, now=NOW).authors == ["VnExpress"]
        bold_lead = page.replace("<article><h1>", "<article><p><strong>Lê Phương</strong></p><h1>")
        assert extract(bold_lead.encode(), URL, now=NOW).authors == ["VnExpress"]  # (not its end)
        meta_only = article_html(authors_meta="Harbour Times").replace(
            "</article>", "<p><b>Lê Phương</b></p></article>"
        )  # (no JSON-LD: the meta tag names the site)
        assert extract(meta_only.encode(), URL, now=NOW).authors == ["Lê Phương"]
        person = {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Bo Li"}}
        named = signed.replace(json.dumps(ld), json.dumps(person))
        assert extract(named.encode(), URL, now=NOW).authors == ["Bo Li"]

    def test_a_menus_authors_link_is_not_the_label(self) -> None:
        html = (
            article_html(authors_meta=None)
            .replace("<nav>", "<nav><a href='/autoren'>Autoren</a>")
            .replace("<footer>", "<footer><div>Autorin: Jane Doe</div>")
        )
        assert extract(html.encode(), URL, now=NOW).authors == ["Jane Doe"]

    def test_a_label_and_name_above_the_headline_are_read_in_order(self) -> None:
        html = article_html(authors_meta=None).replace(
            "<main><article>", "<main><article><p>Sport</p><p>Von</p><p>Jane Doe</p>"
        )
        assert extract(html.encode(), URL, now=NOW).authors == ["Jane Doe"]

    def test_a_dateline_with_the_writer_above_the_headline(self) -> None:
        html = article_html().replace(
            "<main><article>",
            "<main><article><small>04.02.2022 | 13:10 Uhr | Uta Helkenberg</small>",
        )
        assert extract(html.encode(), URL, now=NOW).authors == ["Uta Helkenberg"]

    def test_json_ld_people_first(self) -> None:
        ld = {"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Bo Li"}]}
        html = article_html(json_ld=ld, authors_meta="Someone Else")
        assert extract(html.encode(), URL, now=NOW).authors == ["Bo Li"]
