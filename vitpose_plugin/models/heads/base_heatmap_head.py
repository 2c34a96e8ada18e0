"""Loss and prediction shared by the ViTPose heatmap decoders."""
from abc import abstractmethod
from types import MappingProxyType
from typing import (Any, Callable, ClassVar, Dict, Mapping, Optional,
                    Sequence, Tuple, Union)

import torch
from mmengine.logging import print_log
from mmengine.structures import PixelData
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.typing import (ConfigType, OptConfigType, OptSampleList,
                                 Predictions)
from torch import Tensor

from ...structures import heatmap_targets
from ..utils import (TRAIN_METRICS_CFG, TrainMetricsSwitch,
                     check_loaded_shapes, heatmap_pck_accuracy,
                     native_bfloat16)


class BaseViTPoseHeatmapHead(BaseHead, TrainMetricsSwitch):
    """A head that maps the backbone's last feature map to K heatmaps.

    Subclasses build the decoder layers and implement :meth:`forward`; this
    class owns the loss (with keypoint target weights), flip-test averaging
    and decoding through an MMPose codec.

    Args:
        in_channels (int): Channels of the backbone feature map.
        out_channels (int): Number of keypoints K.
        loss (dict): Heatmap loss config. Defaults to
            ``KeypointMSELoss(use_target_weight=True)``.
        decoder (dict, optional): The codec (``ViTPoseUDPHeatmap`` or
            ``ViTPoseMSRAHeatmap``): draws the training targets from a
            batch's keypoints and decodes heatmaps into keypoints. Required
            for prediction.
        autocast_dtype (str, optional): ``'bfloat16'``: the decoder layers'
            training forward runs under bfloat16 autocast where the device
            computes bfloat16 natively (:func:`native_bfloat16`), in float32
            elsewhere; the log says which, once per device type. Evaluation
            and export always run in float32, and the heatmaps reach the
            loss in float32. Defaults to None (float32).
        init_cfg (dict | list, optional): Initialisation config.
    """

    #: The ``test_cfg`` keys :meth:`predict` reads, with their defaults (the
    #: config check refuses other keys unless the estimator reads them).
    test_cfg_defaults: ClassVar[Mapping[str, Any]] = MappingProxyType(dict(
        flip_test=False, flip_mode='heatmap', shift_heatmap=False,
        output_heatmaps=False))
    #: The ``train_cfg`` keys :meth:`loss` reads, with their defaults.
    train_cfg_defaults: ClassVar[Mapping[str, Any]] = TRAIN_METRICS_CFG

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: Union[dict, list, None] = None,
                 autocast_dtype: Optional[str] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if autocast_dtype not in (None, 'bfloat16'):
            raise ValueError(f'{type(self).__name__}: autocast_dtype must be '
                             f"None or 'bfloat16', got {autocast_dtype!r}")
        self.autocast_dtype = autocast_dtype
        # Per device type: whether the training forward autocasts (decided
        # and logged on the first training forward on that device type).
        self._autocast_on: Dict[str, bool] = {}
        for name, value in (('in_channels', in_channels),
                            ('out_channels', out_channels)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f'{type(self).__name__}: {name} must be a '
                                 f'positive int, got {value!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.loss_module = MODELS.build(loss)
        self.decoder = KEYPOINT_CODECS.build(decoder) \
            if decoder is not None else None
        self._register_load_state_dict_pre_hook(
            check_loaded_shapes, with_module=True)

    @abstractmethod
    def forward(self, feats: Tuple[Tensor, ...]) -> Tensor:
        """Decode the last feature map of ``feats`` into (B, K, h, w)."""

    def _run_layers(self, feature: Tensor,
                    layers: Callable[[Tensor], Tensor]) -> Tensor:
        """``layers(feature)``, under bfloat16 autocast when
        ``autocast_dtype`` asks for it, the head trains and the device
        computes bfloat16 natively; float32 heatmaps either way."""
        if not (self.training and self._autocasts_on(feature.device)):
            return layers(feature)
        with torch.autocast(feature.device.type, dtype=torch.bfloat16):
            heatmaps = layers(feature)
        return heatmaps.float()

    def _autocasts_on(self, device: torch.device) -> bool:
        if self.autocast_dtype is None:
            return False
        if device.type not in self._autocast_on:
            native, reason = native_bfloat16(device)
            self._autocast_on[device.type] = native
            print_log(
                f'{type(self).__name__}: decoder layers train in '
                f'{"bfloat16 autocast" if native else "float32"} on '
                f'{device.type} ({reason})',
                logger='current')
        return self._autocast_on[device.type]

    def _check_input(self, feats: Sequence[Tensor]) -> Tensor:
        feature = feats[-1]
        if feature.dim() != 4 or feature.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} expects a (B, {self.in_channels}, '
                f'H, W) feature map, got {tuple(feature.shape)}; check the '
                f'head\'s in_channels against the backbone width')
        return feature

    def _check_targets(self, heatmaps: Tensor, targets: Tensor) -> None:
        if heatmaps.shape != targets.shape:
            raise ValueError(
                f'{type(self).__name__} predicts heatmaps of shape '
                f'{tuple(heatmaps.shape)} but the targets are '
                f'{tuple(targets.shape)}: the keypoint count (out_channels='
                f'{self.out_channels}) or the codec heatmap_size does not '
                f'match the dataset/codec')

    def loss(self,
             feats: Tuple[Tensor, ...],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Heatmap loss (``loss_kpt``) and PCK accuracy (``acc_pose``).

        The targets are drawn by the decoder (the config's codec) from a
        :class:`PoseSampleBatch`'s keypoints, or come from the samples'
        fields (:func:`heatmap_targets`); ``acc_pose`` is computed on the
        device, only on logged iterations (see :class:`TrainMetricsSwitch`).
        """
        heatmaps = self.forward(feats)
        targets, weights = heatmap_targets(batch_data_samples, self.decoder)
        self._check_targets(heatmaps, targets)
        losses = dict(loss_kpt=self.loss_module(heatmaps, targets, weights))
        if self.train_metrics_due(train_cfg):
            losses['acc_pose'] = heatmap_pck_accuracy(
                heatmaps, targets, weights)
        return losses

    def predict(self,
                feats: Union[Tuple[Tensor, ...], list],
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Decode keypoints; average with the flipped input if flip-testing.

        Returns:
            list[InstanceData] with ``keypoints`` (N, K, 2) and
            ``keypoint_scores`` (N, K); with ``test_cfg.output_heatmaps``
            also a list of :class:`PixelData` holding ``heatmaps``.
        """
        options = {**self.test_cfg_defaults, **test_cfg}
        if options['flip_test']:
            if not (isinstance(feats, list) and len(feats) == 2):
                raise ValueError('flip_test needs features of the original '
                                 'and the flipped image')
            flip_indices = batch_data_samples[0].metainfo['flip_indices']
            heatmaps = self.forward(feats[0])
            flipped = flip_heatmaps(
                self.forward(feats[1]),
                flip_indices=flip_indices,
                flip_mode=options['flip_mode'],
                shift_heatmap=options['shift_heatmap'])
            heatmaps = (heatmaps + flipped) * 0.5
        else:
            heatmaps = self.forward(feats)

        predictions = self.decode(heatmaps)
        if options['output_heatmaps']:
            return predictions, [
                PixelData(heatmaps=heatmap) for heatmap in heatmaps.detach()
            ]
        return predictions

