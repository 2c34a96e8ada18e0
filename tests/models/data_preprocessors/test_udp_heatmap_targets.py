import numpy as np
import pytest
import torch
from mmpose.codecs import UDPHeatmap

from vitpose_plugin.models.data_preprocessors import udp_gaussian_heatmaps


@pytest.mark.parametrize('sigma', [2, 1.5, 3])
@pytest.mark.parametrize('input_size, heatmap_size',
                         [((192, 256), (48, 64)), ((256, 256), (64, 64))])
def test_equals_mmpose_udp_codec(sigma, input_size, heatmap_size):
    rng = np.random.default_rng(0)
    batch, keypoints = 24, 17
    # inside, on the border and far outside the crop, some invisible
    points = rng.uniform(-60, max(input_size) + 60,
                         (batch, keypoints, 2)).astype(np.float32)
    points[0, :4] = [[0, 0], [input_size[0] - 1, input_size[1] - 1],
                     [-7.4, 3], [input_size[0] + 20, 10]]
    visible = (rng.uniform(size=(batch, keypoints)) > 0.2).astype(np.float32)
    codec = UDPHeatmap(input_size=input_size, heatmap_size=heatmap_size,
                       sigma=sigma)
    encoded = [codec.encode(points[i:i + 1], visible[i:i + 1])
               for i in range(batch)]
    heatmaps, weights = udp_gaussian_heatmaps(
        torch.from_numpy(points), torch.from_numpy(visible), input_size,
        heatmap_size, sigma)
    reference = np.stack([e['heatmaps'] for e in encoded])
    assert heatmaps.dtype == torch.float32
    np.testing.assert_allclose(heatmaps.numpy(), reference, atol=1e-5,
                               rtol=0)
    np.testing.assert_array_equal(
        weights.numpy(), np.concatenate([e['keypoint_weights']
                                         for e in encoded]))
    # the sample really has keypoints outside the heatmap (weight 0)
    assert (weights.numpy() == 0).sum() > (visible == 0).sum()
