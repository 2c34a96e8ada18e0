"""The batched pieces shared by the device heatmap codecs (UDP and MSRA):
Gaussian targets drawn in windows around the keypoints with their keypoint
weights, a codec's settings, and the batched codec methods."""
from typing import Any, Callable, Dict, List, Mapping, Tuple

import numpy as np
import torch
from torch import Tensor, nn


def window_gaussian_heatmaps(points: Tensor, keypoints_visible: Tensor,
                             heatmap_size: Tuple[int, int], sigma: float,
                             subpixel: bool) -> Tuple[Tensor, Tensor]:
    """Gaussian heatmaps of a batch, drawn as MMPose's per-sample encoders
    draw them, on the batch's device.

    Each visible keypoint (visibility >= 0.5) gets an unnormalised Gaussian
    in a ``2 * 3 * sigma + 1`` window around its rounded position
    (``trunc(point + 0.5)``); a keypoint whose window lies entirely outside
    the heatmap gets weight 0, the other weights are the visibilities
    (invisible keypoints keep theirs and get no Gaussian).

    Args:
        points (Tensor): (B, K, 2) keypoints in heatmap pixels, in the dtype
            the codec rounds them in (float32 for MSRA, float64 for UDP).
        keypoints_visible (Tensor): (B, K) visibilities.
        heatmap_size (tuple[int, int]): Heatmap (w, h).
        sigma (float): Gaussian sigma in heatmap pixels.
        subpixel (bool): Centre the Gaussian on the exact point (UDP), or on
            the rounded pixel (MSRA).

    Returns:
        tuple[Tensor, Tensor]: heatmaps (B, K, h, w) float32 and keypoint
        weights (B, K) float32.
    """
    width, height = heatmap_size
    radius = sigma * 3
    centre = (points + 0.5).trunc().double()
    lower = (centre - radius).trunc()
    upper = (centre + radius + 1).trunc()
    outside = ((lower[..., 0] >= width) | (lower[..., 1] >= height) |
               (upper[..., 0] < 0) | (upper[..., 1] < 0))
    visible = keypoints_visible >= 0.5
    weights = torch.where(visible & outside,
                          torch.zeros_like(keypoints_visible),
                          keypoints_visible).float()
    draw = visible & ~outside
    # window-local coordinate of the Gaussian's centre (MMPose's x0/y0)
    offset = (2 * radius + 1) // 2
    if subpixel:
        offset = offset + points.double() - centre

    def axis_profile(axis: int, size: int) -> Tensor:
        pixels = torch.arange(size, dtype=torch.float64,
                              device=points.device)
        local = pixels - lower[..., axis, None]
        inside = (pixels >= lower[..., axis, None]) & \
            (pixels < upper[..., axis, None])
        centre_local = offset[..., axis, None] if subpixel else offset
        delta = (local - centre_local).float()
        values = torch.exp(-delta.square() / (2 * sigma**2))
        return values * inside

    heatmaps = axis_profile(1, height)[..., :, None] * \
        axis_profile(0, width)[..., None, :]
    return heatmaps * draw[..., None, None], weights


def codec_settings(codec: Any) -> Tuple[str, Dict[str, Any]]:
    """The type name and settings of a codec or of its config dict."""
    if isinstance(codec, Mapping):
        return codec.get('type'), dict(codec)
    return type(codec).__name__, dict(vars(codec))


class DeviceHeatmapCodec:
    """Batched encoding and decoding on the batch's device, mixed into an
    MMPose heatmap codec (before it, so that MMPose's heads see
    ``batch_decode``).

    The codec sets ``draw_heatmaps`` (the batched encoder, called with the
    keypoints, visibilities, input size, heatmap size and sigma) and, per
    instance, ``decoder_module`` (heatmaps -> keypoints, scores).
    """

    draw_heatmaps: Callable[..., Tuple[Tensor, Tensor]]
    decoder_module: nn.Module

    def batch_encode(self, keypoints: Tensor,
                     keypoints_visible: Tensor) -> Tuple[Tensor, Tensor]:
        """Heatmaps (B, K, h, w) and keypoint weights (B, K) of a batch.

        Args:
            keypoints (Tensor): (B, K, 2) keypoints in input pixels.
            keypoints_visible (Tensor): (B, K) visibilities.
        """
        return self.draw_heatmaps(keypoints, keypoints_visible,
                                  tuple(self.input_size),
                                  tuple(self.heatmap_size), self.sigma)

    def batch_decode(self, batch_heatmaps: Tensor
                     ) -> Tuple[List[np.ndarray], List[np.ndarray]]:
        """Keypoints (1, K, 2) and scores (1, K) of every sample, in input
        pixels, decoded on the heatmaps' device and copied to the host once
        (MMPose's ``batch_decode`` contract).

        Args:
            batch_heatmaps (Tensor): (B, K, h, w) heatmaps.
        """
        decoder = self.decoder_module.to(batch_heatmaps.device)
        keypoints, scores = decoder(batch_heatmaps.detach())
        keypoints = keypoints.cpu().numpy()
        scores = scores.cpu().numpy()
        return ([points[None] for points in keypoints],
                [score[None] for score in scores])


__all__ = ['DeviceHeatmapCodec', 'codec_settings', 'window_gaussian_heatmaps']
