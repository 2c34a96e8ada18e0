"""tools/dist_train.sh with 2 processes on the CPU (gloo), also where a GPU
is visible (``CUDA_VISIBLE_DEVICES=''``: each GPU process would take the GPU
of its local rank)."""
import glob
import os.path as osp

import pytest

from .helpers import REPO_ROOT, free_port, run

pytestmark = pytest.mark.slow


def test_dist_train_two_processes(tmp_path, sample_config):
    work_dir = str(tmp_path / 'dist')
    # CPU processes on purpose, GPU visible or not.
    proc = run(['env', 'CUDA_VISIBLE_DEVICES=', f'PORT={free_port()}',
                'bash', 'tools/dist_train.sh',
                sample_config, '2', '--work-dir', work_dir, '--cfg-options',
                'train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
                'default_hooks.checkpoint.interval=2'],
               cwd=REPO_ROOT, timeout=600)
    log = proc.stdout
    assert 'Distributed launcher: pytorch' in log
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'using the gloo backend' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    assert 'coco/AP' in log
    # 12 instances, batch 6 per rank, 2 ranks: one iteration per epoch.
    assert 'Epoch(train) [2][1/1]' in log
    assert glob.glob(osp.join(work_dir, '*', '*.log'))
