"""MMPose's inferencer and inference API on every pose-model config."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmpose.apis import MMPoseInferencer, inference_topdown, init_model

from tests.apis.helpers import (SAMPLE_IMAGES, TINY_CONFIG, pose_model_configs,
                                shrink)
from vitpose_plugin.apis import head_names, is_multi_dataset, select_dataset
from vitpose_plugin.checkpoints import save_checkpoint

CONFIGS = pose_model_configs()


def test_config_list_covers_the_families():
    names = [osp.basename(path) for path in CONFIGS]
    assert osp.basename(TINY_CONFIG) in names
    assert any('plus-huge' in name for name in names)
    assert any('ochuman' in name for name in names)
    assert not any('to-base' in name or 'to-nano' in name for name in names)


@pytest.mark.parametrize(
    'config', CONFIGS,
    ids=[osp.relpath(path, osp.dirname(TINY_CONFIG) + '/../..')
         for path in CONFIGS])
def test_inferencer_every_pose_config(config, tmp_path):
    """MMPose's init_model + inference_topdown and
    MMPoseInferencer(pose2d=CONFIG, pose2d_weights=CKPT) as a user calls
    them (the whole image as the person box: no detector download), on a
    sample image; a multi-dataset config for each dataset selected."""
    cfg = shrink(Config.fromfile(config))
    datasets = head_names(cfg) if is_multi_dataset(cfg) else [None]
    if len(datasets) > 3:  # time: the first and the last head
        datasets = [datasets[0], datasets[-1]]
    image = SAMPLE_IMAGES[0]
    for dataset in datasets:
        selected = cfg if dataset is None else select_dataset(cfg, dataset)
        model = init_model(selected, device='cpu')
        checkpoint = str(tmp_path / 'model.pth')
        save_checkpoint(model.state_dict(), checkpoint)
        keypoints = model.dataset_meta['num_keypoints']
        results = inference_topdown(model, image, np.array(
            [[10, 20, 200, 300], [100, 50, 300, 400]], dtype=np.float32))
        assert [r.pred_instances.keypoints.shape for r in results] == \
            [(1, keypoints, 2)] * 2
        inferencer = MMPoseInferencer(
            pose2d=model.cfg, pose2d_weights=checkpoint, device='cpu',
            det_model='whole_image')
        result = next(inferencer(image, pred_out_dir=str(tmp_path)))
        [person] = result['predictions'][0]
        assert len(person['keypoints']) == keypoints
        assert osp.isfile(tmp_path / (osp.splitext(
            osp.basename(image))[0] + '.json'))
