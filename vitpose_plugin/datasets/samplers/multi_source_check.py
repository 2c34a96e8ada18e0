"""Refuse a ``MultiSourceSampler`` configuration that would never finish a
batch.

MMPose's ``MultiSourceSampler`` gives dataset ``i > 0`` of a batch
``int(batch_size * source_ratio[i] / sum(source_ratio))`` samples and
dataset 0 the rest. A share of 0 (or less) makes it draw from that dataset
forever, looking for a sample count it never reaches: training hangs
without a word. :func:`check_multi_source_sampler` finds that in the
config, before any data is loaded.
"""
import math
from fractions import Fraction
from typing import Any, List, Mapping, Optional, Sequence

SAMPLER_TYPES = ('MultiSourceSampler', 'mmpose.MultiSourceSampler')


def samples_per_source(batch_size: int,
                       source_ratio: Sequence[float]) -> List[int]:
    """Each dataset's sample count in a batch, as MMPose's
    ``MultiSourceSampler`` computes it (dataset 0 takes the remainder).

    Args:
        batch_size (int): The sampler's ``batch_size``.
        source_ratio (list[float]): The sampler's ``source_ratio``.
    """
    total = sum(source_ratio)
    rest = [int(batch_size * ratio / total) for ratio in source_ratio[1:]]
    return [batch_size - sum(rest), *rest]


def smallest_batch_size(source_ratio: Sequence[float]) -> Optional[int]:
    """The smallest batch size that gives every dataset a sample, or None
    where none does (a ratio <= 0 after the first)."""
    if min(source_ratio[1:], default=1) <= 0:
        return None
    total = sum(source_ratio)
    size = max(math.ceil(total / ratio) for ratio in source_ratio[1:])
    size = max(size, len(source_ratio))
    # The float arithmetic may land one off the exact bound either way.
    while size > 1 and min(samples_per_source(size - 1, source_ratio)) > 0:
        size -= 1
    while min(samples_per_source(size, source_ratio)) <= 0:
        size += 1
    return size


def smallest_ratio(batch_size: int, source_ratio: Sequence[float],
                   index: int) -> Optional[float]:
    """The smallest ``source_ratio[index]`` (the others unchanged) that gives
    dataset ``index > 0`` a sample of a ``batch_size`` batch: a whole number
    where all ratios are whole, else rounded up to 3 decimals. None where
    no ratio does (``batch_size`` 1).
    """
    if batch_size < 2:
        return None
    others = sum(r for i, r in enumerate(source_ratio) if i != index)
    # int(batch_size * r / (others + r)) >= 1  <=>  r >= others / (bs - 1)
    exact = Fraction(others) / (batch_size - 1)
    whole = all(float(r).is_integer() for r in source_ratio)
    step = Fraction(1) if whole else Fraction(1, 1000)
    ratio = math.ceil(exact / step) * step
    trial = list(source_ratio)
    while True:
        trial[index] = int(ratio) if whole else float(ratio)
        if samples_per_source(batch_size, trial)[index] >= 1:
            return trial[index]
        ratio += step


def _describe_dataset(dataset_cfg: Any, index: int) -> str:
    """``"dataset 1 ('aic', CocoDataset)"`` from a mixture's config."""
    if not isinstance(dataset_cfg, Mapping):
        return f'dataset {index}'
    names = dataset_cfg.get('names')
    datasets = dataset_cfg.get('datasets')
    parts = []
    if isinstance(names, Sequence) and index < len(names):
        parts.append(repr(names[index]))
    if isinstance(datasets, Sequence) and index < len(datasets):
        sub = datasets[index]
        sub_type = sub.get('type') if isinstance(sub, Mapping) \
            else type(sub).__name__
        if sub_type is not None:
            parts.append(getattr(sub_type, '__name__', str(sub_type)))
    return f'dataset {index}' + (f' ({", ".join(parts)})' if parts else '')


def check_multi_source_sampler(dataloader_cfg: Any,
                               loader_name: str = 'train_dataloader') -> None:
    """Raise ``ValueError`` if the loader's ``MultiSourceSampler`` would give
    a dataset no sample of a batch (and so loop forever); other samplers
    and built data loaders pass unchecked.

    Args:
        dataloader_cfg (dict | DataLoader): The data loader's config, e.g.
            ``cfg.train_dataloader``.
        loader_name (str): Its key in the config, for the message. Defaults
            to ``'train_dataloader'``.

    Raises:
        ValueError: the sampler has no ``batch_size``, or a dataset's share
            rounds to 0 (the message names the dataset, the smallest
            ``batch_size`` and the smallest ``source_ratio`` that work).
    """
    if not isinstance(dataloader_cfg, Mapping):
        return
    sampler = dataloader_cfg.get('sampler')
    if not isinstance(sampler, Mapping) or \
            sampler.get('type') not in SAMPLER_TYPES:
        return
    option = f'{loader_name}.sampler'
    source_ratio = sampler.get('source_ratio')
    if not isinstance(source_ratio, Sequence) or not source_ratio:
        return  # MMPose's own assertions name this
    batch_size = sampler.get('batch_size')
    if batch_size is None:
        raise ValueError(
            f'{option} ({sampler["type"]}) has no batch_size; give it the '
            f"loader's batch size, e.g. batch_size="
            f'{dataloader_cfg.get("batch_size")}')
    counts = samples_per_source(batch_size, source_ratio)
    empty = [i for i, count in enumerate(counts) if count <= 0]
    if not empty:
        return
    if batch_size < 2:
        raise ValueError(
            f'{option}: batch_size={batch_size} cannot hold a sample of each '
            f'of {len(source_ratio)} datasets; MultiSourceSampler needs a '
            f'batch of at least {len(source_ratio)} samples')
    dataset_cfg = dataloader_cfg.get('dataset')
    total = sum(source_ratio)
    problems, fixes = [], []
    for i in empty:
        where = _describe_dataset(dataset_cfg, i)
        if source_ratio[i] <= 0:
            problems.append(
                f'{where} has source_ratio[{i}]={source_ratio[i]}, so it '
                'would never be drawn: remove it from the mixture (and from '
                'source_ratio) instead')
            continue
        problems.append(
            f'{where} gets int({batch_size} * {source_ratio[i]} / {total}) '
            f'= {counts[i]} samples per batch')
        fixes.append(f'raise source_ratio[{i}] to at least '
                     f'{smallest_ratio(batch_size, source_ratio, i)}')
    smallest = smallest_batch_size(source_ratio)
    if smallest is not None:
        fixes.insert(0, f'use batch_size={smallest} or more (the sampler '
                     "and the loader's)")
    advice = ('; '.join(fixes) + ' (each with the other settings '
              'unchanged)') if fixes else ''
    raise ValueError(
        f'{option}: MultiSourceSampler(batch_size={batch_size}, '
        f'source_ratio={list(source_ratio)}) would loop forever looking for '
        f'a sample it never draws: {"; ".join(problems)}. '
        + (f'Fix: {advice}.' if advice else ''))
