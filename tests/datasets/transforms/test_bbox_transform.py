import numpy as np
from scipy import stats

from vitpose_plugin.datasets import ViTPoseRandomBBoxTransform


def test_truncated_normal_matches_scipy():
    transform = ViTPoseRandomBBoxTransform()
    transform.draws = np.random.default_rng(0)  # as a sample's generator
    draws = transform._truncnorm(size=(5000, 4))
    assert draws.shape == (5000, 4) and draws.dtype == np.float32
    assert draws.min() >= -1 and draws.max() <= 1
    reference = stats.truncnorm(-1, 1)
    assert stats.kstest(draws.ravel(), reference.cdf).pvalue > 1e-3
    # a wrong distribution (uniform on [-1, 1]) is rejected by the same test
    uniform = np.random.uniform(-1, 1, 20000)
    assert stats.kstest(uniform, reference.cdf).pvalue < 1e-6


def test_transform_params_follow_the_settings():
    np.random.seed(1)
    transform = ViTPoseRandomBBoxTransform(
        shift_prob=0., scale_factor=(0.5, 1.5), rotate_prob=1.)
    results = transform(
        dict(bbox_center=np.array([[50., 60.]], np.float32),
             bbox_scale=np.array([[100., 80.]], np.float32)))
    np.testing.assert_array_equal(results['bbox_center'], [[50., 60.]])
    assert 50. <= results['bbox_scale'][0, 0] <= 150.
    assert abs(results['bbox_rotation'][0]) <= 80.
