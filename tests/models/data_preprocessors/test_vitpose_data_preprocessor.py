import pytest
import torch
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import vitpose_plugin  # noqa: F401
from vitpose_plugin.structures import PoseSampleBatch

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
            keypoints_visible=torch.ones(size, keypoints),
            keypoint_counts=[keypoints] * size))


def test_batch_path_equals_pose_data_preprocessor():
    data = batch()
    ours = MODELS.build(
        dict(type='ViTPoseDataPreprocessor', **NORMALISE))(data,
                                                           training=True)
    theirs = MODELS.build(dict(type='PoseDataPreprocessor', **NORMALISE))(
        dict(inputs=list(data['inputs']),
             data_samples=[PoseDataSample() for _ in range(3)]))
    torch.testing.assert_close(ours['inputs'], theirs['inputs'])
    samples = ours['data_samples']
    assert isinstance(samples, PoseSampleBatch) and len(samples) == 3
    torch.testing.assert_close(samples.keypoints, data['targets']['keypoints'])
    torch.testing.assert_close(samples.keypoints_visible,
                               data['targets']['keypoints_visible'])
    assert samples.keypoint_counts == (5, 5, 5)


def test_the_batch_carries_the_images_and_the_dataset_index():
    data = dict(batch(), dataset_index=torch.tensor([1, 0, 1]),
                host_dataset_index=[1, 0, 1])
    out = MODELS.build(dict(type='ViTPoseDataPreprocessor', **NORMALISE))(
        data, training=True)
    samples = out['data_samples']
    assert samples.inputs is out['inputs']
    assert samples.dataset_index.tolist() == [1, 0, 1]
    assert samples.host_dataset_index == (1, 0, 1)


def test_list_inputs_fall_back_to_mmpose():
    preprocessor = MODELS.build(
        dict(type='ViTPoseDataPreprocessor', **NORMALISE))
    out = preprocessor(dict(
        inputs=[torch.zeros(3, 64, 48, dtype=torch.uint8)] * 2,
        data_samples=[PoseDataSample(), PoseDataSample()]))
    assert out['inputs'].shape == (2, 3, 64, 48)
    assert not isinstance(out['data_samples'], PoseSampleBatch)
    assert out['data_samples'][0].batch_input_shape == (64, 48)


def test_target_codec_is_ignored_with_a_warning():
    with pytest.warns(DeprecationWarning, match='target_codec'):
        MODELS.build(dict(type='ViTPoseDataPreprocessor',
                          target_codec=dict(type='ViTPoseUDPHeatmap')))
