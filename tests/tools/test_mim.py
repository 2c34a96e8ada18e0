"""`mim train vitpose_plugin CONFIG` and `mim test vitpose_plugin CONFIG`."""
import os.path as osp

import pytest

from .helpers import read_metrics, run

pytestmark = pytest.mark.slow
CONFIG_NAME = 'td-hm_ViTPose-tiny_1xb6-60e_sample-coco-256x192.py'


def test_mim_train_then_test_by_config_name(tmp_path):
    # Run from an unrelated directory: mim must find the config, the tools
    # and the sample data inside the installed package.
    work_dir = str(tmp_path / 'mim')
    proc = run(['mim', 'train', 'vitpose_plugin', CONFIG_NAME, '--work-dir',
                work_dir, '--cfg-options', 'train_cfg.max_epochs=2',
                'train_cfg.val_interval=2',
                'default_hooks.checkpoint.interval=2'],
               cwd=str(tmp_path), timeout=600)
    assert 'Training finished successfully' in proc.stdout
    checkpoint = osp.join(work_dir, 'epoch_2.pth')
    assert osp.isfile(checkpoint)

    metrics_file = str(tmp_path / 'metrics.json')
    proc = run(['mim', 'test', 'vitpose_plugin', CONFIG_NAME, '--checkpoint',
                checkpoint, '--work-dir', work_dir, '--out', metrics_file],
               cwd=str(tmp_path), timeout=300)
    assert 'Testing finished successfully' in proc.stdout
    metrics = read_metrics(metrics_file)
    assert 0.0 <= metrics['coco/AP'] <= 1.0
