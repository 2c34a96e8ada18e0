"""Which image each sample of a training dataset shows, read without
deserialising the samples.

mmengine's ``BaseDataset`` keeps its samples as one pickle each
(``data_bytes``, ``data_address``); reading a sample's image through
``get_data_info`` unpickles the whole annotation (and MMPose's COCO-style
datasets deep-copy seven metainfo entries into it): tens of microseconds per
sample, hundreds for COCO-WholeBody. Every pose and person-crop dataset here
pickles a dict whose first entries are plain scalars with ``img_path`` among
them (``img_id, img_path, ...``; MPII ``id, img_id, img_path, ...``; the MAE
person crops ``img_path, ...``), so :func:`sample_image_keys` decodes just
those leading opcodes, and unpickles a sample only where its layout is
another.
"""
import pickle
import struct
from typing import Hashable, List, NamedTuple, Optional, Sized

import numpy as np
from mmengine.dataset import BaseDataset, ConcatDataset
from mmpose.datasets.datasets.base import BaseCocoStyleDataset

from .dataset_mixture import ViTPoseDatasetMixture
from .sample_draws import ViTPoseSeededDataset

#: The sample keys naming its image, the first present wins.
IMAGE_KEYS = ('img_path', 'img_id')

# Pickle protocol 4 opcodes of a dict's leading plain entries.
_PROTO_4, _FRAME, _MEMOIZE = b'\x80\x04', 0x95, 0x94
_DICT_MARK = b'}\x94('  # EMPTY_DICT, MEMOIZE, MARK
_SHORT_STR, _STR, _BINGET = 0x8c, 0x58, 0x68
_INT_SIZES = {0x4b: (1, False), 0x4d: (2, False), 0x4a: (4, True)}
_LONG1, _FLOAT = 0x8a, 0x47
_CONSTANTS = {0x4e: None, 0x88: True, 0x89: False}


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
    """``img_path`` of the pickled dict at ``buffer[start:end]`` if it is
    among its leading plain entries, else None (undecided: unpickle it).

    A protocol-4 pickle of a dict of several entries starts with PROTO,
    FRAME, EMPTY_DICT, MEMOIZE, MARK, then key/value opcodes; strings are
    each followed by MEMOIZE, so a repeated one is a BINGET of the memo.
    """
    if buffer[start:start + 2] != _PROTO_4 or end - start < 14 or \
            buffer[start + 2] != _FRAME or \
            buffer[start + 11:start + 14] != _DICT_MARK:
        return None
    memo: list = [None]  # the dict
    position = start + 14
    while position < end:
        key, position = _plain_value(buffer, position, end, memo)
        if not isinstance(key, str):
            return None
        value, position = _plain_value(buffer, position, end, memo)
        if position < 0:
            return None
        if key == 'img_path':
            return value if isinstance(value, str) else None
    return None


def _plain_value(buffer: memoryview, position: int, end: int,
                 memo: list) -> tuple:
    """The plain value (str, int, float, bool, None) pickled at
    ``position`` and the position after it; ``(None, -1)`` for anything
    else."""
    if position < 0 or position >= end:
        return None, -1
    opcode = buffer[position]
    if opcode in (_SHORT_STR, _STR):
        width = 1 if opcode == _SHORT_STR else 4
        size = int.from_bytes(buffer[position + 1:position + 1 + width],
                              'little')
        start = position + 1 + width
        value = str(buffer[start:start + size], 'utf-8')
        position = start + size
        if position < end and buffer[position] == _MEMOIZE:
            memo.append(value)
            position += 1
        return value, position
    if opcode == _BINGET:
        index = buffer[position + 1]
        return (memo[index], position + 2) if index < len(memo) else \
            (None, -1)
    if opcode in _INT_SIZES:
        size, signed = _INT_SIZES[opcode]
        raw = buffer[position + 1:position + 1 + size]
        return int.from_bytes(raw, 'little', signed=signed), \
            position + 1 + size
    if opcode == _LONG1:
        size = buffer[position + 1]
        raw = buffer[position + 2:position + 2 + size]
        return int.from_bytes(raw, 'little', signed=True), \
            position + 2 + size
    if opcode == _FLOAT:
        return struct.unpack_from('>d', buffer, position + 1)[0], \
            position + 9
    if opcode in _CONSTANTS:
        return _CONSTANTS[opcode], position + 1
    return None, -1
