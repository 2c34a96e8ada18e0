"""MMPose's inferencer and inference API on every pose-model config, and on
a multi-dataset config as MMPose's documentation calls it."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmpose.apis import MMPoseInferencer, inference_topdown, init_model

from tests.apis.helpers import (NOT_POSE_MODELS, POSE_MODELS, REPO_ROOT,
                                SAMPLE_IMAGES, TINY_CONFIG, TINY_MULTI_CONFIG,
                                experiment_configs, shrink)
from tests.datasets.log_capture import current_log_file, warnings_of
from vitpose_plugin.apis import head_names, is_multi_dataset, select_dataset
from vitpose_plugin.checkpoints import save_checkpoint

CONFIGS = experiment_configs()
HEAD_LOG = 'ViTPoseMultiDatasetEstimator: inferring with head'


def test_config_list_covers_the_families():
    names = [osp.basename(path) for path in CONFIGS]
    assert osp.basename(TINY_CONFIG) in names
    assert any('plus-huge' in name for name in names)
    assert any('ochuman' in name for name in names)
    assert any(name.startswith('mae_') for name in names)


def infer_image(pose2d: Config, checkpoint: str, out_dir: str) -> dict:
    """MMPoseInferencer(pose2d=..., pose2d_weights=...) on a sample image
    (the whole image as the person box: no detector download); its one
    person, after checking the predictions file."""
    inferencer = MMPoseInferencer(
        pose2d=pose2d, pose2d_weights=checkpoint, device='cpu',
        det_model='whole_image')
    image = SAMPLE_IMAGES[0]
    result = next(inferencer(image, pred_out_dir=out_dir))
    assert osp.isfile(osp.join(out_dir, osp.splitext(
        osp.basename(image))[0] + '.json'))
    [person] = result['predictions'][0]
    return person


@pytest.mark.parametrize(
    'config', CONFIGS, ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_mmpose_inferencer_runs_every_pose_config(config, tmp_path):
    """MMPose's init_model + inference_topdown and MMPoseInferencer as a
    user calls them, on a small version of every pose-model config (random
    weights through a checkpoint file); a multi-dataset config plainly
    (its default head, the first) and with its last head selected. The
    other configs must be a known training algorithm (NOT_POSE_MODELS)."""
    cfg = Config.fromfile(config)
    if cfg.model.type not in POSE_MODELS:
        assert cfg.model.type in NOT_POSE_MODELS, (
            f'{config}: model type {cfg.model.type!r} is neither a pose model'
            f' {POSE_MODELS} nor a known training algorithm; add it to one')
        return
    log = current_log_file(tmp_path)
    cfg = shrink(cfg)
    model = init_model(cfg, device='cpu')
    checkpoint = str(tmp_path / 'model.pth')
    save_checkpoint(model.state_dict(), checkpoint)
    keypoints = model.dataset_meta['num_keypoints']
    results = inference_topdown(model, SAMPLE_IMAGES[0], np.array(
        [[10, 20, 200, 300], [100, 50, 300, 400]], dtype=np.float32))
    assert [r.pred_instances.keypoints.shape for r in results] == \
        [(1, keypoints, 2)] * 2
    person = infer_image(cfg, checkpoint, str(tmp_path))
    assert len(person['keypoints']) == keypoints
    if not is_multi_dataset(cfg):
        return
    first, last = head_names(cfg)[0], head_names(cfg)[-1]
    assert model.heads[first].out_channels == keypoints
    assert warnings_of(log, HEAD_LOG)[-1].split(HEAD_LOG)[1].startswith(
        f" ['{first}'] (the samples' dataset_name")
    selected = select_dataset(cfg, last)
    person = infer_image(selected, checkpoint, str(tmp_path))
    assert len(person['keypoints']) == model.heads[last].out_channels
    assert f"['{last}'] (model.test_cfg.dataset" in warnings_of(
        log, HEAD_LOG)[-1]


def test_plain_mmpose_inferencer_on_a_multi_dataset_config_file(tmp_path):
    """MMPoseInferencer(pose2d=CONFIG_FILE) as MMPose documents it, random
    weights: the first head (COCO), said in the log."""
    log = current_log_file(tmp_path)
    person = infer_image(TINY_MULTI_CONFIG, None, str(tmp_path))
    assert len(person['keypoints']) == 17
    [line] = warnings_of(log, HEAD_LOG)
    assert "head ['coco'] (the samples' dataset_name" in line
    assert 'build_inferencer(config, dataset=NAME)' in line
