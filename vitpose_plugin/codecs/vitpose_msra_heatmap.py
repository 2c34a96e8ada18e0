"""The MSRA heatmap codec of the official single-dataset ViTPose configs
(AIC, CrowdPose, OCHuman, AP-10K, APT-36K, COCO-WholeBody): MMPose's
``MSRAHeatmap`` with batched encoding and decoding as tensor ops on the
batch's device. The decoding is also a torch module that exports to ONNX."""
from typing import Any, Tuple

import numpy as np
import torch
from mmpose.codecs import MSRAHeatmap
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor, nn

from .gaussian_windows import (DeviceHeatmapCodec, codec_settings,
                               window_gaussian_heatmaps)


def _scale_factor(input_size: Tuple[int, int],
                  heatmap_size: Tuple[int, int]) -> Tuple[float, float]:
    """Input pixels per heatmap pixel, rounded to float32 as MMPose's
    ``MSRAHeatmap.scale_factor``."""
    scale = (np.array(input_size) / heatmap_size).astype(np.float32)
    return float(scale[0]), float(scale[1])


def msra_gaussian_heatmaps(keypoints: Tensor, keypoints_visible: Tensor,
                           input_size: Tuple[int, int],
                           heatmap_size: Tuple[int, int],
                           sigma: float) -> Tuple[Tensor, Tensor]:
    """MMPose's ``MSRAHeatmap`` encoding (``unbiased=False``) of a batch on
    its device.

    Reproduces ``mmpose.codecs.utils.generate_gaussian_heatmaps`` applied to
    ``keypoints / (input_size / heatmap_size)`` (float32) for every sample at
    once: a Gaussian centred on the rounded heatmap pixel of each visible
    keypoint.

    Args:
        keypoints (Tensor): (B, K, 2) keypoints in input-image pixels.
        keypoints_visible (Tensor): (B, K) visibilities.
        input_size (tuple[int, int]): Input image (w, h).
        heatmap_size (tuple[int, int]): Heatmap (w, h).
        sigma (float): Gaussian sigma in heatmap pixels.

    Returns:
        tuple[Tensor, Tensor]: heatmaps (B, K, h, w) float32 and keypoint
        weights (B, K) float32.
    """
    scale_x, scale_y = _scale_factor(input_size, heatmap_size)
    points = keypoints.float()
    # python-scalar divisions (exact float32 values): no constant tensor
    # copied to the device, the quotients rounded as MMPose's float32 ones
    points = torch.stack((points[..., 0] / scale_x, points[..., 1] / scale_y),
                         dim=-1)
    return window_gaussian_heatmaps(points, keypoints_visible, heatmap_size,
                                    sigma, subpixel=False)


class ViTPoseMSRADecoder(nn.Module):
    """Keypoints and scores from MSRA heatmaps, as MMPose's ``MSRAHeatmap``
    (``unbiased=False``) decodes them, batched.

    Steps (``mmpose.codecs.utils``): the maximum of each heatmap
    (``get_heatmap_maximum``; heatmap pixel (-1, -1) where it is <= 0); a
    quarter-pixel step towards the higher neighbour along x and along y
    (``refine_keypoints``, with its bounds: along x only where
    ``1 < x < W - 1`` and ``y > 0``, along y only where ``1 < y < H - 1``
    and ``x > 0``); then heatmap pixels to input pixels
    (``x * input_w / W``).

    Args:
        input_size (tuple[int, int]): Model input (w, h).
        heatmap_size (tuple[int, int]): Heatmap (w, h).
    """

    def __init__(self, input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int]) -> None:
        super().__init__()
        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.register_buffer(
            'scale', torch.tensor(_scale_factor(input_size, heatmap_size)),
            persistent=False)

    @classmethod
    def from_codec(cls, codec: Any) -> 'ViTPoseMSRADecoder':
        """From an ``MSRAHeatmap`` codec (``unbiased=False``) or its config.

        Raises:
            ValueError: another codec, or unbiased (DARK) decoding.
        """
        kind, settings = codec_settings(codec)
        if kind not in ('MSRAHeatmap', 'ViTPoseMSRAHeatmap') or \
                settings.get('unbiased', False):
            raise ValueError(
                f'ViTPoseMSRADecoder decodes MSRAHeatmap without unbiased '
                f'(DARK) decoding, got {kind} with unbiased='
                f'{settings.get("unbiased", False)}')
        return cls(settings['input_size'], settings['heatmap_size'])

    def forward(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """(B, K, H, W) heatmaps -> keypoints (B, K, 2) in input pixels and
        scores (B, K)."""
        heatmaps = heatmaps.float()
        height, width = heatmaps.shape[-2:]
        flat = heatmaps.flatten(2)
        scores, index = flat.max(dim=2)
        found = scores > 0
        x = torch.where(found, index % width, -1)
        y = torch.where(found,
                        torch.div(index, width, rounding_mode='floor'), -1)

        def at(dx: int, dy: int) -> Tensor:
            # read only where the bounds below hold; clamped elsewhere
            flat_index = ((y + dy) * width + (x + dx)).clamp(
                0, height * width - 1)
            return flat.gather(2, flat_index[..., None])[..., 0]

        step_x = torch.where((x > 1) & (x < width - 1) & (y > 0),
                             at(1, 0) - at(-1, 0), 0.).sign()
        step_y = torch.where((y > 1) & (y < height - 1) & (x > 0),
                             at(0, 1) - at(0, -1), 0.).sign()
        coords = torch.stack([x.float() + 0.25 * step_x,
                              y.float() + 0.25 * step_y], dim=-1)
        return coords * self.scale, scores


@KEYPOINT_CODECS.register_module()
class ViTPoseMSRAHeatmap(DeviceHeatmapCodec, MSRAHeatmap):
    """MMPose's ``MSRAHeatmap`` (``unbiased=False``) with batched tensor
    encoding and decoding: the codec of the official single-dataset
    ViTPose configs that do not use UDP.

    ``encode``/``decode`` are MMPose's, per sample, in numpy.
    :meth:`batch_encode` draws the targets of a whole batch on its device
    (:func:`msra_gaussian_heatmaps`, equal to ``encode`` within 1e-5,
    weights identical); :meth:`batch_decode` decodes a batch of heatmaps on
    their device with :class:`ViTPoseMSRADecoder` and copies the keypoints
    to the host once. MMPose's heads call ``batch_decode`` when a codec has
    one.

    Args:
        input_size (tuple[int, int]): Model input (w, h).
        heatmap_size (tuple[int, int]): Heatmap (w, h).
        sigma (float): Gaussian sigma in heatmap pixels. Defaults to 2.
        unbiased (bool): Only False (DARK encoding is not batched).
            Defaults to False.
    """

    draw_heatmaps = staticmethod(msra_gaussian_heatmaps)

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 sigma: float = 2.,
                 unbiased: bool = False) -> None:
        if unbiased:
            raise ValueError(
                'ViTPoseMSRAHeatmap draws MSRA heatmaps without unbiased '
                '(DARK) encoding, got unbiased=True; use MMPose\'s '
                'MSRAHeatmap with GenerateTarget for DARK heatmaps')
        super().__init__(tuple(input_size), tuple(heatmap_size), sigma)
        self.decoder_module = ViTPoseMSRADecoder(self.input_size,
                                                 self.heatmap_size)


__all__ = ['ViTPoseMSRADecoder', 'ViTPoseMSRAHeatmap',
           'msra_gaussian_heatmaps']
