"""Reading and writing checkpoint files: one path policy, safe unpickling.

Every checkpoint the plugin reads (``init_cfg``, ``load_from``,
``--resume``, ``tools/test.py``, the distillers' checkpoints and the
converters) goes through :func:`read_checkpoint`, which calls
``torch.load(..., weights_only=True)`` with an explicit allow-list of what
mmengine and MMPose checkpoints legitimately hold (numpy arrays, scalars
and dtypes, mmengine's message-hub history buffers). A file whose unpickling
would call anything else (a pickle can run arbitrary code) is refused with
:class:`UnsafeCheckpointError`, naming the file and the globals it wanted.

For trusted legacy files, set the environment variable
``VITPOSE_TRUST_CHECKPOINTS`` to ``1``, ``true``, ``yes`` or ``on``:
checkpoints are then fully unpickled (and a warning names each file).
``0``, ``false``, ``no``, ``off`` or an empty value keep the safe reader;
any other value is an error. Nothing in the plugin sets it.

safetensors checkpoints (a ``.safetensors`` file, or a Hugging Face model
directory with ``config.json``) hold no pickle: they are read by
:func:`~.hugging_face.read_safetensors_checkpoint`, and
:func:`save_checkpoint` writes one when the output ends in
``.safetensors`` (meta as JSON, see :mod:`.safetensors_format`).
"""
import io
import os
import os.path as osp
import pickle
import re
import shutil
import uuid
from contextlib import contextmanager
from typing import (Any, BinaryIO, Callable, Iterator, List, Optional,
                    Sequence, Tuple, Union)

import numpy as np
import torch
from mmengine.fileio import dump
from mmengine.fileio.handlers import file_handlers
from mmengine.logging import HistoryBuffer, print_log

from .hugging_face import (is_hugging_face_dir, is_safetensors_checkpoint,
                           read_safetensors_checkpoint)
from .layouts import StateDict, unwrap_state_dict
from .safetensors_format import (SafetensorsReadError, encode_safetensors,
                                 is_safetensors_path)

#: Set to 1 (true, yes, on) to unpickle checkpoints completely (trusted
#: files only).
TRUST_ENV = 'VITPOSE_TRUST_CHECKPOINTS'
_TRUST_YES = ('1', 'true', 'yes', 'on')
_TRUST_NO = ('0', 'false', 'no', 'off', '')

MapLocation = Union[str, torch.device, Callable, None]


def _numpy_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """numpy objects that pickles name, under numpy 1.x and 2.x names."""
    reconstruct = np.ndarray.__reduce__(np.zeros(1))[0]
    scalar = np.float64(0).__reduce__()[0]
    dtype_classes = {
        type(np.dtype(code))
        for code in '?bBhHiIlLqQefdgFDGOSUVMm'
    }
    found: List[Union[Callable, Tuple[Callable, str]]] = [
        np.ndarray, np.dtype, reconstruct, scalar, *sorted(
            dtype_classes, key=lambda cls: cls.__name__)
    ]
    # Files written under numpy 1.x name numpy.core, numpy 2.x numpy._core.
    for function in (reconstruct, scalar):
        module = function.__module__
        other = module.replace('numpy._core', 'numpy.core') \
            if module.startswith('numpy._core') \
            else module.replace('numpy.core', 'numpy._core')
        found.append((function, f'{other}.{function.__name__}'))
    return found


def _history_buffer_method(owner: Any, name: str) -> Callable:
    """Stands in for ``getattr`` while unpickling: a ``HistoryBuffer``
    pickles its statistics methods as ``getattr(HistoryBuffer, 'mean')``.
    Only public methods of ``HistoryBuffer`` are handed out."""
    method = getattr(owner, name, None) if owner is HistoryBuffer else None
    if not callable(method) or not isinstance(name, str) \
            or name.startswith('_'):
        raise pickle.UnpicklingError(
            f'getattr({owner!r}, {name!r}) is not allowed in a checkpoint')
    return method


def checkpoint_allow_list() -> List[Union[Callable, Tuple[Callable, str]]]:
    """Globals a checkpoint may name besides torch's own tensors and
    containers: numpy arrays, scalars and dtypes (dataset metainfo, MMPose
    metadata) and mmengine's ``HistoryBuffer`` (the message hub that
    ``--resume`` restores), whose pickles look its statistics methods up
    with ``getattr`` (answered by :func:`_history_buffer_method`, not the
    builtin)."""
    return _numpy_globals() + [
        HistoryBuffer, (_history_buffer_method, 'builtins.getattr')
    ]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint whose unpickling would call a global outside the
    allow-list (and could run arbitrary code)."""


class CorruptCheckpointError(ValueError):
    """A file that is not a readable checkpoint."""


def checkpoints_trusted() -> bool:
    """Whether :data:`TRUST_ENV` asks to unpickle checkpoints completely.

    Accepts ``1``/``true``/``yes``/``on`` and ``0``/``false``/``no``/
    ``off``/empty (any case, surrounding spaces ignored); unset is False.

    Raises:
        ValueError: any other value (a typo must not silently keep, or
            drop, the safe reader).
    """
    value = os.environ.get(TRUST_ENV)
    if value is None:
        return False
    spelling = value.strip().lower()
    if spelling in _TRUST_YES:
        return True
    if spelling in _TRUST_NO:
        return False
    raise ValueError(
        f'{TRUST_ENV}={value!r} is not understood: set it to one of '
        f'{", ".join(_TRUST_YES)} to unpickle trusted checkpoints '
        f'completely, or to one of {", ".join(_TRUST_NO[:-1])} (or unset '
        f'it) to read them with weights_only=True')


def is_url(path: str) -> bool:
    """Whether ``path`` has a scheme (``https://``, ``s3://`` ...)."""
    return '://' in path


def resolve_checkpoint_path(path: Any, config_key: str = 'checkpoint') -> str:
    """Return ``path`` if it is a URL, names an existing file or a Hugging
    Face model directory (with ``config.json``).

    A relative path is relative to the current directory, as everywhere in
    mmengine (``load_from``, ``init_cfg``); configs that keep checkpoints
    next to themselves write ``'{{ fileDirname }}/...'``.

    Args:
        path (str): The configured checkpoint.
        config_key (str): Where it was configured, for the error message.
            Defaults to ``'checkpoint'``.

    Raises:
        ValueError: not a non-empty string.
        FileNotFoundError: no file at ``path``.
    """
    if not isinstance(path, str) or not path:
        raise ValueError(f'{config_key} must be a checkpoint path or URL, got '
                         f'{path!r}')
    if is_url(path) or is_hugging_face_dir(path):
        return path
    if osp.isdir(path):
        raise FileNotFoundError(
            f'{config_key}: {osp.abspath(path)} is a directory without '
            f'config.json; give a checkpoint file or a Hugging Face model '
            f'directory')
    if not osp.isfile(path):
        where = '' if osp.isabs(path) else \
            f' (resolved against the current directory {os.getcwd()})'
        raise FileNotFoundError(f'{config_key}: no checkpoint file at '
                                f'{osp.abspath(path)}{where}')
    return path


def _unsafe_globals(path: str, error: Exception) -> List[str]:
    """Names of the globals outside the allow-list that a file wants."""
    allowed = {
        item[1] if isinstance(item, tuple) else
        f'{item.__module__}.{item.__qualname__}'
        for item in checkpoint_allow_list()
    }
    if not is_url(path):
        try:
            names = torch.serialization.get_unsafe_globals_in_checkpoint(path)
            return [name for name in names if name not in allowed]
        except Exception:  # noqa: BLE001 - fall back to torch's message
            pass
    return re.findall(r'GLOBAL ([\w.]+)', str(error))


def _torch_load(path: str, map_location: MapLocation,
                weights_only: bool) -> Any:
    if not is_url(path):
        return torch.load(
            path, map_location=map_location, weights_only=weights_only)
    if path.startswith(('http://', 'https://')):
        return torch.hub.load_state_dict_from_url(
            path, map_location=map_location, weights_only=weights_only)
    from mmengine.fileio import get  # petrel, s3 ... backends
    return torch.load(
        io.BytesIO(get(path)),
        map_location=map_location,
        weights_only=weights_only)


def read_checkpoint(path: str,
                    map_location: MapLocation = 'cpu',
                    config_key: str = 'checkpoint') -> Any:
    """Load a checkpoint file safely: what ``torch.load`` returns.

    Args:
        path (str): Local path or URL.
        map_location (str | torch.device | callable): As for ``torch.load``.
            Defaults to ``'cpu'``.
        config_key (str): Where ``path`` was configured, for messages.
            Defaults to ``'checkpoint'``.

    Raises:
        FileNotFoundError: no such file.
        UnsafeCheckpointError: the file would call a global outside
            :func:`checkpoint_allow_list`.
        CorruptCheckpointError: not a torch checkpoint.
        ValueError: :data:`TRUST_ENV` has a value that is neither yes nor
            no.
    """
    path = resolve_checkpoint_path(path, config_key)
    if is_safetensors_checkpoint(path):
        try:
            return read_safetensors_checkpoint(path)
        except SafetensorsReadError as error:
            raise CorruptCheckpointError(f'{config_key}: {error}') from None
    trusted = checkpoints_trusted()
    if trusted:
        print_log(
            f'{TRUST_ENV}={os.environ[TRUST_ENV]}: unpickling {path} '
            f'completely (it may run code)',
            logger='current',
            level=30)
    try:
        with torch.serialization.safe_globals(checkpoint_allow_list()):
            return _torch_load(path, map_location, weights_only=not trusted)
    except pickle.UnpicklingError as error:
        unsafe = _unsafe_globals(path, error)
        if not unsafe:
            raise CorruptCheckpointError(
                f'{config_key}: cannot read {path}: {error}') from error
        raise UnsafeCheckpointError(
            f'{config_key}: refusing to load {path}: unpickling it would '
            f'call {", ".join(unsafe)}, which is not on the allow-list of '
            f'checkpoint contents (tensors, numpy data, mmengine message '
            f'hub) and could run arbitrary code. If you trust this file, '
            f'set {TRUST_ENV}=1 to load it completely, or re-save its '
            f'tensors with torch.save.') from None
    except RuntimeError as error:
        if 'zip archive' in str(error) or 'Invalid magic' in str(error):
            raise CorruptCheckpointError(
                f'{config_key}: {path} is not a readable torch checkpoint '
                f'({error})') from error
        raise


def describe_unpickling(path: str) -> str:
    """How :func:`read_checkpoint` unpickles ``path``, for reports such as
    ``inspect``: with ``weights_only=True``, or completely
    (:data:`TRUST_ENV`), then also whether the safe reader would accept it.

    Only call it on a file :func:`read_checkpoint` has read; the check
    for the safe reader never unpickles anything outside the allow-list.
    """
    if is_safetensors_checkpoint(path):
        return 'safetensors: no pickle'
    if not checkpoints_trusted():
        return 'loads with weights_only=True'
    trusted = f'unpickled completely ({TRUST_ENV}={os.environ[TRUST_ENV]})'
    try:
        with torch.serialization.safe_globals(checkpoint_allow_list()):
            _torch_load(path, 'cpu', weights_only=True)
    except pickle.UnpicklingError as error:
        unsafe = _unsafe_globals(path, error)
        calls = f': it calls {", ".join(unsafe)}' if unsafe else ''
        return f'{trusted}; it would be refused with weights_only=True{calls}'
    return f'{trusted}; it also loads with weights_only=True'


def read_state_dict(path: str,
                    config_key: str = 'checkpoint',
                    map_location: MapLocation = 'cpu') -> StateDict:
    """The flat ``{name: tensor}`` of a checkpoint file (see
    :func:`~.layouts.unwrap_state_dict`)."""
    checkpoint = read_checkpoint(path, map_location, config_key)
    try:
        return unwrap_state_dict(checkpoint)
    except ValueError as error:
        raise ValueError(f'{config_key}={path}: {error}') from None


class OutputPathError(ValueError):
    """An output path whose writing would destroy a file: an input of the
    same command, an existing file not to be replaced, a directory."""


def check_output_path(dst: str,
                      inputs: Sequence[str] = (),
                      overwrite: bool = False,
                      option: str = 'DST') -> None:
    """Refuse an output path that would destroy a file.

    Args:
        dst (str): The file to be written.
        inputs (Sequence[str]): Paths (or URLs) the command reads; ``dst``
            may never be one of them, under any spelling or link.
            Defaults to ``()``.
        overwrite (bool): Whether an existing ``dst`` (not an input) may
            be replaced (``--force``). Defaults to False.
        option (str): How the user gave ``dst``, for messages. Defaults to
            ``'DST'``.

    Raises:
        OutputPathError: ``dst`` is a directory, an input, or exists and
            ``overwrite`` is False.
    """
    if not osp.lexists(dst):
        return
    if osp.isdir(dst):
        raise OutputPathError(f'{option} {dst} is a directory; give the path '
                              f'of the file to write')
    for src in inputs:
        if osp.exists(dst) and not is_url(src) and osp.exists(src) \
                and osp.samefile(src, dst):
            raise OutputPathError(
                f'{option} {dst} is the input file {src}: writing it would '
                f'destroy the input; choose another output path')
    if not overwrite:
        raise OutputPathError(
            f'{option} {dst} exists; refusing to overwrite it: choose '
            f'another output path or pass --force to replace it')


@contextmanager
def staged_output(dst: str) -> Iterator[str]:
    """A path named as ``dst`` in a new hidden folder beside it
    (``.<name>.<random>.tmp/<name>``), for writers that take a path and may
    write files next to it (ONNX external data). When the block ends
    without error, the other files of that folder and then ``dst`` are
    moved into ``dst``'s folder with ``os.replace`` (same file system:
    each move is atomic); when it raises, the folder is removed. A killed
    or failing writer thus leaves the old files (and at most the hidden
    folder after a kill), never half a new one.

    Args:
        dst (str): The file to write (replaced if it exists, as are files
            beside it named as the writer's other files; check them first
            with :func:`check_output_path`). Missing folders are created.

    Yields:
        str: The path to write.
    """
    folder = osp.dirname(osp.abspath(dst))
    os.makedirs(folder, exist_ok=True)
    name = osp.basename(dst)
    stage = osp.join(folder, f'.{name}.{uuid.uuid4().hex[:8]}.tmp')
    os.mkdir(stage)
    try:
        yield osp.join(stage, name)
        staged = os.listdir(stage)
        if name not in staged:
            raise FileNotFoundError(f'nothing was written to {dst}')
        # dst last: the files it refers to are in place before it is
        for entry in sorted(staged, key=lambda entry: entry == name):
            os.replace(osp.join(stage, entry), osp.join(folder, entry))
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_atomically(dst: str, write: Callable[[BinaryIO], None]) -> None:
    """Write ``dst`` through a temporary file renamed into place
    (:func:`staged_output`): a killed or failing writer leaves the old file
    (and at most a hidden ``.<name>.<random>.tmp`` folder beside it after a
    kill), never half a new one.

    Args:
        dst (str): The file to write (replaced if it exists; check it
            first with :func:`check_output_path`). Missing folders are
            created.
        write (callable): Writes the content to the binary file it is
            given.
    """
    with staged_output(dst) as temporary:
        with open(temporary, 'wb') as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())


def dump_format(dst: str, option: str = 'DST') -> str:
    """The ``mmengine.fileio`` format of ``dst``'s suffix: ``json``,
    ``yaml``/``yml`` or ``pkl``/``pickle``.

    Args:
        dst (str): The file to be written.
        option (str): How the user gave ``dst``, for messages. Defaults to
            ``'DST'``.

    Raises:
        ValueError: another suffix.
    """
    suffix = osp.splitext(dst)[1][1:].lower()
    if suffix not in file_handlers:
        raise ValueError(f'{option} {dst}: the file name must end in one of '
                         f'{", ".join("." + s for s in file_handlers)}')
    return suffix


def dump_atomically(obj: Any,
                    dst: str,
                    file_format: Optional[str] = None,
                    **kwargs: Any) -> None:
    """Write ``obj`` to ``dst`` with ``mmengine.fileio.dump``, through
    :func:`write_atomically` (an existing ``dst`` is replaced: check it
    first with :func:`check_output_path`).

    Args:
        obj: What to write.
        dst (str): The file to write.
        file_format (str, optional): ``json``, ``yaml`` or ``pkl``.
            Defaults to None: that of ``dst``'s suffix (:func:`dump_format`).
        **kwargs: For the format's writer, e.g. ``indent=2`` for JSON.
    """
    content = dump(obj, file_format=file_format or dump_format(dst), **kwargs)
    if isinstance(content, str):
        content = content.encode()
    write_atomically(dst, lambda file: file.write(content))


def save_checkpoint(state_dict: StateDict, dst: str, **meta: Any) -> None:
    """Write ``{'state_dict': ..., 'meta': meta}`` to ``dst`` atomically
    (:func:`write_atomically`; an existing ``dst`` is replaced).

    Tensors are detached copies and ``meta`` must hold plain values, so the
    file loads with ``weights_only=True`` (``load_from``, ``init_cfg``,
    ``tools/test.py``). A ``dst`` ending in ``.safetensors`` is written as
    safetensors, ``meta`` as JSON (:mod:`.safetensors_format`).
    """
    if is_safetensors_path(dst):
        content = encode_safetensors(state_dict, meta)
        write_atomically(dst, lambda file: file.write(content))
        return
    checkpoint = dict(
        state_dict={k: v.detach().clone()
                    for k, v in state_dict.items()},
        meta=dict(meta))
    write_atomically(dst, lambda file: torch.save(checkpoint, file))


__all__ = [
    'CorruptCheckpointError', 'OutputPathError', 'TRUST_ENV',
    'UnsafeCheckpointError', 'check_output_path', 'checkpoint_allow_list',
    'checkpoints_trusted', 'describe_unpickling', 'dump_atomically',
    'dump_format', 'is_url',
    'read_checkpoint', 'read_state_dict',
    'resolve_checkpoint_path', 'save_checkpoint', 'staged_output',
    'write_atomically'
]
