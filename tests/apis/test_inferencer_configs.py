"""MMPose's inferencer and inference API on every pose-model config, and on
a multi-dataset config as MMPose's documentation calls it.

A ViTPose-S/L/H config named like its ViTPose-B sibling (size_variant_base)
is, once shrunk, the B config but for training-only keys and the backbone's
size keys, its shrunk backbone giving the head the same features:
test_size_variant_infers_as_its_base checks that, so the inferencer runs on
the B config for the family."""
import os.path as osp
from typing import Callable, Dict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import MMPoseInferencer, inference_topdown, init_model
from mmpose.registry import MODELS

from tests.apis.helpers import (NOT_POSE_MODELS, POSE_MODELS, REPO_ROOT,
                                SAMPLE_IMAGES, TINY_CONFIG, TINY_MULTI_CONFIG,
                                experiment_configs, shrink, size_variant_base)
from tests.configs.test_default_runtime import flat_keys
from tests.datasets.log_capture import current_log_file, warnings_of
from vitpose_plugin.apis import head_names, is_multi_dataset, select_dataset
from vitpose_plugin.checkpoints import save_checkpoint

CONFIGS = experiment_configs()
SIZE_VARIANTS = [c for c in CONFIGS if size_variant_base(c)]
INFERENCER_CONFIGS = [c for c in CONFIGS if c not in SIZE_VARIANTS]
HEAD_LOG = 'ViTPoseMultiDatasetEstimator: inferring with head'
#: What a size variant's shrunk config may change from its B config's:
#: the optimizer (training only), stochastic depth (off at inference) and
#: ViTPose-H's 14x14 patch kernel (same token grid: checked by the
#: backbones' outputs).
SIZE_VARIANT_KEYS = ('optim_wrapper.', 'model.backbone.drop_path_rate',
                     'model.backbone.patch_kernel_size')


@pytest.fixture(scope='module')
def load_config() -> Callable[[str], Config]:
    """``Config.fromfile`` once per file for this module's tests (shrink
    copies before changing one)."""
    loaded: Dict[str, Config] = {}

    def load(path: str) -> Config:
        if path not in loaded:
            loaded[path] = Config.fromfile(path)
        return loaded[path]

    return load


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


def config_ids(paths):
    return [osp.relpath(p, REPO_ROOT) for p in paths]


def test_size_variants_are_split_off():
    assert len(SIZE_VARIANTS) >= 30
    assert all(size_variant_base(c) in INFERENCER_CONFIGS
               for c in SIZE_VARIANTS)


@pytest.mark.parametrize('config', SIZE_VARIANTS,
                         ids=config_ids(SIZE_VARIANTS))
def test_size_variant_infers_as_its_base(config, load_config):
    """What the inferencer reads (model type, heads, codec, test_cfg,
    data preprocessor, dataset meta, test pipeline) is the B config's once
    both are shrunk; shrunk backbones that differ in more than stochastic
    depth give the same feature shape."""
    variant = shrink(load_config(config))
    base = shrink(load_config(size_variant_base(config)))
    variant_keys, base_keys = (flat_keys(c.to_dict()) for c in (variant,
                                                                 base))
    differing = {
        key for key in variant_keys.keys() | base_keys.keys()
        if variant_keys.get(key, '<missing>') != base_keys.get(
            key, '<missing>')
    }
    unexpected = sorted(
        key for key in differing if not key.startswith(SIZE_VARIANT_KEYS))
    assert not unexpected, f'{config} differs from its B config: {unexpected}'
    if differing & {'model.backbone.patch_kernel_size'}:
        assert feature_shapes(variant) == feature_shapes(base)


def feature_shapes(cfg: Config) -> list:
    """The shapes of the features ``cfg``'s backbone gives the head for one
    image of its input size (its first dataset's experts, if any)."""
    backbone = MODELS.build(cfg.model.backbone).eval()
    experts = backbone.num_experts
    group_sizes = [1] + [0] * (experts - 1) if experts else None
    with torch.no_grad():
        features = backbone(
            torch.zeros(1, 3, *backbone.img_size), group_sizes=group_sizes)
    return [tuple(f.shape) for f in features]


@pytest.mark.parametrize('config', INFERENCER_CONFIGS,
                         ids=config_ids(INFERENCER_CONFIGS))
def test_mmpose_inferencer_runs_every_pose_config(config, tmp_path,
                                                  load_config):
    """MMPose's init_model + inference_topdown and MMPoseInferencer as a
    user calls them, on a small version of every pose-model config but the
    size variants (random weights through a checkpoint file); a
    multi-dataset config plainly (its default head, the first) and with its
    last head selected. The other configs must be a known training
    algorithm (NOT_POSE_MODELS)."""
    cfg = load_config(config)
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
