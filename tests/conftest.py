from pathlib import Path

import numpy as np
import pytest
import torch

from data.prepare import from_array
from data.series import Series

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

# Tiny models train as fast on one thread, and two threads crawl when the machine is busy.
torch.set_num_threads(1)


def noisy_sine(n: int = 400, period: int = 20, noise: float = 0.1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(n)
    return 10 + np.sin(2 * np.pi * steps / period) + noise * rng.standard_normal(n)


@pytest.fixture
def sine_series() -> Series:
    return from_array(noisy_sine(), target="signal")
