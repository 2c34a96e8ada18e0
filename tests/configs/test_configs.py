"""Every config file loads, builds, trains one step and tests one step.

The files stay as they are; only width/depth, pretrained init, batch size and
the data paths are overridden, the data pointing at the samples shipped in
data/ (one per dataset format; every dataset of a multi-dataset mixture at
its own). The multi-dataset configs are also checked against the published
recipes and built at full size on the meta device.
"""
import contextlib
import glob
import json
import os
import os.path as osp
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from scipy.io import savemat

from vitpose_plugin.checkpoints import split_multi_dataset
from vitpose_plugin.engine import ViTPoseRunner

from ..apis.helpers import size_variant_base
from ..conftest import REPO_ROOT
from ..tools.helpers import load_tool

merge_cfg_options = load_tool('config_options').merge_cfg_options

CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
CONFIGS = [c for c in CONFIGS if '_base_' not in c]
# MAE pretraining (mmpretrain scope, no pose model): tests/configs/
# test_mae_pretraining_configs.py.
POSE_CONFIGS = [c for c in CONFIGS
                if osp.sep + 'mae_pretraining' + osp.sep not in c]
TINY_BACKBONE = dict(embed_dims=32, depth=2, num_heads=2)
# Wider than TINY_BACKBONE: distillation configs exercise the token
# projection between different widths.
TINY_TEACHER = dict(embed_dims=48, depth=2, num_heads=2)

# dataset type -> (sample folder, annotation file, detection boxes or None)
SAMPLES = {
    'CocoDataset': ('sample_coco', 'test_coco.json',
                    'test_coco_det_AP_H_56.json'),
    'OCHumanDataset': ('sample_ochuman', 'test_ochuman.json', None),
    'AicDataset': ('sample_aic', 'test_aic.json', None),
    'CrowdPoseDataset': ('sample_crowdpose', 'test_crowdpose.json',
                         'test_crowdpose_det_AP_40.json'),
    'MpiiDataset': ('sample_mpii', 'test_mpii.json', None),
    'AP10KDataset': ('sample_ap10k', 'test_ap10k.json', None),
    'CocoWholeBodyDataset': ('sample_coco', 'test_coco_wholebody.json',
                             'test_coco_det_AP_H_56.json'),
    'InterHand2DSingleHandDataset': ('sample_interhand2.6m',
                                 'test_interhand2.6m_data.json', None),
    'OneHand10KDataset': ('sample_onehand10k', 'test_onehand10k.json', None),
    'WFLWDataset': ('sample_wflw', 'test_wflw.json', None),
    'Face300WDataset': ('sample_300w', 'test_300w.json', None),
    'COFWDataset': ('sample_cofw', 'test_cofw.json', None),
}
# dataset type -> its other annotation files in the sample folder
SAMPLE_FILES = {
    'InterHand2DSingleHandDataset': dict(
        camera_param_file='test_interhand2.6m_camera.json',
        joint_file='test_interhand2.6m_joint_3d.json'),
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


def sample_root(dataset_type):
    """The folder of the sample of ``dataset_type``, with a trailing /."""
    return osp.join(REPO_ROOT, 'data', SAMPLES[dataset_type][0]) + '/'


def point_at_sample(cfg, tmp_path):
    """Redirect every dataloader and evaluator to the shipped sample data."""
    dataset_type = cfg.val_dataloader.dataset.type
    if dataset_type == 'ViTPoseDatasetMixture':
        return point_mixture_at_sample(cfg, tmp_path)
    if dataset_type == 'SyntheticCocoDataset':
        return shrink_synthetic_data(cfg, tmp_path)
    options = {'data_root': sample_root(dataset_type)}
    for split in ('train', 'val', 'test'):
        key = f'{split}_dataloader'
        # OCHuman configs train on COCO: each split at its own type's sample
        split_type = cfg[key].dataset.type
        _, ann_file, bbox_file = SAMPLES[split_type]
        root = sample_root(split_type)
        options.update({
            f'{key}.batch_size': 2,
            f'{key}.num_workers': 0,
            f'{key}.persistent_workers': False,
            f'{key}.dataset.data_root': root,
            f'{key}.dataset.ann_file': ann_file,
            f'{key}.dataset.data_prefix': dict(img=''),
            f'{key}.dataset.indices': 2,
        })
        for name, file in SAMPLE_FILES.get(split_type, {}).items():
            options[f'{key}.dataset.{name}'] = file
        if split != 'train' and 'bbox_file' in cfg[key].dataset:
            options[f'{key}.dataset.bbox_file'] = \
                root + bbox_file if bbox_file else None
        if split != 'train' and split_type == 'MpiiDataset':
            headbox = str(tmp_path / 'headboxes.mat')
            mpii_headboxes(root + ann_file, headbox)
            options[f'{key}.dataset.headbox_file'] = headbox
    root = sample_root(dataset_type)
    ann_file = SAMPLES[dataset_type][1]
    for split in ('val', 'test'):
        if 'ann_file' in cfg[f'{split}_evaluator']:
            options[f'{split}_evaluator.ann_file'] = root + ann_file
    return merge_cfg_options(cfg, options)


def point_mixture_at_sample(cfg, tmp_path):
    """Every dataset of every mixture at its sample (2 samples each) and
    every dataset's metric at its sample's annotations; training is one
    batch of all its samples (one iteration that sees every dataset: 1 per
    dataset, or 2 each before a ``sample_ratio_factor``)."""
    train = cfg.train_dataloader.dataset
    factors = train.get('sample_ratio_factor')
    train_size = 2 if factors else 1
    train_batch = sum(round(train_size * factor)
                      for factor in factors or [1] * len(train.datasets))
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.update(
            batch_size=train_batch if split == 'train' else 2,
            num_workers=0,
            persistent_workers=False)
        for dataset in loader.dataset.datasets:
            point_dataset_at_sample(dataset, tmp_path)
            dataset.indices = train_size if split == 'train' else 2
            # Serialising runs a full gc.collect per dataset: seconds here.
            dataset.serialize_data = False
        metrics = cfg.get(f'{split}_evaluator', {}).get('metrics', {})
        names = loader.dataset.get('names') or []
        for name, dataset in zip(names, loader.dataset.datasets):
            if metrics.get(name, {}).get('ann_file'):
                metrics[name].ann_file = dataset.data_root + dataset.ann_file
    return cfg


def point_dataset_at_sample(dataset, tmp_path):
    """One dataset config at the sample of its type (a synthetic one
    generated small in ``tmp_path``), detection boxes kept where it has
    them, MPII head boxes written to ``tmp_path``."""
    if dataset.type == 'SyntheticCocoDataset':
        dataset.cache_root = str(tmp_path / 'synthetic')
        dataset.generator = dict(dataset.get('generator') or {},
                                 num_instances=4)
        return
    _, ann_file, bbox_file = SAMPLES[dataset.type]
    root = sample_root(dataset.type)
    dataset.update(data_root=root, ann_file=ann_file,
                   data_prefix=dict(img=''))
    if dataset.get('bbox_file'):
        dataset.bbox_file = root + bbox_file if bbox_file else None
    if dataset.get('headbox_file'):
        dataset.headbox_file = str(tmp_path / 'headboxes.mat')
        mpii_headboxes(root + ann_file, dataset.headbox_file)


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
    """A tiny backbone (its dataset experts, if any, kept but narrower) and
    narrow heads (every head of a multi-dataset model)."""
    backbone = model_cfg.backbone
    backbone.arch = arch
    backbone.init_cfg = None
    if backbone.get('frozen_stages', -1) > arch['depth']:
        backbone.frozen_stages = arch['depth']  # 'everything'
    if backbone.get('num_experts'):
        backbone.expert_dims = arch['embed_dims'] // 4
    heads = model_cfg.heads.values() if 'heads' in model_cfg \
        else [model_cfg.head]
    for head in heads:
        head.in_channels = arch['embed_dims']
        if 'deconv_out_channels' in head:
            head.deconv_out_channels = (16, ) * len(head.deconv_out_channels)


def save_tiny_teacher(teacher_cfg, path):
    """A random teacher with a knowledge token, saved as a checkpoint."""
    teacher_cfg = teacher_cfg.copy()
    teacher_cfg.backbone = dict(teacher_cfg.backbone, knowledge_tokens=1)
    with DefaultScope.overwrite_default_scope('mmpose'):
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


@pytest.fixture
def unformatted_config_text(monkeypatch):
    """Config text as written, not yapf-formatted: the runner formats the
    whole config for its dump and for every checkpoint, which takes seconds
    for the multi-dataset configs (and is not under test)."""
    import mmengine.config.config as config_module
    monkeypatch.setattr(config_module, 'FormatCode',
                        lambda text, **kwargs: (text, False))


# One runner iteration per config family: a shrunk S/L/H config would train
# its B config's model again.
RUNNER_CONFIGS = [c for c in POSE_CONFIGS if size_variant_base(c) is None]


@pytest.mark.parametrize('config', RUNNER_CONFIGS, ids=config_id)
def test_config_builds_trains_and_tests_one_step(config, tmp_path,
                                                 unformatted_config_text):
    cfg = Config.fromfile(config)
    assert cfg.custom_imports.imports == ['vitpose_plugin']
    point_at_sample(cfg, tmp_path)
    shrink_model(cfg, tmp_path)
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg.max_epochs = 1
    cfg.train_cfg.val_interval = 1
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    runner = ViTPoseRunner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    assert metrics, 'the test step produced no metrics'
    assert all(np.isfinite(v) for v in metrics.values())
    # the metric the best checkpoint is chosen by (OKS AP, PCKh, AUC, NME)
    save_best = cfg.default_hooks.checkpoint.get('save_best')
    assert save_best is None or save_best in metrics
    # A mixture is evaluated dataset by dataset, under each one's name.
    names = cfg.test_dataloader.dataset.get('names') or []
    assert {key.split('/')[0] for key in metrics} >= set(names)


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


# Multi-dataset configs (paper sec. 4.6, ViTPose++), against the published
# recipes (paper, official ViTPose+ configs), not the configs' own tables.
MULTI_DATASET_DIR = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint',
                             'topdown_heatmap', 'multi_dataset')
MIXTURES = {
    'coco-aic-mpii': ('coco', 'aic', 'mpii'),
    'coco-aic-mpii-crowdpose': ('coco', 'aic', 'mpii', 'crowdpose'),
    '6datasets': ('coco', 'aic', 'mpii', 'ap10k', 'apt36k', 'wholebody'),
}
NUM_KEYPOINTS = dict(coco=17, aic=14, mpii=16, crowdpose=14, ap10k=17,
                     apt36k=17, wholebody=133)
DATASET_TYPES = dict(
    coco='CocoDataset', aic='AicDataset', mpii='MpiiDataset',
    crowdpose='CrowdPoseDataset', ap10k='AP10KDataset',
    apt36k='AP10KDataset', wholebody='CocoWholeBodyDataset')
METRIC_TYPES = dict(mpii='MpiiPCKAccuracy', wholebody='CocoWholeBodyMetric')
# size -> (width, depth, drop path): the ViTPose recipe for every family.
VIT_SIZES = dict(small=(384, 12, 0.1), base=(768, 12, 0.3),
                 large=(1024, 24, 0.5), huge=(1280, 32, 0.55))
# Multi-task: the single-task COCO layer decay (no separate value published).
MULTI_TASK_DECAY = dict(base=0.75, large=0.8, huge=0.85)
# ViTPose++: size -> (layer decay, expert_dims).
VITPOSE_PLUS = dict(small=(0.8, 192), base=(0.75, 192), large=(0.8, 256),
                    huge=(0.8, 320))


def multi_dataset_recipe(size, plus, mixture):
    """The expected recipe of one multi-dataset config."""
    width, depth, drop_path = VIT_SIZES[size]
    decay, expert_dims = VITPOSE_PLUS[size] if plus \
        else (MULTI_TASK_DECAY[size], None)
    return dict(
        size=size, width=width, depth=depth, drop_path=drop_path,
        decay=decay, expert_dims=expert_dims, names=MIXTURES[mixture],
        lr=1e-3 if plus else 5e-4, batch=128 if plus else 64,
        workers=8 if plus else 4)


MULTI_DATASET_RECIPES = {
    f'td-hm_ViTPose-{size}_8xb64-210e_{mixture}-256x192.py':
    multi_dataset_recipe(size, False, mixture)
    for size in MULTI_TASK_DECAY
    for mixture in ('coco-aic-mpii', 'coco-aic-mpii-crowdpose')
}
MULTI_DATASET_RECIPES.update({
    f'td-hm_ViTPose-plus-{size}_8xb128-210e_6datasets-256x192.py':
    multi_dataset_recipe(size, True, '6datasets')
    for size in VITPOSE_PLUS
})


def test_multi_dataset_configs_are_the_published_ones():
    assert sorted(os.listdir(MULTI_DATASET_DIR)) == sorted(
        MULTI_DATASET_RECIPES)


@pytest.mark.parametrize('name', sorted(MULTI_DATASET_RECIPES))
def test_multi_dataset_config_recipe(name):
    recipe = MULTI_DATASET_RECIPES[name]
    cfg = Config.fromfile(osp.join(MULTI_DATASET_DIR, name))
    names = list(recipe['names'])

    # One mixture (plain concatenation), the same datasets everywhere in
    # the same order: heads, mixtures, metrics.
    assert cfg.model.type == 'ViTPoseMultiDatasetEstimator'
    assert list(cfg.model.heads) == names
    for split in ('train', 'val', 'test'):
        mixture = cfg[f'{split}_dataloader'].dataset
        assert mixture.type == 'ViTPoseDatasetMixture'
        assert mixture.names == names
        assert [d.type for d in mixture.datasets] == [
            DATASET_TYPES[n] for n in names]
        assert all(d.get('test_mode', False) == (split != 'train')
                   for d in mixture.datasets)
    # persons of an image in a row: one decode per image (issue 22)
    assert cfg.train_dataloader.sampler.type == 'ViTPoseImageGroupedSampler'
    for split in ('val', 'test'):
        evaluator = cfg[f'{split}_evaluator']
        assert evaluator.type == 'ViTPoseMultiDatasetEvaluator'
        assert list(evaluator.metrics) == names
        for n in names:
            assert evaluator.metrics[n].type == METRIC_TYPES.get(
                n, 'CocoMetric')
        if 'crowdpose' in names:
            assert evaluator.metrics.crowdpose.iou_type == 'keypoints_crowd'
    assert cfg.default_hooks.checkpoint.save_best == 'coco/AP'

    # Model: MAE-initialised ViT of the size, classic decoders.
    backbone = cfg.model.backbone
    assert backbone.arch == recipe['size']
    assert backbone.drop_path_rate == recipe['drop_path']
    assert backbone.init_cfg.checkpoint.endswith(
        f'mae_pretrain_vit_{recipe["size"]}_20230913.pth')
    if recipe['expert_dims']:
        assert backbone.num_experts == len(names)
        assert backbone.expert_dims == recipe['expert_dims']
    else:
        assert not backbone.get('num_experts')
    for n, head in cfg.model.heads.items():
        assert head.type == 'ViTPoseClassicHead'
        assert head.in_channels == recipe['width']
        assert head.out_channels == NUM_KEYPOINTS[n]
        assert tuple(head.deconv_out_channels) == (256, 256)

    # Schedule: AdamW, layer decay, warm-up 500, steps 170/200 of 210.
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, tuple(optimizer.betas),
            optimizer.weight_decay) == ('AdamW', recipe['lr'], (0.9, 0.999),
                                        0.1)
    assert cfg.optim_wrapper.paramwise_cfg.layer_decay_rate == \
        recipe['decay']
    assert cfg.optim_wrapper.clip_grad.max_norm == 1.0
    assert cfg.train_cfg.max_epochs == 210
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end, warmup.by_epoch) == ('LinearLR', 500,
                                                          False)
    assert (steps.type, list(steps.milestones)) == ('MultiStepLR',
                                                    [170, 200])
    assert cfg.train_dataloader.batch_size == recipe['batch']
    assert cfg.train_dataloader.num_workers == recipe['workers']
    assert cfg.auto_scale_lr.base_batch_size == 8 * recipe['batch']


@contextlib.contextmanager
def parameters_on_meta():
    """Modules built inside get their parameters and buffers on the meta
    device: full-size shapes without memory or initialisation cost."""
    register_parameter = torch.nn.Module.register_parameter
    register_buffer = torch.nn.Module.register_buffer

    def on_meta_parameter(module, name, param):
        if param is not None:
            param = torch.nn.Parameter(param.to('meta'), param.requires_grad)
        register_parameter(module, name, param)

    def on_meta_buffer(module, name, tensor, persistent=True):
        if tensor is not None:
            tensor = tensor.to('meta')
        register_buffer(module, name, tensor, persistent)

    with mock.patch.object(torch.nn.Module, 'register_parameter',
                           on_meta_parameter), \
            mock.patch.object(torch.nn.Module, 'register_buffer',
                              on_meta_buffer):
        yield


@pytest.mark.parametrize('name', sorted(MULTI_DATASET_RECIPES))
def test_multi_dataset_config_at_full_size(name):
    """The real model (on the meta device): every dataset's heatmaps from
    one mixed batch, the expert shapes, and layer decay reaching the
    experts as the shared FFN."""
    recipe = MULTI_DATASET_RECIPES[name]
    cfg = Config.fromfile(osp.join(MULTI_DATASET_DIR, name))
    with parameters_on_meta(), \
            DefaultScope.overwrite_default_scope('mmpose'):
        model = MODELS.build(cfg.model)
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    width, depth = recipe['width'], recipe['depth']
    assert len(model.backbone.blocks) == depth

    model.eval()
    names = list(recipe['names'])
    samples = [PoseDataSample(metainfo=dict(dataset_name=n))
               for n in reversed(names)]
    heatmaps = model(torch.empty(len(names), 3, 256, 192, device='meta'),
                     samples, mode='tensor')
    assert {n: tuple(h.shape) for n, h in heatmaps.items()} == {
        n: (1, NUM_KEYPOINTS[n], 64, 48) for n in names}

    mlp = model.backbone.blocks[-1].mlp
    expert_dims = recipe['expert_dims']
    if expert_dims:
        assert mlp.fc2.weight.shape == (width - expert_dims, 4 * width)
        assert [tuple(e.weight.shape) for e in mlp.experts] == \
            [(expert_dims, 4 * width)] * len(names)
    else:
        assert mlp.fc2.weight.shape == (width, 4 * width)
        assert not hasattr(mlp, 'experts')

    groups = {
        id(param): (group['lr'], group['weight_decay'])
        for group in optim_wrapper.optimizer.param_groups
        for param in group['params']
    }
    lr, decay = recipe['lr'], recipe['decay']
    for key in ('weight', 'bias'):
        shared = groups[id(getattr(mlp.fc2, key))]
        assert shared == pytest.approx(
            (lr * decay, 0.1 if key == 'weight' else 0.))
        for expert in getattr(mlp, 'experts', []):
            assert groups[id(getattr(expert, key))] == shared
    for head in model.heads.values():
        assert groups[id(head.final_layer.weight)] == pytest.approx(
            (lr, 0.1))


SINGLE_DATASET_DIR = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint',
                              'topdown_heatmap')


@pytest.mark.parametrize('multi,dataset,single', [
    ('td-hm_ViTPose-plus-base_8xb128-210e_6datasets-256x192.py', 'coco',
     'coco/td-hm_ViTPose-base_8xb64-210e_coco-256x192.py'),
    ('td-hm_ViTPose-plus-base_8xb128-210e_6datasets-256x192.py', 'aic',
     'aic/td-hm_ViTPose-base_8xb64-210e_aic-256x192.py'),
    ('td-hm_ViTPose-base_8xb64-210e_coco-aic-mpii-crowdpose-256x192.py',
     'crowdpose',
     'crowdpose/td-hm_ViTPose-base_8xb64-210e_crowdpose-256x192.py'),
])
def test_split_model_fits_the_single_dataset_config(multi, dataset, single,
                                                    tmp_path):
    """One dataset split off a (shrunk) multi-dataset config's model loads
    strictly into the single-dataset config of that dataset and predicts
    the same heatmaps."""
    models = []
    for path in (osp.join(MULTI_DATASET_DIR, multi),
                 osp.join(SINGLE_DATASET_DIR, single)):
        cfg = Config.fromfile(path)
        shrink_model(cfg, tmp_path)
        with DefaultScope.overwrite_default_scope('mmpose'):
            models.append(MODELS.build(cfg.model).eval())
    multi_model, single_model = models
    single_model.load_state_dict(
        split_multi_dataset(multi_model.state_dict(), dataset), strict=True)
    inputs = torch.randn(2, 3, 256, 192)
    samples = [PoseDataSample(metainfo=dict(dataset_name=dataset))] * 2
    with torch.no_grad():
        expected = multi_model(inputs, samples, mode='tensor')[dataset]
        torch.testing.assert_close(
            single_model(inputs, None, mode='tensor'), expected)


def _train_pipeline_ends(cfg, type_name):
    loader = cfg.get('train_dataloader')
    pipeline = (loader or {}).get('dataset', {}).get('pipeline') or []
    return bool(pipeline) and pipeline[-1]['type'] == type_name


@pytest.mark.parametrize('config', CONFIGS, ids=config_id)
def test_device_targets_follow_the_head_codec(config):
    """A pipeline that leaves the targets to the device has the batch data
    preprocessor and a collate that stacks the keypoints; the head's codec
    (stated once: no target_codec) draws the targets."""
    cfg = Config.fromfile(config)
    if not _train_pipeline_ends(cfg, 'PackViTPoseInputs'):
        return
    # distillers take the preprocessor of their student or teacher
    pose_model = next(model for model in (
        cfg.model, cfg.model.get('student'), cfg.model.get('teacher'))
        if model is not None and 'data_preprocessor' in model)
    preprocessor = pose_model.data_preprocessor
    assert preprocessor.type == 'ViTPoseDataPreprocessor'
    assert 'target_codec' not in preprocessor
    heads = [pose_model.head] if 'head' in pose_model \
        else list(pose_model.heads.values())
    # UDP heatmaps from UDP crops, MSRA heatmaps from plain ones
    udp = {'ViTPoseUDPHeatmap': True, 'ViTPoseMSRAHeatmap': False}
    assert {udp[head.decoder.type] for head in heads} == {
        step['use_udp'] for step in cfg.train_dataloader.dataset.pipeline
        if step['type'] == 'ViTPoseTopdownAffine'}
    assert cfg.train_dataloader.collate_fn.type == 'vitpose_collate'


def test_paper_configs_draw_targets_on_the_device():
    coco = [c for c in CONFIGS if osp.sep + 'coco' + osp.sep in c
            and 'ViTPose-' in c]
    assert coco and all(
        _train_pipeline_ends(Config.fromfile(c), 'PackViTPoseInputs')
        for c in coco)
