"""A MultiSourceSampler whose share of a batch rounds to 0 for a dataset
(MMPose's sampler would then loop forever) is refused before training,
naming the dataset and what works."""
import re

import pytest
from mmengine.config import Config

from vitpose_plugin.datasets.samplers import check_multi_source_sampler
from vitpose_plugin.engine import ViTPoseRunner

from ...configs.test_synthetic_multi_dataset import EXPERTS, tiny_splits


def loader(batch_size, source_ratio, names=('coco', 'aic', 'mpii')):
    datasets = [dict(type='SyntheticCocoDataset') for _ in names]
    return dict(
        batch_size=batch_size,
        sampler=dict(type='MultiSourceSampler', batch_size=batch_size,
                     source_ratio=list(source_ratio)),
        dataset=dict(type='ViTPoseDatasetMixture', datasets=datasets,
                     names=list(names)))


def shares(batch_size, ratios):
    """MMPose's MultiSourceSampler arithmetic (mmpose/datasets/samplers.py),
    independently of the plugin's code."""
    rest = [int(batch_size * r / sum(ratios)) for r in ratios[1:]]
    return [batch_size - sum(rest), *rest]


@pytest.mark.parametrize('batch_size, ratios', [
    (64, [2, 1, 1]), (8, [2, 1, 1]), (3, [1, 1, 1]), (12, [10, 1, 1])])
def test_ratios_that_fill_every_share_pass(batch_size, ratios):
    assert min(shares(batch_size, ratios)) > 0
    check_multi_source_sampler(loader(batch_size, ratios))


def test_a_share_of_zero_names_the_dataset_and_the_fix():
    assert shares(8, [10, 1, 1]) == [8, 0, 0]
    with pytest.raises(ValueError) as info:
        check_multi_source_sampler(loader(8, [10, 1, 1]), 'train_dataloader')
    message = str(info.value)
    assert 'train_dataloader.sampler' in message
    assert "dataset 1 ('aic', SyntheticCocoDataset)" in message
    assert "dataset 2 ('mpii', SyntheticCocoDataset)" in message
    assert 'int(8 * 1 / 12) = 0' in message
    smallest = int(re.search(r'use batch_size=(\d+)', message)[1])
    assert smallest == 12
    assert min(shares(smallest - 1, [10, 1, 1])) == 0
    ratio = float(re.search(r'source_ratio\[1\] to at least ([\d.]+)',
                            message)[1])
    assert shares(8, [10, ratio, 1])[1] >= 1


def test_a_fractional_ratio_gets_the_smallest_ratio_that_works():
    ratios = [1, 1, 0.1]
    assert shares(8, ratios)[2] == 0
    with pytest.raises(ValueError) as info:
        check_multi_source_sampler(loader(8, ratios))
    message = str(info.value)
    ratio = float(re.search(r'source_ratio\[2\] to at least ([\d.]+)',
                            message)[1])
    assert shares(8, [1, 1, ratio])[2] == 1
    assert shares(8, [1, 1, ratio - 0.001])[2] == 0
    assert int(re.search(r'use batch_size=(\d+)', message)[1]) == 21


def test_a_ratio_of_zero_says_to_leave_the_dataset_out():
    with pytest.raises(ValueError, match=r"dataset 2 \('mpii', "
                       r'SyntheticCocoDataset\).*remove it from the mixture'):
        check_multi_source_sampler(loader(8, [1, 1, 0]))


def test_batch_size_one_cannot_hold_two_datasets():
    with pytest.raises(ValueError, match='at least 2 samples'):
        check_multi_source_sampler(loader(1, [1, 1], names=('a', 'b')))


def test_missing_sampler_batch_size_is_named():
    cfg = loader(8, [1, 1, 1])
    del cfg['sampler']['batch_size']
    with pytest.raises(ValueError, match=r'sampler \(MultiSourceSampler\) '
                       r'has no batch_size.*batch_size=8'):
        check_multi_source_sampler(cfg, 'train_dataloader')


def test_other_samplers_are_not_checked():
    check_multi_source_sampler(dict(sampler=dict(type='DefaultSampler'),
                                    dataset=dict(type='CocoDataset')))


@pytest.mark.timeout(120)  # today's MMPose sampler never returns
def test_runner_refuses_it_before_training(tmp_path):
    cfg = Config.fromfile(EXPERTS)
    tiny_splits(cfg, str(tmp_path / 'synthetic'))
    cfg.train_dataloader.batch_size = 8
    cfg.train_dataloader.sampler = dict(
        type='MultiSourceSampler', batch_size=8, source_ratio=[10, 1, 1])
    cfg.train_cfg.max_epochs = 1
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.val_interval = 100
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    runner = ViTPoseRunner.from_cfg(cfg)
    with pytest.raises(ValueError, match=r"dataset 1 \('aic', "
                       r'SyntheticCocoDataset\).*use batch_size=12'):
        runner.train()
