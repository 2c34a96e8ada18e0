"""ViTPoseEpochBasedTrainLoop: the batches a resumed epoch skips, seeds per
iteration, the runner's default loop (end to end: tests/tools/
test_resume_after_kill.py)."""
import random
from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, worker_init_fn
from mmengine.logging import MMLogger
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from vitpose_plugin.engine.runner import (ViTPoseEpochBasedTrainLoop,
                                          ViTPoseRunner, seed_iteration)


def draws() -> tuple:
    return (random.random(), float(np.random.rand()),
            float(torch.rand(())))


class Recording(ViTPoseEpochBasedTrainLoop):
    """Records (batch index, batch, random draws) instead of training."""

    def run_iter(self, idx, data_batch):
        self.rows.append((idx, data_batch.tolist(), draws()))
        self._iter += 1


def loop(iteration: int = 0, epoch: int = 0, persistent: bool = False,
         **kwargs) -> Recording:
    runner = SimpleNamespace(
        seed=0, visualizer=SimpleNamespace(dataset_meta=None),
        model=torch.nn.Identity(), call_hook=lambda *args, **kw: None)
    loader = DataLoader(torch.arange(10), batch_size=2,
                        num_workers=1 if persistent else 0,
                        persistent_workers=persistent)
    result = Recording(runner, loader, max_epochs=3, **kwargs)
    result._iter, result._epoch, result.rows = iteration, epoch, []
    return result


def test_resumed_epoch_skips_the_trained_batches_and_draws_the_same():
    whole = loop()
    whole.run_epoch()
    whole.run_epoch()
    random.seed(123)  # another history of the process
    resumed = loop(iteration=5 + 3, epoch=1)
    resumed.run_epoch()
    assert [row[:2] for row in resumed.rows] == \
        [(3, [6, 7]), (4, [8, 9])]
    assert resumed.rows == whole.rows[-2:]
    assert resumed._iter == 10 and resumed._epoch == 2


def test_without_seed_per_iter_draws_follow_the_process():
    whole = loop(seed_per_iter=False)
    whole.run_epoch()
    resumed = loop(iteration=3, seed_per_iter=False)
    resumed.run_epoch()
    assert [row[2] for row in resumed.rows] != \
        [row[2] for row in whole.rows[-2:]]


def test_seed_iteration_depends_on_seed_and_iteration():
    seed_iteration(0, 7)
    first = draws()
    seed_iteration(0, 7)
    assert draws() == first
    seed_iteration(0, 8)
    other_iter = draws()
    seed_iteration(1, 7)
    other_seed = draws()
    assert len({first, other_iter, other_seed}) == 3


def test_inconsistent_checkpoint_iteration_is_refused():
    with pytest.raises(RuntimeError, match='iteration 12 is not in epoch 2'):
        loop(iteration=12, epoch=1).run_epoch()


def test_resume_with_persistent_workers_in_a_later_epoch_warns(capsys):
    MMLogger.get_instance('test_resume_with_persistent_workers')  # current
    late = loop(iteration=15, epoch=3, persistent=True)  # max_epochs 3
    late.run()
    assert 'persistent_workers=False' in capsys.readouterr().out


def test_runner_builds_it_for_epoch_based_training():
    runner = ViTPoseRunner.__new__(ViTPoseRunner)  # the method's state
    runner._train_dataloader = DataLoader(torch.arange(4))
    runner._visualizer = SimpleNamespace(dataset_meta=None)
    runner._seed = 0
    built = runner.build_train_loop(
        dict(by_epoch=True, max_epochs=2, val_interval=5))
    assert type(built) is ViTPoseEpochBasedTrainLoop
    assert built.max_epochs == 2 and built.val_interval == 5
    explicit = runner.build_train_loop(
        dict(type=EpochBasedTrainLoop, max_epochs=2))
    assert type(explicit) is EpochBasedTrainLoop


def test_resume_of_an_unseeded_run_gives_the_loader_the_checkpoint_seed():
    dataset = torch.arange(10)
    loader = DataLoader(
        dataset, batch_size=2, sampler=DefaultSampler(dataset, seed=7),
        worker_init_fn=partial(worker_init_fn, num_workers=1, rank=0,
                               seed=7))
    runner = SimpleNamespace(
        seed=7, visualizer=SimpleNamespace(dataset_meta=None),
        model=torch.nn.Identity(), call_hook=lambda *args, **kw: None)
    resumed = ViTPoseEpochBasedTrainLoop(runner, loader, max_epochs=1)
    runner.seed = 3  # Runner.resume: the checkpoint's seed
    resumed._iter, resumed._epoch = 5, 1  # nothing left to train
    resumed.run()
    assert loader.sampler.seed == 3
    assert loader.worker_init_fn.keywords == dict(num_workers=1, rank=0,
                                                  seed=3)
