"""ui/text.py: every language has every English string, with the same placeholders."""

from string import Formatter

import pytest
from streamlit.testing.v1 import AppTest

from forecasting.config import TrainConfig
from forecasting.share import DataSource, encode
from tests.conftest import ROOT
from tests.test_pages import settle
from tests.test_share import open_link
from ui import state, text
from ui.text import DEFAULT_LANGUAGE, LANGUAGES, TEXT, t

ENGLISH = TEXT[DEFAULT_LANGUAGE]
TRANSLATIONS = sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE})


def placeholders(template: str) -> set[str]:
    """The names a template fills in: {'pct'} for 'by {pct:.0%}'."""
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def placeholder_mismatches(table: dict[str, str]) -> list[str]:
    """Keys whose translation fills in other values than the English text does."""
    return sorted(
        key
        for key, template in table.items()
        if key in ENGLISH and placeholders(template) != placeholders(ENGLISH[key])
    )


def test_every_language_offered_has_a_table_of_strings():
    assert set(TEXT) == set(LANGUAGES)
    assert LANGUAGES[DEFAULT_LANGUAGE] == "English"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_english_string_is_translated(language):
    missing = sorted(set(ENGLISH) - set(TEXT[language]))
    assert not missing, f"{len(missing)} keys missing in {language}, first: {missing[:5]}"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_fill_in_the_same_values_as_the_english(language):
    assert placeholder_mismatches(TEXT[language]) == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_have_no_keys_the_english_lacks(language):
    assert sorted(set(TEXT[language]) - set(ENGLISH)) == []


def test_a_placeholder_renamed_or_dropped_in_a_translation_is_caught():
    table = {
        "train.done": "Entrenat {name} en {seconds:.1f} s ({reason}).",
        "sidebar.data": "Dades: **{nom}** ({points} punts)",
        "sidebar.run": "Execució",
    }
    assert placeholders(ENGLISH["train.done"]) == placeholders(table["train.done"])
    assert placeholder_mismatches(table) == ["sidebar.data", "sidebar.run"]


def test_a_string_not_yet_translated_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(text.TEXT, "ca", {"nav.data": "Dades"})
    assert t("nav.data", "ca") == "Dades"
    assert t("nav.train", "ca") == ENGLISH["nav.train"]
    assert t("sidebar.run", "ca", name="GRU #1") == "Run: **GRU #1**"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_no_translation_is_empty(language):
    assert [key for key, value in TEXT[language].items() if not value.strip()] == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_are_not_english_copies(language):
    sentences = [key for key, value in ENGLISH.items() if len(value) > 15]
    copied = [key for key in sentences if TEXT[language].get(key) == ENGLISH[key]]
    assert len(copied) <= 0.1 * len(sentences), f"{len(copied)} copied, first: {copied[:5]}"


def formats(template: str) -> list[tuple[str, str, str | None]]:
    """Each value a template fills in, with its format spec: ('pct', '.0%', None)."""
    return sorted((name, spec, conv) for _, name, spec, conv in Formatter().parse(template) if name)


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_format_each_value_as_the_english_does(language):
    table = TEXT[language]
    assert [key for key in table if formats(table[key]) != formats(ENGLISH[key])] == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_keep_the_markdown_and_maths_of_the_english(language):
    marks = ("**", "`", "$", "  \n")
    changed = [
        key
        for key, template in TEXT[language].items()
        if any(template.count(mark) != ENGLISH[key].count(mark) for mark in marks)
    ]
    assert changed == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_home_and_data_pages_run_in_the_chosen_language(language):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state[state.LANGUAGE] = language
    app.run()
    assert not app.exception
    assert app.sidebar.selectbox[0].label == TEXT[language]["lang.label"] != ENGLISH["lang.label"]
    assert TEXT[language]["home.start"] in [element.value for element in app.markdown]
    app.switch_page("app_pages/data.py").run()
    assert not app.exception
    assert [element.value for element in app.title] == [TEXT[language]["data.title"]]
    assert TEXT[language]["nav.data"] != ENGLISH["nav.data"]


def test_a_synthetic_signal_is_the_same_data_in_every_language():
    fingerprints = set()
    for language in LANGUAGES:
        app = open_link(encode(DataSource.synthetic("sine", 300, 4), language=language))
        assert app.session_state[state.DATASET].name == TEXT[language]["signal.sine.title"]
        fingerprints.add(app.session_state[state.SERIES].fingerprint())
    assert len(fingerprints) == 1, "the name shown is translated, the data is not"


def test_why_training_stopped_is_said_in_the_session_s_language():
    config = TrainConfig(window=24, horizon=12, hidden_size=8, epochs=2, members=1)
    app = open_link(encode(DataSource.sample("airline"), config, "ca", "train"))
    app.button(key="train-start").click().run()
    settle(app)
    notice = app.success[0].value
    assert notice.startswith("S'ha entrenat LSTM #1 en ")
    assert notice.endswith(": completades 2 èpoques."), notice
