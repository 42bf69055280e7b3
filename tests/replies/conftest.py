"""Fixtures for the reply tests."""

from unittest import mock

import pytest

from replies import pdf


@pytest.fixture(scope="module")
def letters_rendered_once():
    """Render each distinct letter once per test module, however many cases sign it again.

    A signed letter is a pure function of its LetterData (a frozen, hashable record), so a case
    that signs the same reply in a fresh database gets the very bytes the first case rendered.
    """
    rendered = {}
    real = pdf.render_letter_pdf

    def render_once(letter, **options):
        key = (letter, tuple(sorted(options.items())))
        if key not in rendered:
            rendered[key] = real(letter, **options)
        return rendered[key]

    with mock.patch.object(pdf, "render_letter_pdf", render_once):
        yield rendered
