"""The deployable part of a top-down ViTPose model as one module: crops in,
heatmaps (and optionally decoded keypoints) out."""
import copy
from typing import Tuple, Union

import torch
from torch import Tensor, nn

from ..codecs import in_graph_decoder


class ViTPoseExportModel(nn.Module):
    """Normalisation, backbone, neck, head (and the codec's decoding) of a
    single-dataset top-down model: what ONNX export traces.

    Input: person crops (B, 3, H, W) float, as MMPose's ``TopdownAffine``
    produces them (channel order of the loaded image, usually BGR, 0-255);
    the data preprocessor's channel swap and mean/std are part of the
    graph. Output: heatmaps (B, K, h, w), or with ``decode`` the keypoints
    (B, K, 2) in crop pixels and their scores (B, K) too. No flip test.

    Args:
        model (nn.Module): A ``TopdownPoseEstimator`` (a multi-dataset model
            is split first: ``vitpose_plugin.apis.split_model``).
        decode (bool): Add the decoding of the head's codec (UDP or MSRA
            heatmaps, :func:`~vitpose_plugin.codecs.in_graph_decoder`).
            Defaults to False.
        half (bool): Run the network in float16 (inputs and outputs stay
            float32; decoding runs in float32) on a float16 copy of the
            model's modules. Defaults to False.
    """

    def __init__(self, model: nn.Module, decode: bool = False,
                 half: bool = False) -> None:
        super().__init__()
        if not hasattr(model, 'head') or not hasattr(model, 'backbone'):
            raise ValueError(
                f'{type(model).__name__} has no single backbone + head; '
                f'export a multi-dataset model per dataset: '
                f'vitpose_plugin.apis.split_model(model, DATASET) '
                f'(pytorch2onnx.py --dataset DATASET), or python -m '
                f'vitpose_plugin.checkpoints split CKPT OUT --name DATASET '
                f'with the single-dataset config')
        preprocessor = model.data_preprocessor
        self.swap_channels = bool(
            getattr(preprocessor, '_channel_conversion', False))
        normalize = getattr(preprocessor, '_enable_normalize', False)
        mean = preprocessor.mean.detach().clone() if normalize \
            else torch.zeros(3, 1, 1)
        std = preprocessor.std.detach().clone() if normalize \
            else torch.ones(3, 1, 1)
        self.register_buffer('mean', mean.reshape(1, -1, 1, 1).float())
        self.register_buffer('std', std.reshape(1, -1, 1, 1).float())
        self.backbone = model.backbone
        self.neck = getattr(model, 'neck', None)
        self.head = model.head
        self.half_precision = half
        if half:
            self.backbone = copy.deepcopy(self.backbone).half()
            self.head = copy.deepcopy(self.head).half()
            if self.neck is not None:
                self.neck = copy.deepcopy(self.neck).half()
        codec = getattr(model.head, 'decoder', None)
        if decode and codec is None:
            raise ValueError(f'{type(model.head).__name__} has no decoder '
                             f'(codec) to decode heatmaps with')
        self.decoder = in_graph_decoder(codec) if decode else None

    def forward(self, crops: Tensor) -> Union[Tensor, Tuple[Tensor, ...]]:
        """Crops (B, 3, H, W) -> heatmaps [, keypoints, scores]."""
        if self.swap_channels:
            crops = crops.flip(1)
        inputs = (crops - self.mean) / self.std
        if self.half_precision:
            inputs = inputs.half()
        feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        heatmaps = self.head.forward(
            feats if isinstance(feats, (list, tuple)) else (feats, )).float()
        if self.decoder is None:
            return heatmaps
        keypoints, scores = self.decoder(heatmaps)
        return heatmaps, keypoints, scores


__all__ = ['ViTPoseExportModel']
