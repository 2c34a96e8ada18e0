"""Publishing: a training checkpoint as a model-zoo file.

As MMPose's ``tools/misc/publish_model.py``: only the weights and the
``meta`` are kept (no optimizer, schedulers or message hub), the file is
named after its content (``<stem>-<first 8 hex digits of its sha256>.pth``)
and, unlike a training checkpoint, it loads with torch's default
``torch.load(weights_only=True)`` and no allow-list: numpy values in
``meta`` become plain Python lists and numbers, and entries that are no
plain values are dropped. MMPose's ``init_model`` and ``MMPoseInferencer``
read such files directly.
"""
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Tuple

import numpy as np
import torch

from .files import check_output_path, write_atomically
from .layouts import StateDict

#: The top-level entries a published checkpoint keeps.
PUBLISHED_ENTRIES = ('state_dict', 'meta')

_PRIMITIVES = (bool, int, float, str)


class _NotPlain(Exception):
    """A value that has no plain-typed equivalent."""


@dataclass
class PublishedCheckpoint:
    """What :func:`publish_checkpoint` wrote.

    Attributes:
        path (str): The published file, ``<stem>-<sha256[:8]>.pth``.
        sha256 (str): The file's full sha256 digest.
        dropped_meta (list[str]): ``meta`` entries that held no plain
            values, with their types (``meta.x.y (HistoryBuffer)``).
    """
    path: str
    sha256: str
    dropped_meta: List[str] = field(default_factory=list)


def _plain(value: Any, where: str, dropped: List[str]) -> Any:
    """``value`` with numpy arrays and scalars as Python lists and numbers;
    containers converted item by item, items without a plain form left
    out and named in ``dropped``."""
    if value is None or type(value) in _PRIMITIVES:
        return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    for primitive in _PRIMITIVES:  # subclasses (enums) pickle as classes
        if isinstance(value, primitive):
            return primitive(value)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            name = f'{where}.{key}'
            try:
                plain_key = _plain(key, name, [])
                if not isinstance(plain_key, (*_PRIMITIVES, type(None))):
                    raise _NotPlain
                plain[plain_key] = _plain(item, name, dropped)
            except _NotPlain:
                dropped.append(f'{name} ({type(item).__name__})')
        return plain
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(item, f'{where}[{index}]', dropped)
                 for index, item in enumerate(value)]
        return tuple(items) if isinstance(value, tuple) else items
    raise _NotPlain


def plain_meta(meta: Mapping) -> Tuple[Dict[str, Any], List[str]]:
    """A checkpoint's ``meta`` in plain Python types.

    Args:
        meta (Mapping): ``checkpoint['meta']``.

    Returns:
        tuple: The plain ``meta`` and the entries left out, with their
        types (``meta.key (TypeName)``).
    """
    dropped: List[str] = []
    return _plain(dict(meta), 'meta', dropped), dropped


def select_dataset_meta(meta: Mapping, dataset: str) -> Dict[str, Any]:
    """``meta`` whose ``dataset_meta`` is that of one dataset of a
    multi-dataset run (``dataset_meta['datasets'][dataset]``, which the
    plugin's dataset mixture stores), for MMPose's ``init_model`` with a
    config narrowed to that dataset.

    Raises:
        ValueError: ``meta`` holds no metainfo of ``dataset``.
    """
    dataset_meta = meta.get('dataset_meta')
    per_dataset = dataset_meta.get('datasets') \
        if isinstance(dataset_meta, Mapping) else None
    if not isinstance(per_dataset, Mapping) or dataset not in per_dataset:
        known = ', '.join(map(str, per_dataset)) \
            if isinstance(per_dataset, Mapping) else 'none: not a ' \
            'multi-dataset run'
        raise ValueError(f'no metainfo of dataset {dataset!r} in meta.'
                         f'dataset_meta.datasets (datasets: {known})')
    return dict(meta, dataset_meta=dict(per_dataset[dataset]))


def published_path(out: str, sha256: str) -> str:
    """``OUT`` without ``.pth``, then ``-<sha256[:8]>.pth``."""
    stem = out[:-len('.pth')] if out.endswith('.pth') else out
    return f'{stem}-{sha256[:8]}.pth'


def publish_checkpoint(state_dict: StateDict,
                       meta: Mapping,
                       out: str,
                       inputs: Tuple[str, ...] = (),
                       overwrite: bool = False) -> PublishedCheckpoint:
    """Write ``{'state_dict', 'meta'}`` as a published checkpoint.

    Args:
        state_dict (dict[str, Tensor]): The model's weights.
        meta (Mapping): The training checkpoint's ``meta``; made plain by
            :func:`plain_meta`.
        out (str): ``OUT``; the file written is :func:`published_path`.
        inputs (tuple[str]): Files the published one must never replace.
            Defaults to ``()``.
        overwrite (bool): Whether an existing published file (not an
            input) may be replaced. Defaults to False.

    Raises:
        OutputPathError: the published path is an input, a directory, or
            exists and ``overwrite`` is False.
    """
    plain, dropped = plain_meta(meta)
    checkpoint = dict(
        state_dict={key: value.detach().cpu().clone()
                    for key, value in state_dict.items()},
        meta=plain)
    # The name holds the digest of the bytes, so they exist before the file.
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    content = buffer.getvalue()
    sha256 = hashlib.sha256(content).hexdigest()
    path = published_path(out, sha256)
    check_output_path(path, inputs, overwrite, option='the published file')
    write_atomically(path, lambda file: file.write(content))
    return PublishedCheckpoint(path, sha256, dropped)


__all__ = [
    'PUBLISHED_ENTRIES', 'PublishedCheckpoint', 'plain_meta',
    'publish_checkpoint', 'published_path', 'select_dataset_meta'
]
