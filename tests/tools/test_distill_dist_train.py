"""tools/dist_train.sh with 2 CPU processes (gloo, ``CUDA_VISIBLE_DEVICES=''``
also where a GPU is visible) on a stage-2 distillation."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS

from .helpers import REPO_ROOT, free_port, run

pytestmark = pytest.mark.slow

STAGE2 = osp.join(REPO_ROOT, 'configs', 'distillation',
                  'td-hm_ViTPose-tiny-to-nano-distill_1xb8-4e_synthetic-'
                  '128x96.py')


def test_stage2_trains_with_two_processes(tmp_path):
    with DefaultScope.overwrite_default_scope('mmpose'):
        teacher = MODELS.build(Config.fromfile(STAGE2).model.teacher)
    teacher_path = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), teacher_path)
    work_dir = str(tmp_path / 'dist')
    # CPU processes on purpose, GPU visible or not.
    proc = run(['env', 'CUDA_VISIBLE_DEVICES=', f'PORT={free_port()}',
                'bash', 'tools/dist_train.sh',
                STAGE2, '2', '--work-dir', work_dir, '--cfg-options',
                f'model.teacher_checkpoint={teacher_path}',
                f'model.token_checkpoint={teacher_path}',
                'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                # 16 generated instances: one iteration of 8 per process.
                f'train_dataloader.dataset.cache_root={tmp_path}',
                'train_dataloader.dataset.generator.num_instances=16',
                'train_dataloader.dataset.indices=16',
                f'val_dataloader.dataset.cache_root={tmp_path}',
                'val_dataloader.dataset.generator.num_instances=16',
                'default_hooks.checkpoint.interval=1'],
               cwd=REPO_ROOT, timeout=300)
    log = proc.stdout
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log
    assert 'Epoch(train) [1][1/1]' in log
    assert 'loss_distill' in log and 'loss_kpt' in log
    assert 'coco/AP' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
