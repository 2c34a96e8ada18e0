import pytest
import torch
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import vitpose_plugin  # noqa: F401
from vitpose_plugin.models.data_preprocessors import udp_gaussian_heatmaps
from vitpose_plugin.structures import PoseSampleBatch

CODEC = dict(
    type='UDPHeatmap', input_size=(48, 64), heatmap_size=(12, 16), sigma=2)
NORMALISE = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                 bgr_to_rgb=True)


def batch(size=3, keypoints=5):
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (size, 3, 64, 48), dtype=torch.uint8,
                           generator=generator)
    return dict(
        inputs=images,
        data_samples=[PoseDataSample() for _ in range(size)],
        targets=dict(
            keypoints=torch.rand(size, keypoints, 2, generator=generator) *
            40,
            keypoints_visible=torch.ones(size, keypoints)))


def test_batch_path_equals_pose_data_preprocessor():
    data = batch()
    ours = MODELS.build(
        dict(type='ViTPoseDataPreprocessor', target_codec=CODEC,
             **NORMALISE))(data, training=True)
    theirs = MODELS.build(dict(type='PoseDataPreprocessor', **NORMALISE))(
        dict(inputs=list(data['inputs']),
             data_samples=[PoseDataSample() for _ in range(3)]))
    torch.testing.assert_close(ours['inputs'], theirs['inputs'])
    samples = ours['data_samples']
    assert isinstance(samples, PoseSampleBatch) and len(samples) == 3
    heatmaps, weights = udp_gaussian_heatmaps(
        data['targets']['keypoints'], data['targets']['keypoints_visible'],
        (48, 64), (12, 16), 2)
    torch.testing.assert_close(samples.heatmaps, heatmaps)
    torch.testing.assert_close(samples.keypoint_weights, weights)


def test_list_inputs_fall_back_to_mmpose():
    preprocessor = MODELS.build(
        dict(type='ViTPoseDataPreprocessor', target_codec=CODEC,
             **NORMALISE))
    out = preprocessor(dict(
        inputs=[torch.zeros(3, 64, 48, dtype=torch.uint8)] * 2,
        data_samples=[PoseDataSample(), PoseDataSample()]))
    assert out['inputs'].shape == (2, 3, 64, 48)
    assert not isinstance(out['data_samples'], PoseSampleBatch)
    assert out['data_samples'][0].batch_input_shape == (64, 48)


def test_targets_without_codec_are_an_error():
    preprocessor = MODELS.build(dict(type='ViTPoseDataPreprocessor'))
    with pytest.raises(ValueError, match='target_codec'):
        preprocessor(batch(), training=True)


@pytest.mark.parametrize('codec, message', [
    (dict(type='MSRAHeatmap', input_size=(4, 4), heatmap_size=(2, 2)),
     'gaussian UDPHeatmap'),
    (dict(CODEC, heatmap_type='combined'), 'gaussian UDPHeatmap'),
    (dict(CODEC, sigmaa=2), 'unknown keys'),
    (dict(type='UDPHeatmap', input_size=(4, 4)), 'misses'),
])
def test_codec_is_validated(codec, message):
    with pytest.raises(ValueError, match=message):
        MODELS.build(dict(type='ViTPoseDataPreprocessor', target_codec=codec))
