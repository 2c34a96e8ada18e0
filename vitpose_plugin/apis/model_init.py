"""Build a pose model for inference, reading its checkpoint safely."""
import copy
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from mmengine.config import Config
from mmengine.model.utils import revert_sync_batchnorm
from mmengine.registry import DefaultScope
from mmpose.apis.inference import dataset_meta_from_config
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from torch import nn

from ..checkpoints.files import read_checkpoint
from ..checkpoints.layouts import unwrap_state_dict
from ..models.utils import CheckpointShapeError, shape_error_for_checkpoint
from .dataset_selection import head_names, is_multi_dataset, select_dataset


def load_config(config: Union[str, Path, Config],
                cfg_options: Optional[dict] = None,
                dataset: Optional[str] = None) -> Config:
    """A config file or object, with ``cfg_options`` merged and, for a
    multi-dataset model, one dataset selected (see :func:`select_dataset`).

    Args:
        config (str | Path | Config): Config file or object (copied).
        cfg_options (dict, optional): Overrides. Defaults to None.
        dataset (str, optional): Head of a multi-dataset model; None keeps
            ``model.test_cfg.dataset`` of the config. Defaults to None.

    Raises:
        FileNotFoundError: no such config file.
        ValueError: a multi-dataset model without a dataset, or a dataset
            for a single-dataset model.
    """
    if isinstance(config, (str, Path)):
        if not Path(config).is_file():
            raise FileNotFoundError(f'no config file at '
                                    f'{Path(config).resolve()}')
        cfg = Config.fromfile(str(config))
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)  # Config.copy() shares nested dicts
    else:
        raise TypeError(f'config must be a file name or a Config, got '
                        f'{type(config).__name__}')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if 'model' not in cfg or 'type' not in cfg.model:
        raise ValueError('the config has no `model` to build')
    if is_multi_dataset(cfg):
        dataset = dataset or cfg.model.get('test_cfg', {}).get('dataset')
        if dataset is None:
            raise ValueError(
                f'this is a multi-dataset model with heads '
                f'{head_names(cfg)}: name the one to infer with (dataset=, '
                f'--dataset), or split its checkpoint into a single-dataset '
                f'one (python -m vitpose_plugin.checkpoints split)')
        return select_dataset(cfg, dataset)
    if dataset is not None:
        select_dataset(cfg, dataset)  # raises: not a multi-dataset model
    return cfg


def _checkpoint_dataset_meta(checkpoint: Mapping,
                             dataset: Optional[str]) -> Optional[dict]:
    """The dataset metainfo a checkpoint stores (mmengine: meta), if any;
    for a multi-dataset run, that of ``dataset``."""
    meta = checkpoint.get('meta')
    dataset_meta = meta.get('dataset_meta') \
        if isinstance(meta, Mapping) else None
    if not isinstance(dataset_meta, Mapping):
        return None
    per_dataset = dataset_meta.get('datasets')
    if dataset is not None and isinstance(per_dataset, Mapping):
        return per_dataset.get(dataset)
    return dict(dataset_meta)


def num_model_keypoints(model: nn.Module) -> Optional[int]:
    """Heatmap channels of the model's head (the inferred head of a
    multi-dataset model), None if it has none."""
    head = getattr(model, 'head', None)
    heads = getattr(model, 'heads', None)
    dataset = getattr(model, 'test_cfg', {}).get('dataset')
    if head is None and heads is not None and dataset is not None:
        head = heads[dataset]
    return getattr(head, 'out_channels', None)


def load_pose_weights(model: nn.Module, checkpoint: str,
                      dataset: Optional[str] = None) -> Optional[dict]:
    """Load ``checkpoint`` into ``model`` strictly through the plugin's safe
    reader (``weights_only=True``, allow-list).

    Returns:
        dict | None: The dataset metainfo stored in the checkpoint.

    Raises:
        KeyError: missing or unexpected tensors (names listed).
        CheckpointShapeError: tensors of the wrong shape (e.g. another
            number of keypoints).
    """
    loaded: Any = read_checkpoint(checkpoint, 'cpu', 'checkpoint')
    try:
        state_dict = unwrap_state_dict(loaded)
    except ValueError as error:
        raise ValueError(f'checkpoint {checkpoint}: {error}') from None
    try:
        missing, unexpected = model.load_state_dict(state_dict, strict=False)
    except CheckpointShapeError as error:
        raise shape_error_for_checkpoint(error, model, state_dict, checkpoint,
                                         'checkpoint') from None
    if missing or unexpected:
        raise KeyError(
            f'checkpoint {checkpoint} does not fit the config\'s model '
            f'({type(model).__name__}): missing {sorted(missing)[:8]} '
            f'({len(missing)}), unexpected {sorted(unexpected)[:8]} '
            f'({len(unexpected)}). Convert other layouts first: python -m '
            f'vitpose_plugin.checkpoints convert SRC DST')
    return _checkpoint_dataset_meta(loaded, dataset) \
        if isinstance(loaded, Mapping) else None


def init_pose_model(config: Union[str, Path, Config],
                    checkpoint: Optional[str] = None,
                    device: str = 'cpu',
                    cfg_options: Optional[dict] = None,
                    dataset: Optional[str] = None) -> nn.Module:
    """MMPose's ``init_model``, with the checkpoint read by the plugin's safe
    reader and loaded strictly, and multi-dataset models inferring with one
    named head. The result works with MMPose's ``inference_topdown``.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint path or URL; None keeps the
            random initialisation. Defaults to None.
        device (str): Device of the model. Defaults to ``'cpu'``.
        cfg_options (dict, optional): Config overrides. Defaults to None.
        dataset (str, optional): Head of a multi-dataset model (required
            there unless the config sets ``model.test_cfg.dataset``).
            Defaults to None.

    Returns:
        nn.Module: The model in eval mode, with ``cfg`` and
        ``dataset_meta`` (checkpoint > config) set.

    Raises:
        ValueError: the metainfo's keypoint count differs from the head's.
    """
    cfg = load_config(config, cfg_options, dataset)
    # Weights come from `checkpoint`; no pretrained download at build time.
    if 'init_cfg' in cfg.model.get('backbone', {}):
        cfg.model.backbone.init_cfg = None
    cfg.model.train_cfg = None
    from mmpose.registry import MODELS

    # the config's scope for this build only: the process-wide default scope
    # is left as it was
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmpose')):
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
        dataset_meta = None
        if checkpoint is not None:
            dataset_meta = load_pose_weights(
                model, checkpoint,
                cfg.model.get('test_cfg', {}).get('dataset'))
        if dataset_meta is None:
            dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
    if dataset_meta is None:
        raise ValueError(
            'no dataset metainfo (keypoint names, skeleton) in the checkpoint '
            'or in train_dataloader.dataset of the config; add '
            "metainfo=dict(from_file=...) to that dataset")
    if 'num_keypoints' not in dataset_meta:
        dataset_meta = parse_pose_metainfo(dict(dataset_meta))
    keypoints = num_model_keypoints(model)
    if keypoints is not None and keypoints != dataset_meta['num_keypoints']:
        raise ValueError(
            f'the model predicts {keypoints} keypoints but its dataset '
            f'metainfo ({dataset_meta.get("dataset_name")}) has '
            f'{dataset_meta["num_keypoints"]}: fix the config\'s metainfo or '
            f'the head\'s out_channels')
    model.dataset_meta = dataset_meta
    model.cfg = cfg
    return model.to(device).eval()


__all__ = [
    'init_pose_model', 'load_config', 'load_pose_weights',
    'num_model_keypoints'
]
