"""Which image each sample of a training dataset shows, read without
deserialising the samples.

mmengine's ``BaseDataset`` keeps its samples as one pickle each
(``data_bytes``, ``data_address``); reading a sample's image through
``get_data_info`` unpickles the whole annotation (and MMPose's COCO-style
datasets deep-copy seven metainfo entries into it): tens of microseconds per
sample, hundreds for COCO-WholeBody. Every pose and person-crop dataset here
pickles a dict whose first entries are plain scalars with ``img_path`` among
them (``img_id, img_path, ...``; MPII ``id, img_id, img_path, ...``; the MAE
person crops ``img_path, ...``), so :func:`sample_image_keys` matches just
those leading opcodes, and unpickles a sample only where its layout is
another.
"""
import pickle
import re
from typing import Hashable, List, NamedTuple, Optional, Sized

import numpy as np
from mmengine.dataset import BaseDataset, ConcatDataset
from mmpose.datasets.datasets.base import BaseCocoStyleDataset

from .dataset_mixture import ViTPoseDatasetMixture
from .sample_draws import ViTPoseSeededDataset

#: The sample keys naming its image, the first present wins.
IMAGE_KEYS = ('img_path', 'img_id')

#: A protocol-4 pickle of a dict whose leading entries are short ``str`` keys
#: with plain non-str values (int, float, bool, None), then ``img_path``: a
#: str (its length, 1 or 4 bytes, is group 1 or 2). Every opcode is matched
#: whole, so a match is that pickle's first entries.
_LEADING_IMAGE_PATH = re.compile(
    rb'\x80\x04\x95.{8}'  # PROTO 4, FRAME
    rb'\}\x94\('  # EMPTY_DICT, MEMOIZE, MARK
    rb'(?:\x8c.\w+\x94'  # SHORT_BINUNICODE key, MEMOIZE
    rb'(?:K.|M..|J.{4}|G.{8}|N|\x88|\x89))*?'  # BININT*, BINFLOAT, consts
    rb'\x8c\x08img_path\x94'
    rb'(?:\x8c(.)|X(.{4}))', re.DOTALL)  # SHORT_BINUNICODE | BINUNICODE


class SampleImages(NamedTuple):
    """Each sample's image key (``img_path``, else ``img_id``) and its
    dataset index in a ``ViTPoseDatasetMixture`` (0 otherwise)."""
    keys: List[Hashable]
    sources: np.ndarray


def sample_image_keys(dataset: Sized) -> SampleImages:
    """The image key and dataset index of every sample of ``dataset``,
    as its ``get_data_info`` gives them, read the cheapest way it allows.

    ``ViTPoseSeededDataset`` and ``ConcatDataset`` are read through their
    datasets, ``ViTPoseDatasetMixture`` too (dataset index from its sizes);
    mmengine datasets whose ``get_data_info`` is ``BaseDataset``'s or
    ``BaseCocoStyleDataset``'s from their kept samples; any other dataset
    through ``get_data_info(i)`` for every sample.

    Args:
        dataset (Sized): The dataset.

    Raises:
        KeyError: a sample with neither ``img_path`` nor ``img_id``.
    """
    if isinstance(dataset, ViTPoseSeededDataset):
        return sample_image_keys(dataset.dataset)
    if isinstance(dataset, ViTPoseDatasetMixture):
        return _mixture_image_keys(dataset)
    if isinstance(dataset, ConcatDataset):
        parts = [sample_image_keys(ds) for ds in dataset.datasets]
        return SampleImages([key for part in parts for key in part.keys],
                            np.concatenate([part.sources for part in parts]))
    if isinstance(dataset, BaseDataset) and type(dataset).get_data_info in (
            BaseDataset.get_data_info, BaseCocoStyleDataset.get_data_info):
        return SampleImages(_kept_image_keys(dataset),
                            np.zeros(len(dataset), dtype=np.int64))
    return _data_info_image_keys(dataset)


def _image_key(info: dict, index: int, dataset: Sized) -> Hashable:
    for name in IMAGE_KEYS:
        if info.get(name) is not None:
            return info[name]
    raise KeyError(
        'ViTPoseImageGroupedSampler needs img_path or img_id in the data '
        f'info of sample {index} of {type(dataset).__name__}')


def _data_info_image_keys(dataset: Sized) -> SampleImages:
    """The fallback: ``get_data_info(i)`` of every sample."""
    keys = []
    sources = np.zeros(len(dataset), dtype=np.int64)
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        keys.append(_image_key(info, index, dataset))
        sources[index] = info.get('dataset_idx', 0)
    return SampleImages(keys, sources)


def _mixture_image_keys(mixture: ViTPoseDatasetMixture) -> SampleImages:
    """A resampled dataset's index ``j`` is keyed by the sample at the middle
    of the local range it draws from (the draw is random per read)."""
    keys: List[Hashable] = []
    for subset, dataset in enumerate(mixture.datasets):
        own = sample_image_keys(dataset).keys
        if mixture.resample:
            local = _resampled_middles(len(own), mixture._lens[subset])
            own = [own[i] for i in local.tolist()]
        keys.extend(own)
    sources = np.repeat(
        np.arange(len(mixture.datasets), dtype=np.int64), mixture._lens)
    return SampleImages(keys, sources)


def _resampled_middles(original: int, resampled: int) -> np.ndarray:
    # as CombinedDataset._get_subset_index with its random draw at 0.5
    gap = (original - 1e-4) / max(resampled, 1)
    middles = np.round(gap * (np.arange(resampled) + 0.5) - 0.5)
    return np.clip(middles, 0, original - 1).astype(np.int64)


def _kept_image_keys(dataset: BaseDataset) -> List[Hashable]:
    """Image keys from the kept samples: the list, or the pickles'
    leading entries (a sample of another layout is unpickled)."""
    size = len(dataset)  # runs full_init if lazy
    if not dataset.serialize_data:
        return [_image_key(dataset.data_list[i], i, dataset)
                for i in range(size)]
    buffer = memoryview(dataset.data_bytes)
    ends = dataset.data_address.tolist()
    keys = []
    for index, (start, end) in enumerate(zip([0] + ends[:-1], ends)):
        key = _leading_image_path(buffer, start, end)
        if key is None:
            key = _image_key(pickle.loads(buffer[start:end]), index, dataset)
        keys.append(key)
    return keys


def _leading_image_path(buffer: memoryview, start: int,
                        end: int) -> Optional[str]:
    """``img_path`` of the pickled dict at ``buffer[start:end]`` if
    :data:`_LEADING_IMAGE_PATH` finds it among the leading entries, else
    None (undecided: unpickle it)."""
    match = _LEADING_IMAGE_PATH.match(buffer, start, end)
    if match is None:
        return None
    size = int.from_bytes(match.group(1) or match.group(2), 'little')
    return str(buffer[match.end():match.end() + size], 'utf-8')
