import pytest

from forecasting.config import ConfigError, TrainConfig, auto_config, default_window


def test_defaults_are_valid_and_round_trip_through_a_dict():
    config = TrainConfig(cell="gru", window=30, horizon=6, seed=7)
    assert TrainConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"cell": "transformer"}, "cell must be one of lstm, gru, rnn; got 'transformer'"),
        ({"window": 1}, "window must be between 2 and 10000; got 1"),
        ({"horizon": 0}, "horizon must be between 1 and 10000; got 0"),
        ({"epochs": 2.5}, "epochs must be a whole number; got 2.5"),
        ({"dropout": 0.99}, "dropout must be between 0.0 and 0.95; got 0.99"),
        ({"lr": float("nan")}, "lr must be a number; got nan"),
        ({"scaler": "robust"}, "scaler must be one of standard, minmax, none; got 'robust'"),
        ({"val_share": 0.0}, "val_share must be above 0"),
        ({"patience": -1}, "patience must be between 0 and 100000; got -1"),
        ({"batch_size": True}, "batch_size must be a whole number; got True"),
        ({"loss": "l1"}, "loss must be one of mae, mse, huber; got 'l1'"),
        ({"members": 0}, "members must be between 1 and 15; got 0"),
        ({"window_scale": "yes"}, "window_scale must be true or false; got 'yes'"),
        ({"linear": 1}, "linear must be true or false; got 1"),
        ({"precision": "bf16"}, "precision must be one of auto, fp32, mixed; got 'bf16'"),
        ({"pool": -1}, "pool must be between 0 and 10000; got -1"),
    ],
)
def test_bad_settings_name_the_setting_and_its_value(change, words):
    with pytest.raises(ConfigError) as caught:
        TrainConfig(**change)
    assert words in str(caught.value)


def test_unknown_keys_in_a_dict_are_refused_by_name():
    with pytest.raises(ConfigError, match="unknown settings \\['colour'\\]"):
        TrainConfig.from_dict({"colour": "red"})


def test_auto_config_takes_the_window_from_the_season():
    config = auto_config(n_points=600, season_length=12)
    assert config.horizon == 12
    assert config.window == 30  # two and a half seasons
    assert config.residual == "seasonal"


def test_auto_config_keeps_short_series_trainable():
    config = auto_config(n_points=36, season_length=12)
    assert config.horizon == 6
    assert config.window + config.horizon <= 36 - 2 * config.horizon


def test_auto_config_without_a_season_uses_the_last_value_as_base():
    config = auto_config(n_points=500, season_length=1)
    assert config.residual == "last"
    assert config.horizon == 12


def test_given_settings_win_over_automatic_ones():
    config = auto_config(n_points=600, season_length=12, window=50, horizon=3, cell="rnn")
    assert (config.window, config.horizon, config.cell) == (50, 3, "rnn")


def test_default_window_stays_within_bounds():
    assert default_window(season_length=1000, train_points=100_000) == 256
    assert default_window(season_length=12, train_points=20) == 6
    assert default_window(season_length=12, train_points=3) == 4


def test_auto_config_reads_extra_inputs_without_window_scaling_and_with_mse():
    plain = auto_config(n_points=300, season_length=12)
    assert (plain.loss, plain.window_scale, plain.members) == ("mae", True, 3)
    with_inputs = auto_config(n_points=300, season_length=12, covariates=("promo",))
    assert (with_inputs.loss, with_inputs.window_scale) == ("mse", False)
    chosen = auto_config(n_points=300, covariates=("promo",), loss="huber", window_scale=True)
    assert (chosen.loss, chosen.window_scale) == ("huber", True)


def test_auto_config_samples_the_epochs_of_long_series_only():
    long = auto_config(n_points=20_000, season_length=24)
    assert (long.epoch_windows, long.patience) == (1024, 10)
    short = auto_config(n_points=500, season_length=12)
    assert (short.epoch_windows, short.patience) == (0, 20)
    assert auto_config(n_points=20_000, epoch_windows=0).epoch_windows == 0


def test_asking_for_every_window_keeps_the_usual_patience():
    every = auto_config(n_points=20_000, season_length=24, epoch_windows=0)
    assert (every.epoch_windows, every.patience) == (0, 20)


def test_automatic_precision_is_mixed_only_for_wide_networks():
    assert not TrainConfig(hidden_size=256).mixed
    assert TrainConfig(hidden_size=1024).mixed
    assert not TrainConfig(hidden_size=1024, precision="fp32").mixed
    assert TrainConfig(hidden_size=8, precision="mixed").mixed


@pytest.mark.parametrize(
    ("cell", "window", "pool", "length"),
    [
        ("lstm", 48, 0, 1),
        ("lstm", 49, 0, 2),
        ("lstm", 130, 0, 3),
        ("gru", 130, 0, 1),
        ("rnn", 130, 0, 1),
        ("gru", 130, 4, 4),
        ("lstm", 130, 1, 1),
        ("lstm", 10, 50, 10),
    ],
)
def test_the_pool_is_automatic_for_long_lstm_windows_only_and_never_beyond_the_window(
    cell, window, pool, length
):
    assert TrainConfig(cell=cell, window=window, pool=pool).pool_length == length
