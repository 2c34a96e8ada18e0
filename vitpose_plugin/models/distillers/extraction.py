"""Turn distillation checkpoints into plain pose-model checkpoints."""
import os
import os.path as osp
from typing import Dict

import torch
import torch.nn.functional as F
from torch import Tensor

StateDict = Dict[str, Tensor]


def _strip(state_dict: StateDict, prefix: str) -> StateDict:
    return {
        key[len(prefix):]: value
        for key, value in state_dict.items() if key.startswith(prefix)
    }


def extract_student(state_dict: StateDict) -> StateDict:
    """The student of a :class:`ViTPoseTokenDistiller` state dict.

    With a knowledge token, ``backbone.knowledge_token`` becomes t* mapped
    by the trained ``token_projection``: exactly the token the distiller
    feeds the student, so the student config with ``knowledge_tokens=n``
    predicts what the distiller predicts.

    Raises:
        ValueError: no ``student.*`` weights.
    """
    student = _strip(state_dict, 'student.')
    if not student:
        raise ValueError('no student.* weights: not a ViTPoseTokenDistiller '
                         'checkpoint')
    token = state_dict.get('knowledge_token')
    if token is not None:
        weight = state_dict.get('token_projection.weight')
        projected = token if weight is None else F.linear(token, weight)
        student['backbone.knowledge_token'] = projected.to(
            student['backbone.knowledge_token'].dtype)
    return student


def extract_teacher(state_dict: StateDict) -> StateDict:
    """The teacher, with its tuned knowledge token, of a
    :class:`ViTPoseKnowledgeTokenTuner` state dict.

    Raises:
        ValueError: no ``teacher.backbone.knowledge_token``.
    """
    if 'teacher.backbone.knowledge_token' not in state_dict:
        raise ValueError('no teacher.backbone.knowledge_token: not a '
                         'ViTPoseKnowledgeTokenTuner checkpoint')
    return _strip(state_dict, 'teacher.')


def save_plain_checkpoint(state_dict: StateDict, dst: str,
                          **meta: str) -> None:
    """Save ``{'state_dict': ..., 'meta': meta}`` (loads with
    ``weights_only=True``, ``load_from`` and ``tools/test.py``)."""
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(
        dict(state_dict={k: v.detach().clone()
                         for k, v in state_dict.items()},
             meta=dict(meta)), dst)
