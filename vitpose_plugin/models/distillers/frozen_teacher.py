"""Build a pose model from a config dict and freeze it as a teacher."""
import copy
from typing import Optional

from mmpose.registry import MODELS
from torch import nn

from ...checkpoints import KNOWLEDGE_TOKEN, load_model


def build_pose_model(cfg: dict, knowledge_tokens: Optional[int] = None,
                     config_key: str = 'model') -> nn.Module:
    """Build a pose estimator from ``cfg`` (copied, not modified).

    Args:
        cfg (dict): Pose estimator config (e.g. a ``TopdownPoseEstimator``
            with a ``ViTPoseBackbone``).
        knowledge_tokens (int, optional): Set the backbone's
            ``knowledge_tokens``; a different non-zero value already in the
            config is an error. None leaves the config as it is.
            Defaults to None.
        config_key (str): Config key of ``cfg``, for error messages.
            Defaults to ``'model'``.
    """
    cfg = copy.deepcopy(dict(cfg))
    if knowledge_tokens is not None:
        backbone = cfg['backbone'] = dict(cfg['backbone'])
        configured = backbone.get('knowledge_tokens', 0)
        if configured not in (0, knowledge_tokens):
            raise ValueError(f'{config_key}.backbone.knowledge_tokens is '
                             f'{configured}, but {knowledge_tokens} '
                             f'knowledge token(s) are used')
        backbone['knowledge_tokens'] = knowledge_tokens
    return MODELS.build(cfg)


def build_frozen_teacher(cfg: dict, checkpoint: str, config_key: str,
                         knowledge_tokens: Optional[int] = None) -> nn.Module:
    """Build the teacher, load its weights and freeze it (no gradients,
    eval mode; owners keep it in eval mode in their ``train()``).

    A knowledge token is optional in the checkpoint: a teacher tuned in
    stage 1 brings one, a plain teacher does not (its token keeps its
    initial value, to be trained by the stage-1 tuner).

    Args:
        cfg (dict): Teacher pose-estimator config.
        checkpoint (str): Path or URL of the teacher weights.
        config_key (str): Config key of ``checkpoint``.
        knowledge_tokens (int, optional): See :func:`build_pose_model`.
    """
    teacher = build_pose_model(cfg, knowledge_tokens, 'teacher')
    load_model(teacher, checkpoint, config_key,
               optional_keys=(KNOWLEDGE_TOKEN, ))
    teacher.requires_grad_(False)
    return teacher.eval()
