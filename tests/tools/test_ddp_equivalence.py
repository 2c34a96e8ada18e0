"""DDP equivalence: ``tools/dist_train.sh CONFIG 2`` at batch B/2 per process
trains the weights of ``tools/train.py CONFIG`` at batch B (CPU, gloo).

What makes them agree, and what is held fixed here:

- data order: mmengine's DefaultSampler draws one permutation per epoch from
  a seed shared by the ranks and gives rank r its entries r, r+2, ..., so
  iteration i of the two ranks together holds the B samples of iteration i
  of one process (12 samples, B=4: no padding, no dropped last batch). With
  shuffling on and 3 iterations, another split would change the weights;
- gradients: DDP averages them over the ranks, and KeypointMSELoss is a mean
  over every heatmap pixel of the batch (keypoints of weight 0 count as
  zeros), so the mean over B/2 averaged over 2 ranks is the mean over B;
  gradient clipping and the LR schedule then see the same gradients/steps;
- augmentations: the runs flip, half-body crop and shift/scale/rotate the
  boxes at random (ViTPoseRandomFlip, ViTPoseRandomHalfBody,
  ViTPoseRandomBBoxTransform), each sample's draws a function of (seed,
  epoch, sample index) alone (the train loop's ``seeded_draws``), so a
  sample gets the same crop on either rank as in the single process. Draws
  from a process's own stream (MMPose's transforms, drop path: its rate is
  0 here) would differ between the runs and break the equivalence;
- BatchNorm (the classic head) normalises with each process's own batch
  statistics, so it differs by design; ``sync_bn='torch'`` (mmengine's
  setting) converts the BN layers to SyncBatchNorm, which torch runs on
  GPUs only: its DDP refuses to wrap a CPU model with SyncBatchNorm.

The processes run on the CPU (``CUDA_VISIBLE_DEVICES=''``) also where a GPU
is visible.
"""
import os.path as osp
import subprocess
import sys
from typing import Dict, List, NamedTuple

import pytest
import torch
from mmengine.config import Config

from .helpers import REPO_ROOT, free_port, tool_env

pytestmark = pytest.mark.slow

#: Samples per iteration, all processes together (12 sample instances).
BATCH = 4
TIMEOUT_S = 600  # 5 trainings at once on a shared 2-core machine

CONFIG = """_base_ = [{base!r}]
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(checkpoint=dict(interval=1, save_best=None))
model = dict(backbone=dict(arch=dict(embed_dims=32, depth=2, num_heads=2)),
             head={head})
train_dataloader = dict(dataset=dict(pipeline={pipeline}))
"""
HEADS = dict(
    simple="dict(_delete_=True, type='ViTPoseSimpleHead', in_channels=32, "
    "out_channels=17, decoder={{_base_.codec}})",
    classic='dict(in_channels=32, deconv_out_channels=(16, 16))')
#: run -> (head, processes, extra --cfg-options)
RUNS = {
    'simple-1': ('simple', 1, []),
    'simple-2': ('simple', 2, []),
    'classic-1': ('classic', 1, []),
    'classic-2': ('classic', 2, []),
    'classic-2-sync_bn': ('classic', 2, ['sync_bn=torch']),
}


def coco_train_pipeline() -> str:
    """The COCO recipe's random training pipeline (flip, half body, box
    shift/scale/rotation), as config text."""
    base = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                    'coco_topdown_256x192.py')
    return repr([dict(step) for step in Config.fromfile(base).train_pipeline])


class Run(NamedTuple):
    returncode: int
    log: str
    work_dir: str


def command(config: str, work_dir: str, processes: int,
            options: List[str]) -> List[str]:
    args = [config, '--work-dir', work_dir, '--no-validate', '--cfg-options',
            f'train_dataloader.batch_size={BATCH // processes}', *options]
    if processes == 1:
        return [sys.executable, 'tools/train.py', *args]
    return ['env', f'PORT={free_port()}', 'bash', 'tools/dist_train.sh',
            args[0], str(processes), *args[1:]]


@pytest.fixture(scope='module')
def runs(tmp_path_factory) -> Dict[str, Run]:
    """Every run of :data:`RUNS`, all at once (they take a core or two)."""
    root = tmp_path_factory.mktemp('ddp')
    base = osp.join(REPO_ROOT, 'configs', 'vitpose_sample',
                    'td-hm_ViTPose-tiny_1xb6-60e_sample-coco-256x192.py')
    # One thread per process, as torchrun sets for its processes.
    env = dict(tool_env(), CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    procs = {}
    for name, (head, processes, options) in RUNS.items():
        config = str(root / f'{head}.py')
        with open(config, 'w') as f:
            f.write(CONFIG.format(base=base, head=HEADS[head],
                                  pipeline=coco_train_pipeline()))
        work_dir = str(root / name)
        procs[name] = (subprocess.Popen(
            command(config, work_dir, processes, options), cwd=REPO_ROOT,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True), work_dir)
    results = {}
    try:
        for name, (proc, work_dir) in procs.items():
            log, _ = proc.communicate(timeout=TIMEOUT_S)
            results[name] = Run(proc.returncode, log, work_dir)
    finally:
        for proc, _ in procs.values():
            if proc.poll() is None:
                proc.kill()
    return results


def checkpoint(run: Run) -> dict:
    assert run.returncode == 0, run.log[-6000:]
    return torch.load(osp.join(run.work_dir, 'epoch_1.pth'),
                      weights_only=False)


def gradient_difference(one: dict, two: dict) -> float:
    """Relative difference of AdamW's first moments (the running mean of
    the gradients) of two checkpoints."""
    first, second = (c['optimizer']['state'] for c in (one, two))
    assert first.keys() == second.keys()
    difference = sum(((first[i]['exp_avg'] - second[i]['exp_avg'])**2).sum()
                     for i in first)
    norm = sum((first[i]['exp_avg']**2).sum() for i in first)
    return float((difference / norm)**0.5)


def test_two_processes_at_half_batch_train_as_one(runs):
    one, two = (checkpoint(runs[n]) for n in ('simple-1', 'simple-2'))
    for run in ('simple-1', 'simple-2'):
        assert 'Epoch(train) [1][3/3]' in runs[run].log
    assert 'GPU number: 2' in runs['simple-2'].log
    assert 'using the gloo backend' in runs['simple-2'].log
    assert gradient_difference(one, two) < 1e-5  # measured 2e-7
    weights, expected = two['state_dict'], one['state_dict']
    assert weights.keys() == expected.keys()
    for key, value in expected.items():
        torch.testing.assert_close(weights[key], value, rtol=0, atol=1e-6,
                                   msg=key)  # measured 4e-9


def test_batch_norm_normalises_per_process(runs):
    """The classic head's BN sees B/2 samples per process: other gradients
    and running statistics than one process at batch B."""
    one, two = (checkpoint(runs[n]) for n in ('classic-1', 'classic-2'))
    assert gradient_difference(one, two) > 1e-3  # measured 3e-2
    key = 'head.deconv_layers.1.running_mean'
    assert (one['state_dict'][key] - two['state_dict'][key]).abs().max() \
        > 1e-5  # measured 4e-4


def test_sync_bn_converts_the_head_and_needs_a_gpu(runs):
    """``--cfg-options sync_bn=torch`` makes the head's BN layers torch's
    SyncBatchNorm under DDP, which torch's DDP refuses on the CPU (without
    it, the same run trains: ``classic-2``)."""
    run = runs['classic-2-sync_bn']
    assert run.returncode != 0
    assert 'ValueError: SyncBatchNorm layers only work with GPU modules' \
        in run.log
    assert runs['classic-2'].returncode == 0
