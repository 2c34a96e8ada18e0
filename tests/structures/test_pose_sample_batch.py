import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.structures import PoseDataSample

from vitpose_plugin.structures import PoseSampleBatch, heatmap_targets


def sample_with_fields(value):
    sample = PoseDataSample()
    sample.gt_fields = PixelData(heatmaps=torch.full((2, 4, 3), value))
    sample.gt_instance_labels = InstanceData(
        keypoint_weights=torch.full((1, 2), value))
    return sample


def test_batch_tensors_are_read_without_copy():
    heatmaps, weights = torch.rand(3, 2, 4, 3), torch.rand(3, 2)
    batch = PoseSampleBatch([PoseDataSample()] * 3, heatmaps, weights)
    assert isinstance(batch, list) and len(batch) == 3
    got = heatmap_targets(batch)
    assert got[0] is heatmaps and got[1] is weights


def test_per_sample_fields_are_stacked():
    heatmaps, weights = heatmap_targets(
        [sample_with_fields(1.), sample_with_fields(2.)])
    assert heatmaps.shape == (2, 2, 4, 3) and weights.shape == (2, 2)
    assert heatmaps[1].eq(2).all() and weights[0].eq(1).all()


def test_missing_targets_name_the_fix():
    with pytest.raises(ValueError, match='PackViTPoseInputs'):
        heatmap_targets([PoseDataSample()])


def test_rows_must_match_the_samples():
    with pytest.raises(ValueError, match='2 rows for 3 samples'):
        PoseSampleBatch([PoseDataSample()] * 3, heatmaps=torch.zeros(2, 1))
