import codecs
import time

from newsarchive.extract.charset import declared_charset, decode

TEXT = "Zürich: Café, Straße und Œuvre — “quoted”"


def test_header_charset_wins() -> None:
    body = f"<html><body>{TEXT}</body></html>".encode("cp1252")
    text, codec = decode(body, "windows-1252")
    assert TEXT in text
    assert codec == "cp1252"


def test_meta_charset_when_header_is_silent() -> None:
    body = (
        '<html><head><meta charset="iso-8859-15"></head><body>Zürich Straße</body></html>'.encode(
            "iso-8859-15"
        )
    )
    text, _ = decode(body, None)
    assert "Zürich Straße" in text


def test_iso_8859_1_label_is_read_as_windows_1252_like_browsers() -> None:
    body = "<p>“quoted” – dash</p>".encode("cp1252")
    text, _ = decode(body, "ISO-8859-1")
    assert "“quoted” – dash" in text


def test_wrong_header_charset_falls_back_instead_of_garbling() -> None:
    """A server that claims UTF-8 but sends Windows-1252 bytes."""
    body = f'<html><head><meta charset="windows-1252"></head><body>{TEXT}</body></html>'.encode(
        "cp1252"
    )
    text, codec = decode(body, "utf-8")
    assert TEXT in text
    assert codec == "cp1252"


def test_undeclared_legacy_charset_is_detected() -> None:
    russian = (
        "Президент России провёл совещание с членами правительства по экономическим вопросам. " * 5
    )
    text, _ = decode(f"<html><body><p>{russian}</p></body></html>".encode("cp1251"), None)
    assert "Президент России" in text


def test_bom_beats_everything() -> None:
    body = codecs.BOM_UTF8 + f"<p>{TEXT}</p>".encode()
    text, _ = decode(body, "iso-8859-1")
    assert TEXT in text


def test_unknown_labels_are_ignored() -> None:
    text, codec = decode(b"<p>plain</p>", "x-no-such-charset")
    assert text == "<p>plain</p>"
    assert codec == "utf-8"


def test_valid_utf8_wins_over_a_declared_latin1() -> None:
    """A template that says ISO-8859-1 around UTF-8 text: read as browsers do, not as mojibake."""
    body = f'<html><head><meta charset="ISO-8859-1"></head><body>{TEXT}</body></html>'.encode()
    text, codec = decode(body, "iso-8859-1")
    assert TEXT in text
    assert codec == "utf-8"


def test_real_latin1_is_still_latin1() -> None:
    body = '<html><head><meta charset="ISO-8859-1"></head><body>Zürich Straße</body></html>'
    text, _ = decode(body.encode("latin-1"), None)
    assert "Zürich Straße" in text


def test_valid_utf8_wins_over_any_declared_single_byte_charset() -> None:
    text = "Новости: Москва и Санкт-Петербург"
    body = f'<html><head><meta charset="windows-1251"></head><body>{text}</body></html>'.encode()
    assert text in decode(body, "koi8-r")[0]


def test_meta_charset_forms_are_read() -> None:
    for tag in (
        b'<meta charset="koi8-r">',
        b"<meta charset='koi8-r' >",
        b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">',
        b'<META HTTP-EQUIV="content-type" CONTENT="text/html;charset= KOI8-R">',
    ):
        assert declared_charset(b"<html><head>" + tag) == "koi8-r", tag


def test_a_hostile_meta_tag_is_read_in_linear_time() -> None:
    """Unclosed <meta openings and a run of spaces after charset= (4 KB, the part read) once
    took ~30 s: each opening scanned the run again, with two quantifiers sharing its spaces."""
    body = b"<meta " * 227 + b"charset=" + b" " * 2730 + b"!"
    started = time.perf_counter()
    assert declared_charset(body) is None
    assert time.perf_counter() - started < 3  # linear: milliseconds
