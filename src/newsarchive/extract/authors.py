"""Authors (pure): a clean list of people from what pages write in author fields and bylines.

Author fields are full of things that are not people: the site's own name, the publishing
company ("… GmbH"), labels a template left ("Von", "Name", "Follow"), job titles after the name
("Staff Writer"), user slugs ("jane.doe"). People are taken from the best source that has any;
an organisation is only kept when no source names a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from newsarchive.extract.metadata import letters, plain_text
from newsarchive.fetch.urls import host_of

_PREFIX = re.compile(
    r"^(?:(?:a|an|ein|eine)\s+)?(?:"
    r"by|von|vom|par|por|di|door|av|af|"
    r"written\s+by|posted\s+by|words\s+by|story\s+by|view\s+all\s+posts\s+by|"
    r"(?:artikel|beitrag|text|bericht|geschrieben|verfasst|interview|kommentar|kolumne|glosse|"
    r"gastbeitrag|reportage|analyse)\s+von|"
    r"zum\s+profil\s+von|publicado\s+por|escrito\s+por|publié\s+par|écrit\s+par|"
    r"(?:zeige\s+)?alle[s]?\s+(?:(?:beiträge|artikel)\s+)?von|more\s+(?:posts|articles|stories)\s+by|"
    r"mehr\s+(?:beiträge|artikel)\s+von|"
    r"(?:author|autor|auteur|autore)(?:in|en|s|\(s\)|/in|\*in)?|"
    r"text|texte|interview|quelle|source|reporter|redakteur|redakteurin"
    r")(?:\s*[:\-–]\s*|\s+|$)",
    re.IGNORECASE,
)
# WordPress and friends: "Posted on September 21, 2020 by Adi Tzlil".
_POSTED_BY = re.compile(
    r"^(?:posted|published|veröffentlicht|publié|publicado)\b.{0,40}?\s(?:by|von|par|por)\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r"\s*(?:;|\||,|\s+(?:and|und|et|y|og|en)\s+|\s+&\s+|\s+im\s+Gespräch\s+mit\s+)\s*",
    re.IGNORECASE,
)
_NUMERIC_DAY = r"(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}-\d{2}-\d{2})"  # 05.04.2025, 2025-04-05
# A dateline that ends in the writer: "11.12.2019 - Amelie Loevenich", "04.02.2022 | 13:10 Uhr | Uta
# Helkenberg" (the name must then look like one)
_DATED = re.compile(
    rf"^{_NUMERIC_DAY}"
    r"(?:\s*[|,]?\s*\d{1,2}[:.]\d{2}(?:\s*uhr)?)?\s*[-–|•·]\s*(?=[^\d\s])",
    re.IGNORECASE,
)
# Job titles after a name ("Evan Halper Staff Writer"): cut there, if a name is left before.
_ROLE = re.compile(
    r"\s+(?:staff\s+(?:writer|reporter)|senior|writer|reporter|correspondent|"
    r"contributor|columnist|editor|chefredakteur(?:in)?|redakteur(?:in)?|korrespondent(?:in)?|"
    r"freie[rn]?|assistant|associate|professor)\b.*$",
    re.IGNORECASE,
)
# Korean bylines end in the writer's role: "신현주 기자" (reporter), "… 특파원" (correspondent).
_ROLE_KO = re.compile(r"\s+(?:기자|특파원)$")
# What widgets put after a name ("… Twitter", "… on August 3", "… under News"): always cut.
_TRAILER = re.compile(
    r"\s+(?:twitter|follow|updated|aktualisiert|under|tiempo\s+de\s+lectura|reading\s+time|"
    r"stand\b|vor\s+\d|"
    r"lesezeit|min\s+read|on\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)\b.*$",
    re.IGNORECASE,
)
# Words that fill author fields and bylines but are never anyone's name.
_NOT_A_NAME = {
    "name",
    "author",
    "autor",
    "admin",
    "administrator",
    "wordpressadmin",
    "posted",
    "by",
    "von",
    "follow",
    "share",
    "teilen",
    "datum",
    "date",
    "stand",
    "published",
    "veröffentlicht",
    "updated",
    "aktualisiert",
    "comments",
    "kommentare",
    "no author",
    "unknown",
    "anonymous",
    "human",
    "publicado el",
    "zuletzt geändert",
    "archiv anzeigen",
    "more",
    "mehr",
}
_LEGAL_FORM = re.compile(
    r"\b(?:gmbh|ag|se|kg|e\.\s?v\.?|inc\.?|ltd\.?|llc|plc|s\.a\.|corp\.?|verlag|media group)(?:\W|$)",
    re.IGNORECASE,
)
# "Kolter, Max": one name written last name first, not two people
_LAST_FIRST = re.compile(r"^\s*([A-ZÄÖÜÉ][^\W\d_A-Z][\w'-]*),\s*([A-ZÄÖÜÉ][^\W\d_A-Z][\w'-]*)\s*$")
# what is not a person: a count of articles ("257 Artikel"), an image credit ("Foto: dpa")
_NOT_A_PERSON = re.compile(
    r"^[(\[]?(?:\d[\d.,]*\s+(?:articles?|artikel|beiträge|beitrag|posts?|stories|comments?|kommentare)\b"
    r"|(?:foto|fotos|bild|bilder|photo|photos|image|grafik|credit)s?\b)",
    re.IGNORECASE,
)
# a degree or licence after a writer's name ("Ilana Muhlstein, MS, RDN"): not an agency
_CREDENTIAL = re.compile(  # (as written: "Ma" and "Do" are names)
    r"^(?:Ph\.?\s?D|M\.?D|M\.?S|M\.?A|B\.?A|B\.?S|M\.?Sc|B\.?Sc|MBA|MPH|MSW|RDN?|R\.?N|LPN|CPT|"
    r"DDS|DVM|D\.?O|J\.?D|LLM|CFA|CPA|CFP|Esq|FACS|FACP)\.?$"
)
_ACRONYM = re.compile(r"^[A-ZÄÖÜ]{2,6}$")  # "LTO", "DPA": an agency or a publisher's desk
_DOMAIN = re.compile(r"\b[\w-]+\.(?:[a-z]{2,6})\b", re.IGNORECASE)
_SLUG = re.compile(r"^[a-z]+(?:[._-][a-z]+)+$")
_TOP_LEVEL = re.compile(r"^www\.|\.(?:com|org|net|info|io|eu|[a-z]{2})$")
# "Jane Doe | 05.04.2025", "Jane Doe · 2024-03-05": a name, a separator, a date
_NAME_THEN_DATE = re.compile(rf"^([^\W\d_][^|·•\d]{{2,60}}?)\s*[|·•]\s*{_NUMERIC_DAY}\b")
MAX_AUTHORS = 20
BYLINE_TEXTS = 15  # the byline is among the first texts under the headline
BYLINE_MAX_CHARS = 80


def names_in(raw_values: Iterable[str]) -> list[str]:
    """Each raw author value split into single names, without prefixes, roles or labels."""
    names: list[str] = []
    for raw in raw_values:
        text = _strip_prefix(plain_text(raw) or "")
        for part in [text] if _LAST_FIRST.match(text) else _SPLIT.split(text):
            name = _clean(part)
            if name:
                names.append(name)
    return _unique(names)[:MAX_AUTHORS]


def _strip_prefix(text: str) -> str:
    while match := _PREFIX.match(text):
        if match.end() == len(text):
            return ""
        text = text[match.end() :]
    return text


def _clean(part: str) -> str | None:
    name = _TRAILER.sub("", _strip_prefix(part.strip()))
    role = _ROLE.search(name)
    if role and len(name[: role.start()].split()) >= 2:  # "Rasender Reporter" is a pen name
        name = name[: role.start()]
    name = _ROLE_KO.sub("", name)
    name = name.strip(" ,;:-–—|·•→")
    words = name.split()
    if len(words) == 2 and words[0] == words[1]:
        name = words[0]  # "jesusfreak jesusfreak": a profile link and its caption
    if name.endswith(".") and len(name.rsplit(" ", 1)[-1]) > 3:
        name = name[:-1]  # a sentence's full stop, not an initial's ("Perry Bacon Jr.")
    if _SLUG.match(name) and not _TOP_LEVEL.search(name):  # "jane.doe": the name it spells
        name = " ".join(word.capitalize() for word in re.split(r"[._-]", name))
    if (
        not name
        or len(name) > 80
        or len(name.split()) > 6
        or name.casefold() in _NOT_A_NAME
        or _NOT_A_PERSON.match(name)
        or _CREDENTIAL.match(name)
        or "://" in name
        or "@" in name
        or "©" in name
        or name.lower().startswith("www.")
        or not any(ch.isalpha() for ch in name)
    ):
        return None
    return name


def is_organisation(name: str, site_name: str | None, url: str | None) -> bool:
    """The site, its domain, a company or an acronym: a publisher, not a writer."""
    folded = letters(name)
    site = letters(site_name or "")
    host_name = _host_name(url)
    return bool(
        (site and (folded == site or (len(folded) >= 4 and (folded in site or site in folded))))
        or (host_name and len(folded) >= 4 and (folded in host_name or host_name in folded))
        or _LEGAL_FORM.search(name)
        or _DOMAIN.search(name)
        or _ACRONYM.match(name)
    )


def _host_name(url: str | None) -> str:
    """The site's address without its top-level domain, as letters: "hessenschau" of
    https://www.hessenschau.de/...."""
    return letters(host_of(url).rsplit(".", 1)[0]) if url else ""


def byline_names(texts: list[str]) -> list[str]:
    """Names from a byline among the short texts under the headline: 'By Jane Doe', 'Von Jane
    Doe', a lone 'By' / 'Von' with the name in the next text, or '11.12.2019 - Jane Doe'."""
    texts = [text for text in texts[:BYLINE_TEXTS] if len(text) <= BYLINE_MAX_CHARS]
    for index, text in enumerate(texts):
        if named := _before_a_date(text, texts[index + 1 : index + 2]):
            return named
        text = text.lstrip(" |·•-–—")  # "| By" after the date
        dated = _DATED.match(text)
        match = _PREFIX.match(text) or _POSTED_BY.match(text) or dated
        if not match:
            continue
        rest = text[match.end() :].strip()
        if not rest and index + 1 < len(texts):
            rest = texts[index + 1]
        found = names_in([rest]) if rest else []
        if dated and not all(map(_full_name_shape, found)):
            continue  # "11.12.2019 - Berlin", "24.12. – Heute ist Weihnachten"
        if found and all(map(looks_like_a_name, found)):
            return found
    return []


def _before_a_date(text: str, following: list[str]) -> list[str]:
    """The writer of 'Sehernur Karsu | 05.04.2025', the date in the same text or the next one
    (a name, a separator, and a date after it: not a place or a section)."""
    match = _NAME_THEN_DATE.match(" ".join([text, *following]))
    if not match:
        return []
    name = _clean(match.group(1))
    return [name] if name and _full_name_shape(name) and looks_like_a_name(name) else []


def _full_name_shape(name: str) -> bool:
    """Two to four capitalised words: what a dateline's writer looks like."""
    words = name.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)


def looks_like_a_name(name: str) -> bool:
    """Capitalised, and every word has letters: 'von rund 1,5 Milliarden' in a sentence is no
    byline ('Marianne1', a user name, is)."""
    words = name.split()
    return (
        len(words) <= 5
        and words[0][:1].isalpha()
        and not words[0][:1].islower()  # capitalised, or a script without case (焦鹏)
        and all(any(ch.isalpha() for ch in word) for word in words)
    )


def choose_authors(
    sources: Iterable[Callable[[], list[str]]],
    guess: Callable[[], list[str]],
    site_name: str | None,
    url: str | None,
    organisations: Iterable[str] = (),
    last_resort: Callable[[], list[str]] = list,
    publisher: str | None = None,
) -> list[str]:
    """The people from the first source that names any, with the co-authors a later source
    adds to them and the agencies the source credits beside them (not the site itself: its
    name, its address, `publisher`); failing that, the people of `last_resort` (a search of the
    whole page, too costly to run on every page); then the first organisation a source named (a
    press release's author is the company); only when no source names anyone, the guess.
    `organisations` are names the page itself calls one (an author typed Organization, the
    publisher)."""
    known = {name.casefold() for name in organisations}

    def split(raw: list[str]) -> tuple[list[str], list[str]]:
        people: list[str] = []
        others: list[str] = []
        for value in raw:
            names = names_in([value])
            if names and _an_address(names, site_name, url):
                others += names[:1]  # "hessenschau.de, Frankfurt, Germany": its address
                continue
            for name in names:
                company = name.casefold() in known or is_organisation(name, site_name, url)
                (others if company else people).append(name)
        return _unique(people)[:MAX_AUTHORS], _unique(others)[:MAX_AUTHORS]

    fallback: list[str] = []
    remaining = iter(sources)
    for source in remaining:
        people, others = split(source())
        if people:
            later = [split(source())[0] for source in remaining]
            people = _spelled_out(_completed(_with_coauthors(people, later), later), guess)
            agencies = [o for o in others if not _the_site(o, site_name, url, publisher)]
            return _unique(people + agencies)
        fallback = fallback or others
    people, others = split(last_resort())
    return people or fallback or others or names_in(guess())


def only_organisations(chosen: list[str], known: list[str]) -> bool:
    """Whether the chosen authors name no person: only `known` organisations (the paper), or
    no one."""
    folded = {name.casefold() for name in known}
    return all(name.casefold() in folded for name in chosen)


def signed(text: str, in_bold: set[str]) -> list[str]:
    """The writer who signs the story with its last line, a paragraph in bold (one of
    `in_bold`); asked only where no source named a person."""
    last = text.rstrip().rsplit("\n", 1)[-1].strip()
    name = _clean(last) if last in in_bold else None
    return [name] if name and _full_name_shape(name) and looks_like_a_name(name) else []


def _the_site(name: str, site_name: str | None, url: str | None, publisher: str | None) -> bool:
    """Whether an organisation a source names beside its writers is the site itself (its name,
    its publisher, its address): dropped, where an agency ("Adam Vidler, AP") is credited."""
    folded = letters(name)
    names = {letters(site_name or ""), letters(publisher or ""), _host_name(url)}
    return any(n and len(folded) >= 2 and (folded in n or n in folded) for n in names)


def _spelled_out(people: list[str], guess: Callable[[], list[str]]) -> list[str]:
    """A user name run together ("arianschlichenmayer") as the guess spells it out ("Arian
    Schlichenmayer"), where the guess has those letters."""
    if not any(" " not in p and p.islower() and len(p) >= 6 for p in people):
        return people
    spelled = {letters(name): name for name in names_in(guess()) if " " in name}
    return [spelled.get(letters(p), p) if " " not in p else p for p in people]


def _an_address(names: list[str], site_name: str | None, url: str | None) -> bool:
    """A publisher followed by single words only ("hessenschau.de, Frankfurt, Germany"): its
    address; "DPA, Jane Doe" is an agency and a writer, "Le Figaro et AFP" two publishers."""
    return is_organisation(names[0], site_name, url) and all(
        " " not in n and not _ACRONYM.match(n) for n in names[1:]
    )


def _completed(people: list[str], later: list[list[str]]) -> list[str]:
    """A first name alone ("Nils", a profile's display name) as a later source writes it in
    full ("Eine Kolumne von Nils Pickert")."""
    fuller = [name for names in later for name in names if 2 <= len(name.split()) <= 4]
    return [
        next((n for n in fuller if n.casefold().startswith(p.casefold() + " ")), p)
        if " " not in p
        else p
        for p in people
    ]


def _with_coauthors(people: list[str], later: list[list[str]]) -> list[str]:
    """`people`, or the longer list of a later source that begins with them: JSON-LD often
    names the first writer of several that the meta tags or the byline name."""
    found = [p.casefold() for p in people]
    for names in later:
        if len(names) > len(people) and [n.casefold() for n in names[: len(found)]] == found:
            return names  # (they lead it: "Prisma Média, Marie Merlet" adds a publisher)
    return people


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out
