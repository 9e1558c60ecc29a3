"""How a user drives the app in the browser: the Train form, and waiting for the run it makes.

Shared by the browser tests and the browser benchmarks in bench/.
"""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

TRAINING_TIMEOUT_MS = 180_000
TRAINED = re.compile(r"^Trained .+ in [\d.]+ s")


def choose(page: Page, cells: Locator, cell: str) -> None:
    """Click the cell's radio button; a rerun can briefly draw the form twice, so retry."""
    for _ in range(20):
        choice = cells.get_by_text(cell, exact=True)
        try:
            expect(choice).to_have_count(1, timeout=10_000)
            choice.click(timeout=5_000)
            expect(cells.get_by_role("radio", name=cell)).to_be_checked(timeout=5_000)
            return
        except (PlaywrightError, AssertionError):
            page.wait_for_timeout(500)
    raise AssertionError(f"could not choose the {cell} cell")


def fill_number(page: Page, label: str, value: int) -> None:
    field = page.get_by_role("spinbutton", name=label)
    field.fill(str(value))
    field.press("Tab")


def lowest(page: Page, label: str) -> None:
    """Move the slider `label` to its lowest value, as a keyboard user does with Home."""
    thumb = page.get_by_role("slider", name=label)
    thumb.focus()
    thumb.press("Home")


def fill_train_form(
    page: Page,
    cell: str,
    epochs: int,
    patience: int | None = None,
    smallest: tuple[str, ...] = (),
) -> None:
    """Open the Train page, choose the cell ("LSTM") and set the epochs, without pressing Train.

    `smallest` names sliders to set to their lowest value, e.g. "Hidden size".
    """
    page.get_by_role("link", name="Train").click()
    cells = page.get_by_role("radiogroup", name="Cell")
    expect(cells).to_have_count(1, timeout=30_000)  # one form: the last run's elements are gone
    choose(page, cells, cell)
    for label in smallest:
        if not page.get_by_role("slider", name=label).is_visible():
            page.get_by_text("More settings", exact=True).click()
        lowest(page, label)
    fill_number(page, "Epochs", epochs)
    if patience is not None:
        fill_number(page, "Patience", patience)


def press_train(page: Page) -> None:
    page.get_by_role("button", name="Train", exact=True).click()


def start_training(page: Page, cell: str, epochs: int, **settings) -> None:
    """Fill the Train form (see fill_train_form) and press Train."""
    fill_train_form(page, cell, epochs, **settings)
    press_train(page)


def stop_training(page: Page) -> None:
    """Press Stop until the page says it stops (it is redrawn with the progress, so a press
    can miss); return at once if it already stops or has ended."""
    stop = page.get_by_role("button", name="Stop")
    stopping = page.get_by_text("Stopping after this epoch").or_(page.get_by_text(TRAINED))
    for _ in range(20):
        try:
            if not stopping.count():
                stop.click(timeout=5_000)
            expect(stopping.first).to_be_visible(timeout=5_000)
            return
        except (PlaywrightError, AssertionError):
            page.wait_for_timeout(250)
    raise AssertionError("could not stop training")


def wait_trained(page: Page, run_name: str, timeout_ms: int = TRAINING_TIMEOUT_MS) -> None:
    """Wait until the Train page says that the run `run_name` ("GRU #3") is done."""
    expect(page.get_by_text(f"Trained {run_name} in")).to_be_visible(timeout=timeout_ms)


def train(page: Page, run_name: str, epochs: int) -> None:
    """Train the cell that starts `run_name` ("GRU #3") and wait until that very run is done."""
    start_training(page, run_name.split()[0], epochs)
    wait_trained(page, run_name)
