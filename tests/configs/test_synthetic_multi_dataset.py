"""The synthetic multi-dataset evidence: a joint config trains one iteration
on tiny generated splits, and the evidence script reads finished runs."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from vitpose_plugin.engine import ViTPoseRunner

from ..conftest import REPO_ROOT
from ..tools.helpers import load_tool

CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'vitpose_synthetic')
EXPERTS = osp.join(
    CONFIG_DIR, 'td-hm_ViTPose-tiny-experts_synthetic-coco-aic-mpii-128x96.py')


def tiny_splits(cfg: Config, cache_root: str) -> None:
    """Point every dataset of the mixtures at a handful of instances."""
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.num_workers = 0
        loader.persistent_workers = False
        for dataset in loader.dataset.datasets:
            dataset.cache_root = cache_root
            dataset.generator.num_instances = 3
    # One iteration holds every dataset's samples.
    cfg.train_dataloader.batch_size = 64


def test_experts_config_trains_one_iteration(tmp_path):
    cfg = Config.fromfile(EXPERTS)
    assert cfg.model.backbone.num_experts == 3
    assert list(cfg.model.heads) == ['coco', 'aic', 'mpii']
    assert cfg.train_dataloader.dataset.names == ['coco', 'aic', 'mpii']
    tiny_splits(cfg, str(tmp_path / 'synthetic'))
    cfg.train_cfg.max_epochs = 1
    cfg.train_cfg.val_interval = 1
    cfg.default_hooks.checkpoint.interval = 1
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    runner = ViTPoseRunner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    scalars = runner.message_hub.log_scalars
    for name, count in (('coco', 17), ('aic', 14), ('mpii', 16)):
        assert f'train/loss_kpt_{name}' in scalars
        assert runner.model.heads[name].out_channels == count
    metrics = runner.val_loop.run()
    for name in ('coco', 'aic', 'mpii'):
        assert np.isfinite(metrics[f'{name}/AP'])


def _fake_run(root, seed, run, metrics, wall):
    vis = osp.join(root, f'seed{seed}', run, '20260101_000000', 'vis_data')
    os.makedirs(vis)
    with open(osp.join(vis, 'scalars.json'), 'w') as f:
        f.write(json.dumps(dict(loss=1.0, step=1)) + '\n')
        f.write(json.dumps(dict(metrics, step=2)) + '\n')
    with open(osp.join(root, f'seed{seed}', run, 'wall_s.txt'), 'w') as f:
        f.write(str(wall))


def test_evidence_table(tmp_path):
    evidence = load_tool('multi_dataset_evidence', 'analysis')
    root = str(tmp_path)
    for seed, offset in ((0, 0.0), (1, 0.1)):
        for name in ('coco', 'aic', 'mpii'):
            _fake_run(root, seed, name, {f'{name}/AP': 0.5 + offset}, 60)
        joint = {'coco/AP': 0.4 + offset, 'aic/AP': 0.6 + offset,
                 'mpii/AP': 0.7 + offset}
        _fake_run(root, seed, 'heads', joint, 120)
    table = evidence.table(root, [0, 1])
    rows = {line.split(' | ')[0].lstrip('| '): line.split(' | ')[1:]
            for line in table.splitlines()}
    # coco s0, s1, mean, aic s0, s1, mean, mpii s0, s1, mean
    assert rows['alone'][:3] == ['0.500', '0.600', '0.550']
    assert rows['joint, per-dataset heads'][3:6] == ['0.600', '0.700',
                                                     '0.650']
    assert rows['joint, heads + expert FFNs'][0] == '-'
    assert rows['heads'][0].strip(' |') == '2.0'


@pytest.mark.parametrize('config', [
    'td-hm_ViTPose-tiny_synthetic-coco-128x96.py',
    'td-hm_ViTPose-tiny_synthetic-aic-128x96.py',
    'td-hm_ViTPose-tiny_synthetic-mpii-128x96.py',
    'td-hm_ViTPose-tiny-multi-head_synthetic-coco-aic-mpii-128x96.py',
])
def test_equal_budget(config):
    """Every run sees about 16,000 crops (2,000 iterations of 8)."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config))
    dataset = cfg.train_dataloader.dataset
    if dataset.type == 'ViTPoseDatasetMixture':
        size = sum(d.generator.num_instances * f for d, f in zip(
            dataset.datasets, dataset.sample_ratio_factor))
    else:
        size = dataset.generator.num_instances
    assert size * cfg.train_cfg.max_epochs == 16000
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.randomness.seed == 0


@pytest.mark.parametrize('config', [
    'td-hm_ViTPose-tiny-multi-head-3x_synthetic-coco-aic-mpii-128x96.py',
    'td-hm_ViTPose-tiny-experts-3x_synthetic-coco-aic-mpii-128x96.py',
])
def test_three_times_budget_gives_each_dataset_its_alone_exposure(config):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, config))
    dataset = cfg.train_dataloader.dataset
    for sub, factor in zip(dataset.datasets, dataset.sample_ratio_factor):
        exposure = sub.generator.num_instances * factor
        assert exposure * cfg.train_cfg.max_epochs == 16000
    assert cfg.param_scheduler[-1].end == 6000


def test_aic_alone_control_has_the_three_times_budget():
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, 'td-hm_ViTPose-tiny_synthetic-aic-3x-128x96.py'))
    crops = (cfg.train_dataloader.dataset.generator.num_instances *
             cfg.train_cfg.max_epochs)
    assert crops == 6000 * cfg.train_dataloader.batch_size
    assert cfg.param_scheduler[-1].end == 6000
