"""MMPose's ``MMPoseInferencer`` for a plugin model: its checkpoint read by
the plugin's safe reader, unreadable (e.g. truncated) images refused."""
from pathlib import Path
from typing import Any, List, Optional, Tuple, Union

from mmengine.config import Config
from mmpose.apis import MMPoseInferencer
from mmpose.apis.inferencers import Pose2DInferencer
from torch import nn

from ..datasets.image_file import read_image
from .model_init import init_pose_model, load_config


class ViTPose2DInferencer(Pose2DInferencer):
    """MMPose's ``Pose2DInferencer`` with two differences.

    - The checkpoint is read and loaded by
      :func:`~.model_init.init_pose_model` (``weights_only=True`` with the
      plugin's allow-list, strict, dataset metainfo checkpoint > config)
      instead of mmengine's ``torch.load``, which refuses the numpy
      metadata of training checkpoints on torch >= 2.6 and unpickles
      everything on older torch. Without a checkpoint it is MMPose's
      (random weights, with MMPose's warning saying so).
    - An image file that does not decode completely (truncated, corrupt,
      not an image) is a ``ValueError`` naming it, as in training
      (:func:`~vitpose_plugin.datasets.image_file.read_image`); MMPose
      would predict on the decoded part of a truncated JPEG or fail
      without naming the file. This costs one more decode per image file.
    """

    def _init_model(self,
                    cfg: Config,
                    weights: Optional[str],
                    device: str = 'cpu') -> nn.Module:
        if weights is None:
            return super()._init_model(cfg, weights, device)
        return init_pose_model(cfg, weights, device)

    def preprocess_single(self, input: Any, index: int, **kwargs: Any) -> list:
        if isinstance(input, str):
            read_image(input)
        return super().preprocess_single(input, index, **kwargs)


class ViTPoseInferencer(MMPoseInferencer):
    """``MMPoseInferencer`` for 2D pose whose inner inferencer is a
    :class:`ViTPose2DInferencer`: same calls, same outputs.

    Args:
        pose2d (Config): Pose config (one dataset selected).
        pose2d_weights (str, optional): Checkpoint path or URL. Defaults to
            None (random weights).
        device (str, optional): Device; None picks CUDA when available.
            Defaults to None.
        scope (str): Registry scope. Defaults to ``'mmpose'``.
        det_model, det_weights, det_cat_ids: The person detector, as in
            ``MMPoseInferencer``. Default to None.
        show_progress (bool): Progress bar. Defaults to False.
    """

    def __init__(self,
                 pose2d: Config,
                 pose2d_weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: str = 'mmpose',
                 det_model: Optional[Union[dict, Config, str]] = None,
                 det_weights: Optional[str] = None,
                 det_cat_ids: Optional[Union[int, Tuple, List]] = None,
                 show_progress: bool = False) -> None:
        # MMPoseInferencer.__init__ only picks the inner inferencer (it
        # calls no base __init__ either); the 2D one is replaced here.
        self.visualizer = None
        self.show_progress = show_progress
        self.inferencer = ViTPose2DInferencer(pose2d, pose2d_weights, device,
                                              scope, det_model, det_weights,
                                              det_cat_ids, show_progress)


def build_inferencer(config: Union[str, Path, Config],
                     checkpoint: Optional[str] = None,
                     dataset: Optional[str] = None,
                     device: Optional[str] = None,
                     cfg_options: Optional[dict] = None,
                     **kwargs: Any) -> MMPoseInferencer:
    """``MMPoseInferencer(pose2d=config, pose2d_weights=checkpoint)`` with
    the weights loaded by :func:`~.model_init.init_pose_model` and
    unreadable image files refused (see :class:`ViTPose2DInferencer`).

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
    return ViTPoseInferencer(
        pose2d=cfg, pose2d_weights=checkpoint, device=device, **kwargs)


__all__ = ['ViTPose2DInferencer', 'ViTPoseInferencer', 'build_inferencer']
