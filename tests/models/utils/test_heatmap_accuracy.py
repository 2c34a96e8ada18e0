import numpy as np
import pytest
import torch
from mmpose.evaluation.functional import pose_pck_accuracy

from vitpose_plugin.models.utils import heatmap_pck_accuracy


def reference(heatmaps, targets, weights):
    return pose_pck_accuracy(heatmaps.float().numpy(),
                             targets.float().numpy(),
                             weights.numpy() > 0)[1]


@pytest.mark.parametrize('seed', range(3))
def test_equals_mmpose_pck(seed):
    generator = torch.Generator().manual_seed(seed)
    targets = torch.rand(8, 17, 16, 12, generator=generator)
    heatmaps = targets + 0.3 * torch.randn(8, 17, 16, 12, generator=generator)
    weights = (torch.rand(8, 17, generator=generator) > 0.3).float()
    heatmaps[0, 0] = -1.0       # non-positive maximum: location -1
    targets[1, 2] = 0.0
    heatmaps[2, 3] = 0.5        # all ties: the first maximum
    weights[:, 5] = 0           # a keypoint type nobody labels
    accuracy = heatmap_pck_accuracy(heatmaps, targets, weights)
    assert accuracy.shape == () and accuracy.dtype == torch.float32
    assert accuracy.item() == pytest.approx(
        reference(heatmaps, targets, weights), abs=1e-6)


def test_no_labelled_keypoint_gives_zero_and_bf16_input():
    heatmaps = torch.rand(2, 3, 8, 6)
    assert heatmap_pck_accuracy(heatmaps, heatmaps, torch.zeros(2, 3)) == 0
    weights = torch.ones(2, 3)
    assert heatmap_pck_accuracy(heatmaps.bfloat16(), heatmaps,
                                weights).item() == pytest.approx(
                                    reference(heatmaps.bfloat16(), heatmaps,
                                              weights))
