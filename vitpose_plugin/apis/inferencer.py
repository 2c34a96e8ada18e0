"""MMPose's ``MMPoseInferencer`` for a plugin model, its checkpoint read by
the plugin's safe reader."""
from pathlib import Path
from typing import Any, Optional, Union

from mmengine.config import Config
from mmpose.apis import MMPoseInferencer
from mmpose.apis.inference import dataset_meta_from_config

from .model_init import load_config, load_pose_weights


def build_inferencer(config: Union[str, Path, Config],
                     checkpoint: Optional[str] = None,
                     dataset: Optional[str] = None,
                     device: Optional[str] = None,
                     cfg_options: Optional[dict] = None,
                     **kwargs: Any) -> MMPoseInferencer:
    """``MMPoseInferencer(pose2d=config, pose2d_weights=checkpoint)`` with
    the weights loaded by :func:`~.model_init.load_pose_weights`
    (``weights_only=True`` with the plugin's allow-list, strict) instead of
    mmengine's ``torch.load``, which refuses the numpy metadata of
    training checkpoints on torch >= 2.6 and unpickles everything on older
    torch.

    Args:
        config (str | Path | Config): Pose config file or object.
        checkpoint (str, optional): Checkpoint path or URL. Defaults to None
            (random weights).
        dataset (str, optional): Head of a multi-dataset model. Defaults to
            None.
        device (str, optional): Device; None picks CUDA when available.
            Defaults to None.
        cfg_options (dict, optional): Config overrides. Defaults to None.
        **kwargs: Other ``MMPoseInferencer`` arguments (``det_model``,
            ``det_weights``, ``det_cat_ids``, ``show_progress``).
    """
    cfg = load_config(config, cfg_options, dataset)
    if 'init_cfg' in cfg.model.get('backbone', {}):
        cfg.model.backbone.init_cfg = None
    inferencer = MMPoseInferencer(pose2d=cfg, device=device, **kwargs)
    if checkpoint is not None:
        pose = inferencer.inferencer
        meta = load_pose_weights(
            pose.model, checkpoint,
            cfg.model.get('test_cfg', {}).get('dataset')) or \
            dataset_meta_from_config(cfg, dataset_mode='train')
        pose.model.dataset_meta = meta
        pose.visualizer.set_dataset_meta(meta)
    return inferencer


__all__ = ['build_inferencer']
