"""Multi-dataset training under DDP (2 CPU processes, gloo) when a rank's
batch lacks a dataset: no unused-parameter error, no hang, and the ranks
stay in sync."""
import os
import os.path as osp
import time
from datetime import timedelta

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapper

from ..models.pose_estimators.helpers import build, mixed_batch
from .helpers import free_port

pytestmark = pytest.mark.slow

NAMES = ('a', 'b')
#: Rank 0 never sees dataset 'b' (its head and expert are unused there).
RANK_DATASETS = (['a', 'a'], ['a', 'b', 'b'])
STEPS = 2
TIMEOUT_S = 240


def _train(rank: int, port: int, out_dir: str) -> None:
    # This spawned process's own environment; CPU on purpose, GPU visible
    # or not (set before anything initialises CUDA).
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      CUDA_VISIBLE_DEVICES='')
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=2,
                            timeout=timedelta(seconds=60))
    try:
        model = build(NAMES, experts=True)
        torch.save({n: p.detach().clone()
                    for n, p in model.named_parameters()},
                   osp.join(out_dir, f'init{rank}.pth'))
        ddp = MMDistributedDataParallel(
            module=model, device_ids=None, find_unused_parameters=False)
        optim_wrapper = OptimWrapper(
            torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
        for step in range(STEPS):
            images, samples = mixed_batch(
                RANK_DATASETS[rank], seed=100 * rank + 10 * step)
            log_vars = ddp.train_step(
                dict(inputs=list(images), data_samples=samples),
                optim_wrapper)
            assert torch.isfinite(log_vars['loss'])
        torch.save({n: p.detach().clone()
                    for n, p in model.named_parameters()},
                   osp.join(out_dir, f'rank{rank}.pth'))
    finally:
        dist.destroy_process_group()


def test_ranks_missing_a_dataset_train_in_sync(tmp_path):
    context = mp.start_processes(
        _train, args=(free_port(), str(tmp_path)), nprocs=2, join=False,
        start_method='spawn')
    deadline = time.monotonic() + TIMEOUT_S
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail(f'DDP training did not finish in {TIMEOUT_S} s '
                        f'(a hang?)')
    init, *ranks = (torch.load(tmp_path / f'{name}.pth')
                    for name in ('init0', 'rank0', 'rank1'))
    assert set(ranks[0]) == set(ranks[1]) == set(init)
    for name in init:
        assert torch.equal(ranks[0][name], ranks[1][name]), name
    # Rank 1's gradients reached rank 0's copy of dataset 'b''s parameters.
    for name in ('heads.b.final_layer.weight',
                 'backbone.blocks.0.mlp.experts.1.weight'):
        assert not torch.equal(ranks[0][name], init[name]), name
