"""Checkpoints: layouts, safe reading, loading into models, extraction.

- :mod:`.layouts`: the layouts the plugin reads (its own, official ViTPose
  and ViTPose+, MMPose 1.x, MAE, distillation runs) and their conversion to
  its own;
- :mod:`.files`: the one path policy and safe reader
  (``weights_only=True`` with an allow-list; ``VITPOSE_TRUST_CHECKPOINTS=1``
  for trusted legacy files) and the one saver;
- :mod:`.loading`: a backbone from any layout (``init_cfg``), a whole model
  strictly (the distillers), a knowledge token;
- ``CheckpointShapeError``, ``check_loaded_shapes``,
  ``resize_pos_embed_on_load``: the models' own load-state-dict hooks
  (:mod:`vitpose_plugin.models.utils.state_dict_hooks`), named here too;
- :mod:`.initializers`: ``init_cfg`` types that load checkpoints into
  modules, registered in mmengine's ``WEIGHT_INITIALIZERS``;
- :mod:`.extraction`: the student / tuned teacher of a distillation run;
- :mod:`.multi_dataset`: one dataset of a multi-dataset model as a single
  model (split), and a multi-dataset model from a single one (merge);
- :mod:`.publish`: a training checkpoint as a model-zoo file (weights and
  plain-typed meta, named by its sha256) that MMPose's ``init_model`` loads
  with torch's default ``weights_only=True``;
- :mod:`.hugging_face` (with :mod:`.hugging_face_keys`): transformers'
  VitPose / ViTPose++ models in and out (the ``hugging_face`` layout,
  ``export-hf``); :mod:`.safetensors_format`: ``.safetensors`` plugin
  checkpoints (meta as JSON, no pickle); :mod:`.meta_config`: the model
  config of a checkpoint's meta, read without running it;
- :mod:`.cli`: ``python -m vitpose_plugin.checkpoints {convert, export-hf,
  split, merge, extract-student, extract-teacher, publish, inspect}``.
"""
from ..models.utils.state_dict_hooks import (CheckpointShapeError,
                                             check_loaded_shapes,
                                             resize_pos_embed_on_load)
from .extraction import extract_student, extract_teacher
from .files import (TRUST_ENV, CorruptCheckpointError, UnsafeCheckpointError,
                    checkpoint_allow_list, read_checkpoint, read_state_dict,
                    resolve_checkpoint_path, save_checkpoint)
from .layouts import (KNOWLEDGE_TOKEN, LAYOUTS, MAE_LAYOUTS, PLUGIN_KEYS,
                      VITPOSE_PLUS_DATASETS, ConvertedCheckpoint,
                      convert_checkpoint, dataset_names, detect_layout,
                      unwrap_state_dict)
from .loading import load_backbone, load_knowledge_token, load_model
from .multi_dataset import (count_experts, expand_experts, fuse_expert,
                            merge_single_dataset, split_multi_dataset)
from .publish import publish_checkpoint

__all__ = [
    'CheckpointShapeError', 'ConvertedCheckpoint', 'CorruptCheckpointError',
    'KNOWLEDGE_TOKEN', 'LAYOUTS', 'MAE_LAYOUTS', 'PLUGIN_KEYS', 'TRUST_ENV',
    'UnsafeCheckpointError', 'VITPOSE_PLUS_DATASETS', 'check_loaded_shapes',
    'checkpoint_allow_list', 'convert_checkpoint', 'count_experts',
    'dataset_names', 'detect_layout', 'expand_experts', 'extract_student',
    'extract_teacher', 'fuse_expert', 'load_backbone',
    'load_knowledge_token', 'load_model', 'merge_single_dataset',
    'publish_checkpoint',
    'read_checkpoint', 'read_state_dict', 'resize_pos_embed_on_load',
    'resolve_checkpoint_path', 'save_checkpoint', 'split_multi_dataset',
    'unwrap_state_dict'
]
