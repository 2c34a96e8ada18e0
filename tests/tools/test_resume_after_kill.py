"""SIGKILL tools/train.py mid-epoch after a checkpoint, resume it with
``--resume``: the final weights, optimizer state (loss scale included),
parameter schedulers and message-hub history equal those of an
uninterrupted run bit for bit (CPU, ``randomness.seed`` set)."""
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List

import numpy as np
import pytest
import torch

from ..engine.tiny_coco import tiny_coco_config
from .helpers import REPO_ROOT, tool_env

# 12 persons, batch 4: 3 iterations per epoch, 3 epochs, checkpoints every
# `interval` iterations, the kill before iteration `kill` (0-based). E.g.
# interval 4, kill 5: iter_4 is after the 1st batch of epoch 2 and between
# log lines (interval 2); the resumed run skips one batch of epoch 2 and
# redoes iteration 5.
EPOCHS = 3
FINAL = f'iter_{3 * EPOCHS}.pth'
SCALARS = ('train/loss', 'train/loss_kpt', 'train/acc_pose',
           'train/grad_norm', 'train/lr')

MODES = {
    # the COCO recipe's fast pipeline (ViTPoseLoadImage's image cache,
    # ViTPoseRandomBBoxTransform, RandomFlip, RandomHalfBody),
    # ViTPoseImageGroupedSampler and vitpose_collate; two loader workers;
    # --amp: ViTPoseAmpOptimWrapper in bfloat16; drop path 0.3. No
    # randomness.seed: the uninterrupted run gets the killed run's seed
    'workers-bf16-unseeded': dict(
        loader=dict(num_workers=2, persistent_workers=False), args=['--amp'],
        interval=4, kill=5, unseeded=True),
    # the same pipeline in the main process, mmengine's DefaultSampler;
    # float16 with a GradScaler whose scale grows every 2 steps
    'main-process-fp16': dict(
        loader=dict(num_workers=0, persistent_workers=False,
                    sampler=dict(type='DefaultSampler', shuffle=True)),
        optim_wrapper=dict(
            dtype='float16',
            loss_scale=dict(init_scale=2.0**10, growth_interval=2)),
        args=['--amp'], interval=4, kill=5),
    # persistent workers keep their random streams across epochs; the
    # augmentations are drawn from (seed, epoch, sample index) instead
    # (train_cfg.seeded_draws), so a resume in epoch 3 is exact: iter_7 is
    # after the 1st batch of epoch 3; float32
    'persistent-workers': dict(
        loader=dict(num_workers=2, persistent_workers=True), args=[],
        interval=7, kill=8),
}


def write_configs(folder: str, mode: dict) -> Dict[str, str]:
    """The run's config and one adding the kill, as files."""
    cfg = tiny_coco_config(folder, epochs=EPOCHS, log_interval=2)
    # two blocks: the second one's drop path (0.3) draws from torch's
    # generator in the main process (a single block's rate is 0)
    cfg.model.backbone.arch.depth = 2
    cfg.train_dataloader.update(mode['loader'])
    cfg.optim_wrapper.update(mode.get('optim_wrapper', {}))
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=mode['interval'])
    if mode.get('unseeded'):
        cfg.randomness = dict(seed=None, deterministic=True)
    cfg.pop('work_dir')
    configs = dict(run=osp.join(folder, 'run.py'),
                   killed=osp.join(folder, 'killed.py'))
    cfg.dump(configs['run'])
    with open(configs['killed'], 'w') as f:
        f.write(
            "_base_ = ['run.py']\n"
            "custom_imports = dict(imports=['vitpose_plugin', "
            "'tests.tools.sigkill_hook'], allow_failed_imports=False)\n"
            f"custom_hooks = [dict(type='ViTPoseTestSigkillHook', "
            f"iteration={mode['kill']}, "
            f"pid_file={osp.join(folder, 'killed.json')!r})]\n")
    return configs


def start(config: str, work_dir: str, args: List[str]) -> subprocess.Popen:
    # one thread: the same reduction order in every run
    env = dict(tool_env(), OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return subprocess.Popen(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), config,
         '--work-dir', work_dir] + args,
        cwd=osp.dirname(config), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, returncode: int = 0) -> str:
    output = proc.communicate(timeout=300)[0]
    assert proc.returncode == returncode, \
        f'{proc.args} exited {proc.returncode}:\n{output[-6000:]}'
    return output


def alive(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def assert_equal(actual, expected, where: str) -> None:
    """Bit-exact equality of nested checkpoint contents."""
    if isinstance(expected, dict):
        assert set(actual) == set(expected), where
        for key in expected:
            assert_equal(actual[key], expected[key], f'{where}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_equal(a, e, f'{where}[{i}]')
    elif isinstance(expected, torch.Tensor):
        if actual.dtype != expected.dtype or not torch.equal(actual,
                                                             expected):
            diff = (actual.double() - expected.double()).abs().max()
            raise AssertionError(f'{where} differs (max |diff| {diff:.3g})')
    else:
        assert actual == expected, f'{where}: {actual!r} != {expected!r}'


def assert_same_hub(actual: dict, expected: dict) -> None:
    for key in SCALARS:
        values, counts = actual['log_scalars'][key].data
        ref_values, ref_counts = expected['log_scalars'][key].data
        assert np.array_equal(values, ref_values), \
            f'{key}: {values} != {ref_values}'
        assert np.array_equal(counts, ref_counts), key
    for key in ('epoch', 'iter', 'max_iters', 'max_epochs'):
        assert actual['runtime_info'][key] == expected['runtime_info'][key], \
            key


@pytest.mark.slow
@pytest.mark.parametrize('name', list(MODES))
def test_killed_run_resumes_bit_exactly(tmp_path, name):
    mode = MODES[name]
    configs = write_configs(str(tmp_path), mode)
    ref_dir, dir = str(tmp_path / 'uninterrupted'), str(tmp_path / 'killed')
    reference = None if mode.get('unseeded') else \
        start(configs['run'], ref_dir, mode['args'])
    killed = start(configs['killed'], dir, mode['args'])
    finish(killed, returncode=-9)
    killed_pids = json.load(open(tmp_path / 'killed.json'))
    iteration = mode['kill'] // mode['interval'] * mode['interval']
    epoch, done = divmod(iteration, 3)
    with open(osp.join(dir, 'last_checkpoint')) as f:
        assert osp.basename(f.read().strip()) == f'iter_{iteration}.pth'
    # the same config as the uninterrupted run, the latest checkpoint
    resumed = start(configs['run'], dir, mode['args'] + ['--resume'])
    if reference is None:
        seed = torch.load(osp.join(dir, f'iter_{iteration}.pth'),
                          weights_only=False)['meta']['seed']
        reference = start(configs['run'], ref_dir, mode['args'] + [
            '--cfg-options', f'randomness.seed={seed}'])
    log = finish(resumed)
    assert f'resumed epoch: {epoch}, iter: {iteration}' in log
    assert f'Skipping the {done} batches of epoch {epoch + 1}' in log
    if mode.get('unseeded'):
        assert "the data sampler and loader workers use the checkpoint's " \
            'seed' in log
    finish(reference)

    resumed = torch.load(osp.join(dir, FINAL), weights_only=False)
    expected = torch.load(osp.join(ref_dir, FINAL), weights_only=False)
    assert_equal(resumed['state_dict'], expected['state_dict'], 'state_dict')
    assert_equal(resumed['optimizer'], expected['optimizer'], 'optimizer')
    assert_equal(resumed['param_schedulers'], expected['param_schedulers'],
                 'param_schedulers')
    assert resumed['meta']['iter'] == expected['meta']['iter'] == 9
    assert_same_hub(resumed['message_hub'], expected['message_hub'])
    if 'loss_scaler' in expected['optimizer']:
        # the scale grew (and the tracker moved) before and after the kill
        assert expected['optimizer']['loss_scaler']['scale'] > 2.0**10

    # loader workers do not outlive the killed process (torch's workers
    # poll their parent every 5 s)
    deadline = time.time() + 15
    while any(alive(pid) for pid in killed_pids['children']) \
            and time.time() < deadline:
        time.sleep(0.2)
    left = [pid for pid in killed_pids['children'] if alive(pid)]
    for pid in left:
        os.kill(pid, 9)
    assert not left, f'loader workers {left} outlived the killed run'
    if mode['loader']['num_workers']:
        assert len(killed_pids['children']) == \
            mode['loader']['num_workers']


MAE_CONFIG = osp.join(REPO_ROOT, 'configs', 'mae_pretraining',
                      'mae_ViTPose-tiny_1xb64-20e_synthetic-128x96.py')


@pytest.mark.slow
def test_mae_pretraining_resumes_exactly_after_epoch_2(tmp_path):
    """The MAE config (random crops and flips in 2 persistent workers,
    random masks on the device): resumed from its epoch-2 checkpoint, the
    third epoch ends as in the uninterrupted run, bit for bit."""
    options = [
        '--cfg-options', 'train_cfg.max_epochs=3',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=3',
        'default_hooks.logger.interval=1',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=2',
        'train_dataloader.persistent_workers=True',
        f'train_dataloader.dataset.cache_root={tmp_path / "synthetic"}',
        'train_dataloader.dataset.generator.num_instances=12'
    ]
    reference_dir, resumed_dir = tmp_path / 'reference', tmp_path / 'resumed'
    finish(start(MAE_CONFIG, str(reference_dir), options))
    resumed_dir.mkdir()
    checkpoint = resumed_dir / 'epoch_2.pth'
    checkpoint.write_bytes((reference_dir / 'epoch_2.pth').read_bytes())
    log = finish(
        start(MAE_CONFIG, str(resumed_dir),
              ['--resume', str(checkpoint)] + options))
    iteration = torch.load(checkpoint, weights_only=False)['meta']['iter']
    assert f'resumed epoch: 2, iter: {iteration}' in log
    resumed = torch.load(resumed_dir / 'epoch_3.pth', weights_only=False)
    expected = torch.load(reference_dir / 'epoch_3.pth', weights_only=False)
    assert_equal(resumed['state_dict'], expected['state_dict'], 'state_dict')
    assert_equal(resumed['optimizer'], expected['optimizer'], 'optimizer')
