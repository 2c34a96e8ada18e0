"""Load the teacher, student and knowledge-token checkpoints of a distiller.

Checkpoint paths come from the config (``model.teacher_checkpoint`` ...).
They must be absolute or URLs: a relative path would be resolved against
whatever directory the job happens to start in. Configs that keep
checkpoints next to themselves write ``'{{ fileDirname }}/...'``, which
mmengine expands to the config file's folder when it parses the file.
"""
import os.path as osp
from typing import Collection, Dict, Optional

from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor, nn

from ..utils import unwrap_state_dict

#: Where a knowledge token may sit in a checkpoint, by checkpoint kind.
KNOWLEDGE_TOKEN_KEYS = (
    'backbone.knowledge_token',  # a plain (extracted) teacher checkpoint
    'teacher.backbone.knowledge_token',  # a ViTPoseKnowledgeTokenTuner run
)


def checked_checkpoint_path(path: str, config_key: str) -> str:
    """Return ``path`` if it names an existing file (or is a URL).

    Args:
        path (str): The configured checkpoint.
        config_key (str): Its config key, for the error message.

    Raises:
        ValueError: a relative path.
        FileNotFoundError: no file at ``path``.
    """
    if not isinstance(path, str) or not path:
        raise ValueError(f'{config_key} must be a checkpoint path, got '
                         f'{path!r}')
    if '://' in path:
        return path
    if not osp.isabs(path):
        raise ValueError(
            f'{config_key}={path!r} is a relative path, which would depend '
            f'on the directory the job starts in; give an absolute path, or '
            f"write '{{{{ fileDirname }}}}/{path}' in the config to resolve "
            f"it against the config file's folder")
    if not osp.isfile(path):
        raise FileNotFoundError(f'{config_key}: no checkpoint file at {path}')
    return path


def read_state_dict(path: str, config_key: str) -> Dict[str, Tensor]:
    """Load the flat state dict of the checkpoint configured as
    ``config_key``."""
    path = checked_checkpoint_path(path, config_key)
    return unwrap_state_dict(
        CheckpointLoader.load_checkpoint(path, map_location='cpu'))


def load_model_checkpoint(model: nn.Module,
                          path: str,
                          config_key: str,
                          optional_keys: Collection[str] = ()) -> None:
    """Load a checkpoint into ``model``, strictly except for
    ``optional_keys``.

    Args:
        model (nn.Module): The model to fill.
        path (str): Checkpoint path or URL.
        config_key (str): Config key of ``path``, for error messages.
        optional_keys (Collection[str]): Keys that may be missing from the
            checkpoint (the model keeps its own value) or from the model (the
            checkpoint's value is ignored). Defaults to ().

    Raises:
        KeyError: other missing or unexpected keys.
    """
    state_dict = read_state_dict(path, config_key)
    own_keys = set(model.state_dict())
    ignored = sorted((set(state_dict) - own_keys) & set(optional_keys))
    for key in ignored:
        state_dict.pop(key)
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = sorted(set(missing) - set(optional_keys))
    if missing or unexpected:
        raise KeyError(f'{config_key}={path} does not fit the configured '
                       f'model: missing keys {missing[:8]}, unexpected keys '
                       f'{sorted(unexpected)[:8]}')
    if ignored:
        print_log(f'{config_key}: ignored {ignored} (the configured model '
                  f'has no such parameter)', logger='current')


def read_knowledge_token(path: str, config_key: str) -> Tensor:
    """Read the tuned knowledge token t* (1, n, D) from a checkpoint.

    Accepts a stage-1 (:class:`ViTPoseKnowledgeTokenTuner`) checkpoint or a
    plain teacher checkpoint extracted from one.

    Raises:
        KeyError: the checkpoint holds no knowledge token.
    """
    state_dict = read_state_dict(path, config_key)
    for key in KNOWLEDGE_TOKEN_KEYS:
        token: Optional[Tensor] = state_dict.get(key)
        if token is not None:
            if token.dim() != 3 or token.shape[0] != 1:
                raise ValueError(f'{config_key}: {key} must be (1, n, D), '
                                 f'got {tuple(token.shape)}')
            return token.detach().float()
    raise KeyError(f'{config_key}={path} holds no knowledge token (looked '
                   f'for {", ".join(KNOWLEDGE_TOKEN_KEYS)}); train one with '
                   f'ViTPoseKnowledgeTokenTuner first')
