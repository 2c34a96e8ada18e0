"""safetensors as a plugin checkpoint format: tensors plus JSON meta, no
pickle.

A plugin ``.safetensors`` checkpoint holds the flat state dict as
safetensors tensors and the checkpoint's ``meta`` (config text, dataset
names, where it was converted from ...) as one JSON string in the file's
metadata, under :data:`META_KEY`. Reading it runs no code and calls no
global, so it needs neither ``weights_only`` nor an allow-list. Files
written by other tools (transformers' ``model.safetensors``) have no such
entry: their ``meta`` is empty.

Reading and writing return/take the same ``{'state_dict': ..., 'meta':
...}`` shape as a torch checkpoint, so everything downstream of
:func:`~.files.read_checkpoint` treats both formats alike.
"""
import json
from typing import Any, Dict, Mapping

from safetensors import SafetensorError, safe_open
from safetensors.torch import save as safetensors_save
from torch import Tensor

#: File name suffix of safetensors checkpoints.
SAFETENSORS_SUFFIX = '.safetensors'
#: safetensors metadata entry holding the plugin's ``meta`` as JSON.
META_KEY = 'vitpose_plugin_meta'


class SafetensorsReadError(ValueError):
    """A file that is not a readable safetensors checkpoint."""


def is_safetensors_path(path: str) -> bool:
    """Whether ``path`` names a safetensors file (by its suffix)."""
    return isinstance(path, str) and path.endswith(SAFETENSORS_SUFFIX)


def read_safetensors(path: str, device: str = 'cpu') -> Dict[str, Any]:
    """Read a safetensors file as ``{'state_dict': ..., 'meta': ...}``.

    Args:
        path (str): A local ``.safetensors`` file.
        device (str): Where to put the tensors. Defaults to ``'cpu'``.

    Raises:
        SafetensorsReadError: not a safetensors file, or its plugin meta is
            not a JSON object.
    """
    try:
        with safe_open(path, framework='pt', device=device) as file:
            metadata = file.metadata() or {}
            state_dict = {key: file.get_tensor(key) for key in file.keys()}
    except (SafetensorError, OSError) as error:
        raise SafetensorsReadError(
            f'{path} is not a readable safetensors file ({error})') from None
    meta: Any = {}
    if META_KEY in metadata:
        try:
            meta = json.loads(metadata[META_KEY])
        except json.JSONDecodeError as error:
            raise SafetensorsReadError(
                f'{path}: its {META_KEY} metadata is not JSON '
                f'({error})') from None
        if not isinstance(meta, dict):
            raise SafetensorsReadError(
                f'{path}: its {META_KEY} metadata is a '
                f'{type(meta).__name__}, not a JSON object')
    return dict(state_dict=state_dict, meta=meta)


def encode_safetensors(state_dict: Mapping[str, Tensor],
                       meta: Mapping[str, Any]) -> bytes:
    """The bytes of a plugin safetensors checkpoint.

    Tensors are written as contiguous CPU copies (safetensors refuses
    tensors that share memory); ``meta`` goes in as JSON.

    Args:
        state_dict (Mapping[str, Tensor]): Flat weights.
        meta (Mapping): Plain values only (str, numbers, bools, None,
            lists, dicts with string keys).

    Raises:
        ValueError: a ``meta`` value JSON cannot hold, named by its key.
    """
    for key, value in meta.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError) as error:
            raise ValueError(f'meta[{key!r}] cannot be stored as JSON in a '
                             f'safetensors checkpoint: {error}') from None
    tensors = {
        key: value.detach().to('cpu', copy=True).contiguous()
        for key, value in state_dict.items()
    }
    return safetensors_save(
        tensors, metadata={
            'format': 'pt',
            META_KEY: json.dumps(dict(meta))
        })


__all__ = [
    'META_KEY', 'SAFETENSORS_SUFFIX', 'SafetensorsReadError',
    'encode_safetensors', 'is_safetensors_path', 'read_safetensors'
]
