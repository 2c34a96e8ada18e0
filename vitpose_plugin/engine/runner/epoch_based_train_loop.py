"""mmengine's epoch-based training loop, resumable mid-epoch bit-exactly."""
import logging
import random
from functools import partial
from typing import Optional

import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop
from mmpose.registry import LOOPS

from ...datasets.sample_draws import seeded_loader_config


def seed_iteration(seed: int, iteration: int) -> None:
    """Seed Python's, NumPy's and torch's (all devices) global generators
    from ``(seed, iteration)`` alone.

    Args:
        seed (int): The run's seed (``runner.seed``).
        iteration (int): The training iteration about to run.
    """
    words = np.random.SeedSequence([seed % 2**63, iteration]).generate_state(
        2, np.uint32)
    random.seed(int(words[0]))
    np.random.seed(words[0])
    torch.manual_seed((int(words[0]) << 32) | int(words[1]))


@LOOPS.register_module()
class ViTPoseEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` whose resumed runs equal uninterrupted ones.

    mmengine's loop restarts the epoch of a mid-epoch checkpoint
    (``CheckpointHook(by_epoch=False)``) from its first batch, training the
    batches before the checkpoint twice, and the random generators of the
    main process are not in checkpoints. This loop

    - skips, on resume, the batches of the epoch that the checkpoint has
      already trained. They are drawn from the data loader and dropped, so
      the loader workers draw the same random augmentations for the rest of
      the epoch as in the uninterrupted run (it costs the loading time of
      the skipped batches, once);
    - with ``seed_per_iter`` (default), seeds the main process' global
      generators (``random``, NumPy, torch on every device) from
      ``(runner.seed, iteration)`` before each batch is fetched, so drop
      path, dropout and the augmentations of a ``num_workers=0`` pipeline
      depend on the iteration, not on the history of the process;
    - gives the sampler and the loader workers the checkpoint's seed when a
      run without ``randomness.seed`` is resumed: mmengine builds the data
      loader with the new run's random seed before it reads the
      checkpoint's, so the resumed epoch would visit the samples in another
      order (some twice, some not at all).

    A run killed after a checkpoint and resumed with ``--resume`` ends with
    the weights, optimizer state and message-hub history of the
    uninterrupted run, bit for bit on CPU (tested); on GPUs as far as the
    kernels are deterministic (``randomness.deterministic=True`` makes cuDNN
    so, not every CUDA kernel). With ``seeded_draws`` (default) every
    random augmentation of a sample is drawn from ``(seed, epoch, sample
    index)`` alone: the data loader's dataset and sampler are wrapped in
    :class:`~vitpose_plugin.datasets.ViTPoseSeededDataset` and
    :class:`~vitpose_plugin.datasets.ViTPoseSeededSampler`, and the
    plugin's random transforms (``ViTPoseRandomFlip``,
    ``ViTPoseRandomHalfBody``, ``ViTPoseRandomBBoxTransform``,
    ``ViTPosePersonRandomResizedCrop``) draw from the sample's generator.
    The loader workers' own random streams then play no part: a resume is
    exact also with ``persistent_workers=True`` after any epoch, and a
    sample is augmented alike on any rank at any batch size. MMPose's
    random transforms (``RandomFlip``, ...) still draw from the workers'
    streams, which are in no checkpoint (a warning says so on resume).

    ``ViTPoseRunner`` builds it for ``train_cfg=dict(by_epoch=True, ...)``;
    with another runner use ``train_cfg=dict(type=
    'ViTPoseEpochBasedTrainLoop', max_epochs=...)``.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The training data loader or its
            config.
        max_epochs (int): Number of epochs.
        val_begin (int): First epoch that is validated. Defaults to 1.
        val_interval (int): Validation interval in epochs. Defaults to 1.
        dynamic_intervals (list[tuple[int, int]], optional): (milestone,
            interval) pairs, as mmengine's. Defaults to None.
        seed_per_iter (bool): Seed the main process' generators before
            each batch. Defaults to True.
        seeded_draws (bool): Draw each sample's augmentations from
            ``(seed, epoch, index)``. Defaults to True.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[list] = None,
                 seed_per_iter: bool = True,
                 seeded_draws: bool = True) -> None:
        self.seeded_draws = seeded_draws and isinstance(dataloader, dict)
        if self.seeded_draws:
            dataloader = seeded_loader_config(dataloader)
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        self.seed_per_iter = seed_per_iter
        # the seed mmengine built the data loader with; a resume may change
        # the runner's seed afterwards
        self._loader_seed = runner.seed

    def run(self) -> torch.nn.Module:
        """Train the remaining epochs (warning when a resume is inexact)."""
        loader = self.dataloader
        if self._iter > 0 and self.runner.seed != self._loader_seed:
            self._reseed_loader(self._loader_seed, self.runner.seed)
        if self._iter > 0 and self._epoch > 0 and loader.num_workers > 0 \
                and getattr(loader, 'persistent_workers', False) \
                and not self.seeded_draws:
            print_log(
                f'Resuming in epoch {self._epoch + 1} with persistent loader '
                'workers: their random streams (augmentations) are not in '
                'checkpoints and start again from their seeds, so the '
                'augmentations differ from those of an uninterrupted run '
                '(the rest resumes exactly). Set '
                'train_dataloader.persistent_workers=False for a bit-exact '
                'resume.', logger='current', level=logging.WARNING)
        return super().run()

    def _reseed_loader(self, old: int, new: int) -> None:
        """Give the sampler and the workers seeded with ``old`` ``new``."""
        loader = self.dataloader
        for sampler in (getattr(loader.batch_sampler, 'sampler', None),
                        loader.sampler):
            if getattr(sampler, 'seed', None) == old:
                sampler.seed = new
        init = loader.worker_init_fn
        if isinstance(init, partial) and init.keywords.get('seed') == old:
            loader.worker_init_fn = partial(
                init.func, *init.args, **dict(init.keywords, seed=new))
        print_log(
            f'Resumed: the data sampler and loader workers use the '
            f"checkpoint's seed {new} (built with {old})", logger='current')
        self._loader_seed = new

    def run_epoch(self) -> None:
        """Iterate over the batches of the epoch not trained yet."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        length = len(self.dataloader)
        done = self._iter - self._epoch * length
        if not 0 <= done <= length:
            raise RuntimeError(
                f'ViTPoseEpochBasedTrainLoop: iteration {self._iter} is not '
                f'in epoch {self._epoch + 1} of {length} iterations: the '
                'resumed checkpoint was trained with another number of '
                'iterations per epoch (dataset, batch size or number of '
                'processes changed); resume with the original settings or '
                'load the weights with load_from instead of resuming')
        batches = iter(self.dataloader)
        if done:
            print_log(
                f'Skipping the {done} batches of epoch {self._epoch + 1} '
                'trained before the checkpoint', logger='current')
            for _ in range(done):
                next(batches)
        idx = done
        while True:
            if self.seed_per_iter:
                # before the fetch: a num_workers=0 pipeline draws here
                seed_iteration(self.runner.seed, self._iter)
            try:
                data_batch = next(batches)
            except StopIteration:
                break
            self.run_iter(idx, data_batch)
            idx += 1
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
