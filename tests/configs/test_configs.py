"""Every config file loads, builds, trains one step and tests one step.

The files stay as they are; only width/depth, pretrained init, batch size and
the data paths are overridden, the data pointing at the samples shipped in
data/ (one per dataset format).
"""
import glob
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.registry import MODELS
from scipy.io import savemat

from ..conftest import REPO_ROOT
from ..tools.helpers import load_tool

merge_cfg_options = load_tool('config_options').merge_cfg_options

CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
CONFIGS = [c for c in CONFIGS if '_base_' not in c]
TINY_BACKBONE = dict(embed_dims=32, depth=2, num_heads=2)
# Wider than TINY_BACKBONE: distillation configs exercise the token
# projection between different widths.
TINY_TEACHER = dict(embed_dims=48, depth=2, num_heads=2)

# dataset type -> (sample folder, annotation file, detection boxes or None)
SAMPLES = {
    'CocoDataset': ('sample_coco', 'test_coco.json',
                    'test_coco_det_AP_H_56.json'),
    'OCHumanDataset': ('sample_coco', 'test_coco.json', None),
    'AicDataset': ('sample_aic', 'test_aic.json', None),
    'CrowdPoseDataset': ('sample_crowdpose', 'test_crowdpose.json',
                         'test_crowdpose_det_AP_40.json'),
    'MpiiDataset': ('sample_mpii', 'test_mpii.json', None),
}


def config_id(path):
    return osp.relpath(path, osp.join(REPO_ROOT, 'configs'))


def mpii_headboxes(ann_file, out_file):
    """Head boxes from head-top/upper-neck joints (the sample has no .mat)."""
    anns = json.load(open(ann_file))
    boxes = np.zeros((2, 2, len(anns)))
    for i, ann in enumerate(anns):
        neck, top = np.array(ann['joints'][8]), np.array(ann['joints'][9])
        half = max(np.linalg.norm(top - neck) / 2, 1.0)
        center = (neck + top) / 2
        boxes[:, :, i] = [center - half, center + half]
    savemat(out_file, dict(headboxes_src=boxes))


def point_at_sample(cfg, tmp_path):
    """Redirect every dataloader and evaluator to the shipped sample data."""
    dataset_type = cfg.val_dataloader.dataset.type
    if dataset_type == 'SyntheticCocoDataset':
        return shrink_synthetic_data(cfg, tmp_path)
    folder, ann_file, bbox_file = SAMPLES[dataset_type]
    root = osp.join(REPO_ROOT, 'data', folder) + '/'
    options = {'data_root': root}
    if dataset_type == 'OCHumanDataset':
        # The training side of this config is COCO: use the COCO sample too.
        options['train_dataloader.dataset.data_root'] = root
    headbox = None
    if dataset_type == 'MpiiDataset':
        headbox = str(tmp_path / 'headboxes.mat')
        mpii_headboxes(root + ann_file, headbox)
    for split in ('train', 'val', 'test'):
        key = f'{split}_dataloader'
        options.update({
            f'{key}.batch_size': 2,
            f'{key}.num_workers': 0,
            f'{key}.persistent_workers': False,
            f'{key}.dataset.ann_file': ann_file,
            f'{key}.dataset.data_prefix': dict(img=''),
            f'{key}.dataset.indices': 2,
        })
        if split != 'train' and 'bbox_file' in cfg[key].dataset:
            options[f'{key}.dataset.bbox_file'] = \
                root + bbox_file if bbox_file else None
        if split != 'train' and headbox:
            options[f'{key}.dataset.headbox_file'] = headbox
    for split in ('val', 'test'):
        if 'ann_file' in cfg[f'{split}_evaluator']:
            options[f'{split}_evaluator.ann_file'] = root + ann_file
    return merge_cfg_options(cfg, options)


def shrink_synthetic_data(cfg, tmp_path):
    """Generate tiny synthetic splits in ``tmp_path`` instead."""
    options = {}
    for split in ('train', 'val', 'test'):
        key = f'{split}_dataloader'
        options.update({
            f'{key}.batch_size': 2,
            f'{key}.num_workers': 0,
            f'{key}.persistent_workers': False,
            f'{key}.dataset.cache_root': str(tmp_path / 'synthetic'),
            f'{key}.dataset.generator.num_instances': 4,
            f'{key}.dataset.indices': 2,
        })
    return merge_cfg_options(cfg, options)


def shrink_pose_model(model_cfg, arch=TINY_BACKBONE):
    backbone, head = model_cfg.backbone, model_cfg.head
    backbone.arch = arch
    backbone.init_cfg = None
    if backbone.get('frozen_stages', -1) > arch['depth']:
        backbone.frozen_stages = arch['depth']  # 'everything'
    head.in_channels = arch['embed_dims']
    if 'deconv_out_channels' in head:
        head.deconv_out_channels = (16, ) * len(head.deconv_out_channels)


def save_tiny_teacher(teacher_cfg, path):
    """A random teacher with a knowledge token, saved as a checkpoint."""
    teacher_cfg = teacher_cfg.copy()
    teacher_cfg.backbone = dict(teacher_cfg.backbone, knowledge_tokens=1)
    teacher = MODELS.build(teacher_cfg)
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return path


def shrink_model(cfg, tmp_path):
    """Shrink the model; a distillation config gets a tiny teacher saved
    in ``tmp_path`` as its teacher and token checkpoint."""
    model = cfg.model
    if model.type not in ('ViTPoseKnowledgeTokenTuner',
                          'ViTPoseTokenDistiller'):
        shrink_pose_model(model)
        return
    if model.get('student'):
        shrink_pose_model(model.student)
    teacher = model.get('teacher') or dict(
        type='TopdownPoseEstimator',
        backbone=dict(type='ViTPoseBackbone'),
        head=dict(type='ViTPoseClassicHead', out_channels=17))
    teacher = Config(dict(teacher=teacher)).teacher
    shrink_pose_model(teacher, TINY_TEACHER)
    checkpoint = save_tiny_teacher(teacher, str(tmp_path / 'teacher.pth'))
    if model.get('teacher'):
        model.teacher = teacher
    for key in ('teacher_checkpoint', 'token_checkpoint'):
        if model.get(key):
            model[key] = checkpoint


@pytest.mark.parametrize('config', CONFIGS, ids=config_id)
def test_config_builds_trains_and_tests_one_step(config, tmp_path):
    cfg = Config.fromfile(config)
    assert cfg.custom_imports.imports == ['vitpose_plugin']
    point_at_sample(cfg, tmp_path)
    shrink_model(cfg, tmp_path)
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg.max_epochs = 1
    cfg.train_cfg.val_interval = 1
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    assert metrics, 'the test step produced no metrics'
    assert all(np.isfinite(v) for v in metrics.values())


def test_every_config_is_listed_in_the_configs_readme():
    readme = open(osp.join(REPO_ROOT, 'configs', 'README.md')).read()
    missing = [config_id(c) for c in CONFIGS
               if osp.basename(c) not in readme]
    assert not missing


def test_config_names_are_unique():
    # mim finds a config by file name alone.
    names = [osp.basename(c) for c in CONFIGS]
    assert len(names) == len(set(names))


def test_data_root_alone_moves_every_path(tmp_path):
    """A COCO-style copy of the sample, reached with data_root only."""
    sample = osp.join(REPO_ROOT, 'data', 'sample_coco')
    root = tmp_path / 'coco'
    for folder in ('annotations', 'train2017', 'val2017',
                   'person_detection_results'):
        (root / folder).mkdir(parents=True)
    for name in os.listdir(sample):
        if name.endswith('.jpg'):
            for split in ('train2017', 'val2017'):
                os.symlink(osp.join(sample, name), root / split / name)
    for split in ('train2017', 'val2017'):
        os.symlink(osp.join(sample, 'test_coco.json'),
                   root / 'annotations' / f'person_keypoints_{split}.json')
    os.symlink(
        osp.join(sample, 'test_coco_det_AP_H_56.json'),
        root / 'person_detection_results' /
        'COCO_val2017_detections_AP_H_56_person.json')

    config = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint',
                      'topdown_heatmap', 'coco',
                      'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py')
    cfg = merge_cfg_options(Config.fromfile(config),
                            {'data_root': str(root)})
    text = cfg.pretty_text
    assert 'data/coco' not in text
    assert cfg.val_dataloader.dataset.bbox_file == str(
        root / 'person_detection_results' /
        'COCO_val2017_detections_AP_H_56_person.json')
    assert cfg.val_evaluator.ann_file == str(
        root / 'annotations' / 'person_keypoints_val2017.json')

    shrink_model(cfg, tmp_path)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.batch_size, loader.num_workers = 2, 0
        loader.persistent_workers = False
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_epochs = 1
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert 'coco/AP' in runner.test()
