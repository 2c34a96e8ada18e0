"""One dataset of a multi-dataset model as a plain ``TopdownPoseEstimator``
(built and filled in memory: what ``checkpoints split`` writes to disk)."""
import copy

from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope
from torch import nn

from ..checkpoints.multi_dataset import split_multi_dataset
from .dataset_selection import is_multi_dataset


def single_dataset_model_config(cfg: Config, dataset: str) -> ConfigDict:
    """The ``model`` config of dataset ``dataset``'s plain model: the
    backbone without experts, that dataset's head, the same data
    preprocessor and test settings.

    Raises:
        ValueError: not a multi-dataset config, or no such head.
    """
    if not is_multi_dataset(cfg):
        raise ValueError('not a multi-dataset config: its model is already '
                         f'a single-dataset {cfg.model.get("type")!r}')
    heads = cfg.model.heads
    if dataset not in heads:
        raise ValueError(f'unknown dataset {dataset!r}: the model has heads '
                         f'{list(heads)}')
    backbone = copy.deepcopy(cfg.model.backbone)
    backbone.pop('num_experts', None)
    backbone.pop('expert_dims', None)
    backbone.init_cfg = None
    test_cfg = copy.deepcopy(cfg.model.get('test_cfg', ConfigDict()))
    test_cfg.pop('dataset', None)
    model = ConfigDict(
        type='TopdownPoseEstimator', backbone=backbone,
        head=copy.deepcopy(heads[dataset]), test_cfg=test_cfg)
    for key in ('data_preprocessor', 'neck'):
        if cfg.model.get(key) is not None:
            model[key] = copy.deepcopy(cfg.model[key])
    return model


def split_model(model: nn.Module, dataset: str) -> nn.Module:
    """Dataset ``dataset``'s plain model of a multi-dataset ``model`` built
    by :func:`~.model_init.init_pose_model` (``model.cfg`` set): experts
    fused into ``fc2``, that dataset's head; it predicts what ``model``
    predicts for the dataset. ``cfg`` and ``dataset_meta`` follow.
    """
    from mmpose.registry import MODELS
    cfg = copy.deepcopy(model.cfg)
    cfg.model = single_dataset_model_config(model.cfg, dataset)
    # built in the config's scope, as init_pose_model builds ``model``
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmpose')):
        single = MODELS.build(cfg.model)
    single.load_state_dict(
        split_multi_dataset(model.state_dict(), dataset,
                            list(model.dataset_names)),
        strict=True)
    single.cfg = cfg
    single.dataset_meta = getattr(model, 'dataset_meta', None)
    device = next(model.parameters()).device
    return single.to(device).eval()


__all__ = ['single_dataset_model_config', 'split_model']
