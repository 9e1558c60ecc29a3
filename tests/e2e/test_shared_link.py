"""A shared link opened in fresh browsers: the same data, settings, forecast and numbers."""

import re
from urllib.parse import urlencode

from playwright.sync_api import Browser, expect

from forecasting.config import auto_config
from forecasting.share import DataSource, encode
from tests.e2e.drive import TRAINING_TIMEOUT_MS

TINY = auto_config(144, 12, cell="gru", hidden_size=8, members=1, epochs=3)  # airline's length


def test_a_shared_link_gives_the_same_forecast_and_metric_in_two_fresh_browsers(
    app_url, browser: Browser, browser_context_args
):
    link = f"{app_url}/?{urlencode(encode(DataSource.sample('airline'), TINY, 'en', 'forecast'))}"
    seen = []
    for _ in range(2):
        context = browser.new_context(**browser_context_args)  # no cookies, no session: a stranger
        page = context.new_page()
        page.goto(link)
        expect(page.get_by_text("Accuracy on the test part")).to_be_visible(
            timeout=TRAINING_TIMEOUT_MS
        )
        legend = page.locator(".js-plotly-plot .legendtext", has_text="GRU #1 forecast")
        expect(legend.first).to_be_visible()
        mase = page.get_by_text(re.compile(r"^Model MASE here: \d+\.\d{4}$"))
        expect(mase).to_be_visible()
        shown = page.locator("[data-testid='stCode'] code").inner_text().strip()
        assert shown == link, "the page offers the link it was opened with"
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        seen.append(mase.inner_text())
        context.close()
    assert seen[0] == seen[1]
