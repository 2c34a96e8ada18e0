"""split_model: one dataset of a multi-dataset model as a plain model."""
import pytest
import torch
from mmengine.config import Config

from tests.apis.helpers import TINY_CONFIG, TINY_MULTI_CONFIG
from vitpose_plugin.apis import (init_pose_model, single_dataset_model_config,
                                 split_model)


def test_split_model_predicts_the_dataset_head():
    torch.manual_seed(0)
    multi = init_pose_model(TINY_MULTI_CONFIG, dataset='mpii')
    single = split_model(multi, 'mpii')
    assert type(single).__name__ == 'TopdownPoseEstimator'
    assert single.head.out_channels == 16
    assert single.dataset_meta['num_keypoints'] == 16
    inputs = torch.randn(2, 3, 128, 96)
    with torch.no_grad():
        expected = multi(inputs, None, mode='tensor')['mpii']
        got = single(inputs, None, mode='tensor')
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match='already a single-dataset'):
        single_dataset_model_config(Config.fromfile(TINY_CONFIG), 'coco')
    with pytest.raises(ValueError, match=r"unknown dataset 'wholebody'"):
        single_dataset_model_config(Config.fromfile(TINY_MULTI_CONFIG),
                                    'wholebody')
