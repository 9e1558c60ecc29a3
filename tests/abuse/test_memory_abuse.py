"""Trainings whose passes would not fit in a small server's memory, though every setting is
within its own limit: refused from the settings alone, before anything is allocated."""

import pytest

from data.catalog import load_sample, samples
from forecasting.compare import trio_base, trio_configs
from forecasting.config import TrainConfig, series_config
from forecasting.lessons import LESSONS
from forecasting.limits import (
    GIB,
    LimitError,
    ServerLimits,
    check_config,
    estimated_parameters,
    estimated_training_bytes,
)
from forecasting.share import ShareError, decode
from tests.abuse.apps import no_job, opened, shown
from ui.share import page_names, source_series
from ui.text import LANGUAGES

# every setting at the Train form's top but the batch's: 12.9M weights, within their limit
WIDEST = {"hidden_size": 256, "num_layers": 4, "window": 512, "pool": 1, "members": 7}
WIDEST_LINK = {
    "sample": "co2",
    "batch_size": "1024",
    **{name: str(value) for name, value in WIDEST.items()},
}
REFUSAL = (
    "Training this network would take about 147.0 GiB of memory (1,024 windows a batch x 512 "
    "steps x 256 units x 4 layers x 7 members); this server allows at most 1.0 GiB "
    "(FORECAST_LAB_TRAINING_BYTES). Use a smaller batch, a shorter window"
)


def widest(batch_size: int = 1024) -> TrainConfig:
    return TrainConfig(**WIDEST, batch_size=batch_size, horizon=12)


def test_the_widest_network_at_the_largest_batch_is_refused_naming_estimate_limit_and_fix():
    limits = ServerLimits()
    config = widest()
    assert estimated_parameters(config) <= limits.parameters  # the weights alone pass
    assert estimated_training_bytes(config) == 147 * GIB
    with pytest.raises(LimitError) as refused:
        check_config(config, limits)
    assert REFUSAL in str(refused.value)
    assert "fewer units, layers or members" in str(refused.value)


def test_the_same_network_at_a_small_batch_fits():
    check_config(widest(batch_size=4), ServerLimits())


def test_a_link_to_the_widest_network_is_refused_in_the_app_and_trains_nothing():
    app = opened(WIDEST_LINK)
    assert not app.exception
    [error] = app.error
    assert shown(error).startswith("This link cannot be opened: This link asks for more than")
    assert REFUSAL in shown(error)
    assert no_job(app)


def test_an_operator_raising_the_training_memory_limit_lets_it_through(limits_env):
    with pytest.raises(ShareError, match="FORECAST_LAB_TRAINING_BYTES"):
        linked(WIDEST_LINK).config_for(len(load_sample("co2")), 12, ServerLimits.from_env())
    limits_env(TRAINING_BYTES=str(160 * GIB))
    limits = ServerLimits.from_env()
    assert limits.training_bytes == 160 * GIB
    check_config(widest(), limits)
    config = linked(WIDEST_LINK).config_for(len(load_sample("co2")), 12, limits)
    assert (config.batch_size, config.hidden_size, config.members) == (1024, 256, 7)


def linked(params: dict[str, str]):
    return decode(params, languages=LANGUAGES, pages=page_names(), limits=ServerLimits.from_env())


@pytest.mark.parametrize("key", [entry.key for entry in samples()])
def test_the_train_forms_defaults_and_the_trio_fit_well_within_the_default_limit(key):
    series = load_sample(key)
    limits = ServerLimits()
    offered = [series_config(series), *trio_configs(trio_base(series))]
    offered += [series_config(series, cell=cell, pool=1) for cell in ("lstm", "gru", "rnn")]
    for config in offered:
        check_config(config, limits, len(series))
        assert estimated_training_bytes(config) < limits.training_bytes / 8, config


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_every_lessons_runs_fit_within_the_default_limit(lesson):
    series, _ = source_series(lesson.source)
    for config in lesson.configs(series):
        check_config(config, ServerLimits(), len(series))
