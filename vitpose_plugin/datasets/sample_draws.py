"""Random draws of a training sample as a function of (seed, epoch, index).

The sampler (:class:`ViTPoseSeededSampler`) yields a :class:`SampleKey` per
sample; the dataset (:class:`ViTPoseSeededDataset`) turns it into one
``numpy.random.Generator`` and hands it to the pipeline in
``results['sample_draws']``; the random transforms draw from it
(:func:`sample_draws`). No draw depends on a worker's history, so a resume
is exact with persistent loader workers, and a sample gets the same
augmentation on any rank at any per-rank batch size.
"""
import copy
import logging
from typing import Iterator, List, NamedTuple, Optional, Sized, Union

import numpy as np
from mmengine.dataset import BaseDataset, ConcatDataset
from mmengine.logging import print_log
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATA_SAMPLERS, DATASETS
from torch.utils.data import Sampler

from .data_info import data_info
from .dataset_mixture import ViTPoseDatasetMixture

#: The ``results`` key holding the sample's generator.
DRAWS_KEY = 'sample_draws'


class SampleKey(NamedTuple):
    """What a sample's random draws are a function of."""
    seed: int
    epoch: int
    index: int


def sample_generator(key: SampleKey) -> np.random.Generator:
    """The generator of ``key`` (the same key, the same draws)."""
    return np.random.default_rng(
        np.random.SeedSequence([key.seed % 2**63, key.epoch, key.index]))


def sample_draws(results: dict):
    """The generator the pipeline was handed for this sample.

    Outside a :class:`ViTPoseSeededDataset` (a pipeline run by a tool, or
    MMPose's own loop) there is none, and the transforms draw from NumPy's
    global generator as MMPose's do; both answer ``random``,
    ``standard_normal``, ``uniform`` and ``choice``.

    Args:
        results (dict): The sample.
    """
    return results.get(DRAWS_KEY, np.random)


def seeded_loader_config(loader: dict) -> dict:
    """A copy of the data loader config ``loader`` whose dataset and
    sampler are wrapped in :class:`ViTPoseSeededDataset` and
    :class:`ViTPoseSeededSampler` (unchanged if they already are).

    Args:
        loader (dict): ``train_dataloader``, with ``dataset`` and
            ``sampler``.
    """
    loader = copy.deepcopy(loader)
    wrappers = (('dataset', 'ViTPoseSeededDataset'),
                ('sampler', 'ViTPoseSeededSampler'))
    for key, wrapper in wrappers:
        if key not in loader:
            raise KeyError(f'train_dataloader has no {key!r}; seeded draws '
                           '(train_cfg.seeded_draws) need one')
        inner = loader[key]
        if isinstance(inner, dict) and \
                str(inner.get('type', '')).split('.')[-1] == wrapper:
            continue
        loader[key] = {'type': f'mmpose.{wrapper}', key: inner}
    return loader


class SampleDrawTransform:
    """Mixin of the random transforms: while ``transform`` runs,
    ``self.draws`` is the sample's generator (:func:`sample_draws`), which
    their random methods draw from instead of ``np.random``."""

    draws = np.random

    def transform(self, results: dict):
        self.draws = sample_draws(results)
        try:
            return super().transform(results)
        finally:
            del self.draws  # the class's np.random again


@DATA_SAMPLERS.register_module()
class ViTPoseSeededSampler(Sampler):
    """Any sampler's order, each index yielded as a :class:`SampleKey`
    ``(seed, epoch, index)`` for :class:`ViTPoseSeededDataset`.

    Args:
        sampler (dict): The order's sampler config (e.g.
            ``dict(type='DefaultSampler', shuffle=True)``), built with the
            wrapped dataset and ``seed``.
        dataset (ViTPoseSeededDataset): The training dataset.
        seed (int, optional): The draws' (and the order's) seed, shared by
            all ranks. Defaults to None: the order sampler's seed.
    """

    def __init__(self, sampler: dict, dataset: Sized,
                 seed: Optional[int] = None) -> None:
        if not isinstance(dataset, ViTPoseSeededDataset):
            raise TypeError(
                'ViTPoseSeededSampler yields (seed, epoch, index) keys that '
                'only ViTPoseSeededDataset reads; got a '
                f'{type(dataset).__name__} dataset')
        self.order = DATA_SAMPLERS.build(
            sampler, default_args=dict(dataset=dataset.dataset, seed=seed))
        self.epoch = 0

    @property
    def seed(self) -> int:
        """The order sampler's seed (set on resume by the train loop)."""
        return self.order.seed

    @seed.setter
    def seed(self, value: int) -> None:
        self.order.seed = value

    def set_epoch(self, epoch: int) -> None:
        """The next epoch's keys and order."""
        self.epoch = epoch
        if hasattr(self.order, 'set_epoch'):
            self.order.set_epoch(epoch)

    def __iter__(self) -> Iterator[SampleKey]:
        for index in self.order:
            yield SampleKey(self.seed, self.epoch, int(index))

    def __len__(self) -> int:
        return len(self.order)


@DATASETS.register_module()
class ViTPoseSeededDataset:
    """A training dataset whose sample ``key`` (a :class:`SampleKey`) seeds
    the random draws of its pipeline.

    ``dataset[SampleKey(seed, epoch, index)]`` runs sample ``index`` through
    its pipeline with ``results['sample_draws']`` = the key's generator; a
    sample the pipeline drops (``bad_sample='skip'``) is replaced by one
    drawn from the same generator, as mmengine's ``BaseDataset`` does from
    the global one. ``dataset[index]`` (a plain int, e.g. a tool) uses
    seed 0 and epoch 0. Datasets: MMPose/mmengine ``BaseDataset`` s,
    ``ConcatDataset`` and :class:`ViTPoseDatasetMixture` of them.

    Args:
        dataset (dict | BaseDataset): The dataset.
    """

    def __init__(self, dataset: Union[dict, BaseDataset]) -> None:
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
        warn_unseeded_transforms(self.dataset)

    @property
    def metainfo(self) -> dict:
        """The wrapped dataset's metainfo."""
        return self.dataset.metainfo

    def get_data_info(self, index: int) -> dict:
        """The wrapped dataset's data info of ``index``."""
        return self.dataset.get_data_info(index)

    def full_init(self) -> None:
        """Initialise the wrapped dataset."""
        self.dataset.full_init()

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: Union[SampleKey, int]):
        if not isinstance(key, SampleKey):
            key = SampleKey(0, 0, int(key))
        return draw_sample(self.dataset, key.index, sample_generator(key))


def leaf_datasets(dataset) -> List[BaseDataset]:
    """The datasets whose pipelines ``dataset``'s samples run through."""
    if isinstance(dataset, (ViTPoseDatasetMixture, ConcatDataset)):
        return [leaf for part in dataset.datasets
                for leaf in leaf_datasets(part)]
    return [dataset]


def warn_unseeded_transforms(dataset) -> None:
    """Warn about random transforms in ``dataset``'s pipelines that draw
    from their process's generator, not the sample's: with persistent
    loader workers their draws are not resumed, and ranks draw apart."""
    names = sorted({
        type(transform).__name__
        for leaf in leaf_datasets(dataset)
        for transform in getattr(getattr(leaf, 'pipeline', None),
                                 'transforms', [])
        if getattr(type(transform), '_methods_with_randomness', None)
        and not isinstance(transform, SampleDrawTransform)
    })
    if names:
        print_log(
            f'ViTPoseSeededDataset: {", ".join(names)} draw from the loader '
            "worker's random stream, not from (seed, epoch, sample index): "
            'a resume with persistent workers after the first epoch is not '
            'exact and DDP ranks draw differently. Use the plugin\'s '
            'ViTPoseRandomFlip, ViTPoseRandomHalfBody and '
            'ViTPoseRandomBBoxTransform (same arguments).',
            logger='current', level=logging.WARNING)


def draw_sample(dataset, index: int, draws: np.random.Generator):
    """Sample ``index`` of ``dataset`` through its pipeline, drawing from
    ``draws``.

    Raises:
        TypeError: a dataset type whose samples cannot be reached.
        RuntimeError: more bad samples in a row than ``max_refetch``.
    """
    if isinstance(dataset, ViTPoseDatasetMixture):
        subset, local = dataset.subset_index(index, draws)
        return dataset.tag_sample(
            draw_sample(dataset.datasets[subset], local, draws), subset)
    if isinstance(dataset, ConcatDataset):
        subset, local = dataset._get_ori_dataset_idx(index)
        return draw_sample(dataset.datasets[subset], local, draws)
    if not isinstance(dataset, BaseDataset):
        raise TypeError(
            f'ViTPoseSeededDataset cannot hand random draws to the pipeline '
            f'of a {type(dataset).__name__}: use a BaseDataset, '
            'ConcatDataset or ViTPoseDatasetMixture')
    if not dataset._fully_initialized:
        dataset.full_init()
    for _ in range(dataset.max_refetch + 1):
        results = data_info(dataset, index)
        if isinstance(dataset, BaseCocoStyleDataset):
            results['dataset'] = dataset  # as its prepare_data
        results[DRAWS_KEY] = draws
        sample = dataset.pipeline(results)
        if sample is not None or dataset.test_mode:
            return sample
        index = int(draws.integers(len(dataset)))
    raise RuntimeError(
        f'{type(dataset).__name__}: {dataset.max_refetch + 1} bad samples in '
        'a row; raise the dataset\'s max_refetch or fix the data')
