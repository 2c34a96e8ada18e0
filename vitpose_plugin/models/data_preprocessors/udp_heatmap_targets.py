"""UDP Gaussian heatmap targets for a whole batch, as tensor ops."""
from typing import Tuple

import torch
from torch import Tensor


def udp_gaussian_heatmaps(keypoints: Tensor, keypoints_visible: Tensor,
                          input_size: Tuple[int, int],
                          heatmap_size: Tuple[int, int],
                          sigma: float) -> Tuple[Tensor, Tensor]:
    """MMPose's ``UDPHeatmap`` gaussian encoding of a batch on its device.

    Reproduces ``mmpose.codecs.utils.generate_udp_gaussian_heatmaps`` applied
    to ``keypoints / ((input_size - 1) / (heatmap_size - 1))`` for every
    sample at once: the Gaussian of each visible keypoint (visibility >= 0.5)
    is drawn in a ``2 * 3 * sigma + 1`` window around its rounded position;
    keypoints whose window lies outside the heatmap get weight 0. The
    keypoint positions and windows are computed in float64 as MMPose does, the
    Gaussian values in float32.

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
    width, height = heatmap_size
    points = keypoints.double()
    # python-scalar divisions: no constant tensor copied to the device
    points = torch.stack((points[..., 0] / ((input_size[0] - 1) / (width - 1)),
                          points[..., 1] / ((input_size[1] - 1) /
                                            (height - 1))), dim=-1)
    radius = sigma * 3
    centre = (points + 0.5).trunc()
    lower = (centre - radius).trunc()
    upper = (centre + radius + 1).trunc()
    outside = ((lower[..., 0] >= width) | (lower[..., 1] >= height) |
               (upper[..., 0] < 0) | (upper[..., 1] < 0))
    visible = keypoints_visible >= 0.5
    weights = torch.where(visible & outside,
                          torch.zeros_like(keypoints_visible),
                          keypoints_visible).float()
    draw = visible & ~outside
    # window-local coordinate of the Gaussian's centre, as MMPose's x0/y0
    offset = (2 * radius + 1) // 2 + points - centre

    def axis_profile(axis: int, size: int) -> Tensor:
        pixels = torch.arange(size, dtype=torch.float64,
                              device=keypoints.device)
        local = pixels - lower[..., axis, None]
        inside = (pixels >= lower[..., axis, None]) & \
            (pixels < upper[..., axis, None])
        delta = (local - offset[..., axis, None]).float()
        values = torch.exp(-delta.square() / (2 * sigma**2))
        return values * inside

    heatmaps = axis_profile(1, height)[..., :, None] * \
        axis_profile(0, width)[..., None, :]
    return heatmaps * draw[..., None, None], weights
