"""Rich text is cleaned to a small allow-list: scripts, handlers and script links never survive."""

from __future__ import annotations

from ventanilla.core.richtext import sanitize_html


def test_a_script_is_removed_with_its_content() -> None:
    assert sanitize_html("<p>Hola</p><script>alert('x')</script>") == "<p>Hola</p>"


def test_event_handlers_and_styles_are_stripped() -> None:
    cleaned = sanitize_html('<p style="color:red" onclick="x()">Hi<img src=x onerror=alert(1)></p>')

    assert cleaned == "<p>Hi</p>"


def test_a_javascript_link_loses_its_target() -> None:
    cleaned = sanitize_html('<a href="javascript:alert(1)">pulsa</a>')

    assert "javascript" not in cleaned
    assert "pulsa" in cleaned


def test_safe_markup_and_web_links_survive() -> None:
    html = (
        "<p><strong>Cita</strong> el <em>lunes</em></p><ul><li>DNI</li></ul>"
        '<a href="https://sede.example.es/cita">sede</a> <a href="mailto:a@b.es">correo</a>'
    )

    cleaned = sanitize_html(html)

    assert "<strong>Cita</strong>" in cleaned
    assert "<ul><li>DNI</li></ul>" in cleaned
    assert '<a href="https://sede.example.es/cita" rel="noopener noreferrer">sede</a>' in cleaned
    assert 'href="mailto:a@b.es"' in cleaned


def test_unknown_tags_keep_their_text() -> None:
    assert sanitize_html("<div><h1>Aviso</h1></div>") == "Aviso"
