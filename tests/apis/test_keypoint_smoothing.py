"""KeypointSmoother: a One Euro filter per track."""
import numpy as np
import pytest

from vitpose_plugin.apis import KeypointSmoother

FPS = 25.


def filtered(smoother, track, signal):
    return np.array([smoother(track, value, k / FPS)
                     for k, value in enumerate(signal)])


def test_jitter_of_a_still_keypoint_is_removed():
    rng = np.random.default_rng(0)
    signal = 100 + rng.normal(0, 2, (50, 3, 2))
    smooth = filtered(KeypointSmoother(), 0, signal)
    np.testing.assert_allclose(smooth[0], signal[0])
    assert smooth[10:].std() < signal[10:].std() / 2


def test_fast_motion_lags_less_with_a_higher_beta():
    ramp = np.linspace(0, 200, 25)[:, None, None] * np.ones((1, 2, 2))
    lag = {beta: np.abs(filtered(KeypointSmoother(beta=beta), 0, ramp) -
                        ramp)[-1].max() for beta in (0., 0.05)}
    assert lag[0.05] < lag[0.] / 2


def test_tracks_are_independent_and_forgotten():
    smoother = KeypointSmoother()
    smoother(0, np.zeros((1, 2)), 0.)
    smoother(1, np.full((1, 2), 50.), 0.)
    assert 0 < smoother(0, np.full((1, 2), 10.), 0.04)[0, 0] < 10
    assert 10 < smoother(1, np.full((1, 2), 60.), 0.04)[0, 0] < 60
    smoother.keep_only([1])
    # Track 0 ended: an id seen again starts afresh.
    assert smoother(0, np.full((1, 2), 30.), 0.08)[0, 0] == 30


def test_bad_parameters_are_errors():
    with pytest.raises(ValueError, match='min_cutoff'):
        KeypointSmoother(min_cutoff=0)
    with pytest.raises(ValueError, match='beta'):
        KeypointSmoother(beta=-1)
