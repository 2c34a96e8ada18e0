import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import MSRAHeatmap
from mmpose.registry import KEYPOINT_CODECS
from mmpose.structures import PoseDataSample

import vitpose_plugin  # noqa: F401

from vitpose_plugin.structures import PoseSampleBatch, heatmap_targets


def sample_with_fields(value):
    sample = PoseDataSample()
    sample.gt_fields = PixelData(heatmaps=torch.full((2, 4, 3), value))
    sample.gt_instance_labels = InstanceData(
        keypoint_weights=torch.full((1, 2), value))
    return sample


def test_batch_tensors_are_read_without_copy():
    heatmaps, weights = torch.rand(3, 2, 4, 3), torch.rand(3, 2)
    batch = PoseSampleBatch([PoseDataSample()] * 3, heatmaps=heatmaps,
                            keypoint_weights=weights)
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


CODEC = dict(type='ViTPoseUDPHeatmap', input_size=(48, 64),
             heatmap_size=(12, 16), sigma=2)


def mixture_batch():
    """4 samples of two keypoint sets (3 and 2 keypoints, padded to 3)."""
    keypoints = torch.rand(4, 3, 2, generator=torch.Generator().manual_seed(0))
    keypoints = keypoints * 40
    visible = torch.ones(4, 3)
    visible[[1, 3], 2] = 0
    samples = [PoseDataSample(metainfo=dict(id=i)) for i in range(4)]
    return PoseSampleBatch(samples, keypoints=keypoints,
                           keypoints_visible=visible,
                           keypoint_counts=[3, 2, 3, 2])


def test_sorting_and_slicing_keep_the_tensors():
    batch = mixture_batch()
    grouped = batch.take([0, 2, 1, 3])
    assert [s.id for s in grouped] == [0, 2, 1, 3]
    assert grouped.keypoint_counts == (3, 3, 2, 2)
    torch.testing.assert_close(grouped.keypoints[1], batch.keypoints[2])
    second = grouped[2:4]
    assert isinstance(second, PoseSampleBatch) and len(second) == 2
    assert second.keypoint_counts == (2, 2)
    torch.testing.assert_close(second.keypoints, batch.keypoints[[1, 3]])
    assert isinstance(grouped[0], PoseDataSample)


def test_each_group_draws_its_own_keypoints():
    codec = KEYPOINT_CODECS.build(CODEC)
    grouped = mixture_batch().take([0, 2, 1, 3])
    heatmaps, weights = heatmap_targets(grouped[2:4], codec)
    assert heatmaps.shape == (2, 2, 16, 12) and weights.shape == (2, 2)
    expected, _ = codec.batch_encode(grouped.keypoints[2:4, :2],
                                     grouped.keypoints_visible[2:4, :2])
    torch.testing.assert_close(heatmaps, expected)
    with pytest.raises(ValueError, match=r'mixes keypoint sets of \[2, 3\]'):
        heatmap_targets(grouped, codec)


def test_drawing_needs_a_device_codec():
    codec = MSRAHeatmap(input_size=(48, 64), heatmap_size=(12, 16), sigma=2,
                        unbiased=True)
    with pytest.raises(ValueError, match="type='ViTPoseUDPHeatmap'"):
        heatmap_targets(mixture_batch()[0:1], codec)
