"""Tokens, fuzzy matching, and no side effects at import."""

from __future__ import annotations

import subprocess
import sys

from services_directory.text import Vocabulary, surface_and_lemmas, tokens
from tests.services_directory.dbtest import REPO


def test_lemmas_without_stop_words() -> None:
    assert tokens("My parents are arguing and I was bullied") == ["parent", "argue", "bully"]


def test_typos_and_teen_spelling_find_the_directory_words() -> None:
    vocabulary = Vocabulary(
        surface_and_lemmas("Counselling for anxiety, loneliness and bullying; someone to talk to")
    )
    assert "counselling" in vocabulary.matches("councelling")
    assert "bully" in vocabulary.matches("bullyed") or "bullying" in vocabulary.matches("bullyed")
    assert "anxiety" in vocabulary.matches("anxiaty")
    assert "loneliness" in vocabulary.matches("lonely")
    assert vocabulary.matches("xylophone") == {}


def test_importing_the_package_has_no_side_effects() -> None:
    code = (
        "import sys\n"
        "import services_directory, services_directory.db, services_directory.search\n"
        "import services_directory.curated, services_directory.crisis, services_directory.io\n"
        "import services_directory.openreferral, services_directory.text\n"
        "assert 'spacy' not in sys.modules, 'spaCy loaded at import'\n"
        "from services_directory.text import nlp\n"
        "assert nlp.cache_info().currsize == 0\n"
        "import sqlalchemy.pool\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
