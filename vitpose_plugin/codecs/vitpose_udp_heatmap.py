"""The UDP heatmap codec of ViTPose, in one place: MMPose's ``UDPHeatmap``
(gaussian heatmaps) with batched encoding and decoding as tensor ops on the
batch's device. The decoding is also a torch module that exports to ONNX."""
from typing import Any, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmpose.codecs import UDPHeatmap
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor, nn

from .gaussian_windows import (DeviceHeatmapCodec, codec_settings,
                               window_gaussian_heatmaps)


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
    return window_gaussian_heatmaps(points, keypoints_visible, heatmap_size,
                                    sigma, subpixel=True)


class ViTPoseUDPDecoder(nn.Module):
    """Keypoints and scores from UDP heatmaps, as MMPose's ``UDPHeatmap``
    (``heatmap_type='gaussian'``) decodes them, batched.

    Steps (``mmpose.codecs.utils``): the maximum of each heatmap
    (``get_heatmap_maximum``); a Gaussian blur of ``blur_kernel_size``
    rescaled to the original maximum, clipped to [1e-3, 50] and logged; one
    Newton step from the gradient and Hessian around the maximum
    (``refine_keypoints_dark_udp``); then heatmap pixels to input pixels
    (``x / (W - 1) * input_w``).

    A keypoint whose heatmap is nowhere positive (score <= 0) is refined
    from heatmap pixel (-1, -1), as MMPose does: its neighbours there are
    read from the flattened padded heatmaps of the instance, so they come
    from the previous keypoint's heatmap (the last one's for keypoint 0),
    and its coordinates land around -1 heatmap pixel (-input/heatmap size
    in input pixels), moved by whatever those neighbours give. A heatmap
    of zeros gives NaN coordinates (0 / 0 in the blur's rescaling), as in
    MMPose. Such coordinates carry no information: filter by score.

    Args:
        input_size (tuple[int, int]): Model input (w, h).
        heatmap_size (tuple[int, int]): Heatmap (w, h).
        blur_kernel_size (int): Odd Gaussian kernel size. Defaults to 11.
    """

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 blur_kernel_size: int = 11) -> None:
        super().__init__()
        if blur_kernel_size % 2 != 1 or blur_kernel_size < 1:
            raise ValueError(f'blur_kernel_size must be odd and positive, got '
                             f'{blur_kernel_size}')
        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.blur_kernel_size = blur_kernel_size
        # cv2's own kernel (fixed tables for sizes <= 7), as gaussian_blur.
        kernel_1d = cv2.getGaussianKernel(blur_kernel_size, 0)
        kernel = torch.from_numpy((kernel_1d @ kernel_1d.T).astype(
            np.float32))
        self.register_buffer('kernel', kernel[None, None], persistent=False)
        width, height = self.heatmap_size
        scale = torch.tensor([
            self.input_size[0] / (width - 1), self.input_size[1] /
            (height - 1)
        ])
        self.register_buffer('scale', scale, persistent=False)

    @classmethod
    def from_codec(cls, codec: Any) -> 'ViTPoseUDPDecoder':
        """From a ``UDPHeatmap`` codec (gaussian heatmaps) or its config.

        Raises:
            ValueError: another codec or heatmap type.
        """
        kind, settings = codec_settings(codec)
        if kind not in ('UDPHeatmap', 'ViTPoseUDPHeatmap') or settings.get(
                'heatmap_type', 'gaussian') != 'gaussian':
            raise ValueError(
                f'in-graph decoding supports UDPHeatmap with gaussian '
                f'heatmaps here (MSRAHeatmap: ViTPoseMSRADecoder), got '
                f'{kind}; export heatmaps only and decode them with the '
                f'codec')
        return cls(settings['input_size'], settings['heatmap_size'],
                   settings.get('blur_kernel_size', 11))

    def forward(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
        """(B, K, H, W) heatmaps -> keypoints (B, K, 2) in input pixels and
        scores (B, K)."""
        heatmaps = heatmaps.float()
        batch, keypoints, height, width = heatmaps.shape
        scores, index = heatmaps.flatten(2).max(dim=2)
        found = scores > 0
        # get_heatmap_maximum: (-1, -1) where the maximum is <= 0, refined
        # all the same.
        x = torch.where(found, index % width, -1)
        y = torch.where(found,
                        torch.div(index, width, rounding_mode='floor'), -1)
        planes = heatmaps.reshape(batch * keypoints, 1, height, width)
        blurred = F.conv2d(planes, self.kernel,
                           padding=self.blur_kernel_size // 2)
        peak = blurred.flatten(1).amax(dim=1).reshape(-1, 1, 1, 1)
        blurred = blurred * (scores.reshape(-1, 1, 1, 1) / peak)
        logs = blurred.clamp(1e-3, 50.).log()
        plane = (height + 2) * (width + 2)
        padded = F.pad(logs, (1, 1, 1, 1), mode='replicate').reshape(
            batch, keypoints * plane)
        plane_start = torch.arange(keypoints, device=heatmaps.device) * plane

        def at(dx: int, dy: int) -> Tensor:
            # Indices into an instance's K padded heatmaps, flattened, as
            # refine_keypoints_dark_udp indexes them: from (-1, -1) they
            # reach into the previous heatmap, below 0 (keypoint 0) they
            # wrap round to the end like numpy's negative indices.
            flat = plane_start + (y + 1 + dy) * (width + 2) + (x + 1 + dx)
            flat = torch.where(flat < 0, flat + keypoints * plane, flat)
            return padded.gather(1, flat)

        centre, right, left = at(0, 0), at(1, 0), at(-1, 0)
        down, up = at(0, 1), at(0, -1)
        grad_x = 0.5 * (right - left)
        grad_y = 0.5 * (down - up)
        dxx = right - 2 * centre + left
        dyy = down - 2 * centre + up
        # MMPose's order of float32 operations: the Hessian can be nearly
        # singular (det ~ eps), where a rounding difference would show.
        dxy = 0.5 * (at(1, 1) - right - down + centre + centre - left - up +
                     at(-1, -1))
        eps = float(np.finfo(np.float32).eps)
        dxx, dyy = dxx + eps, dyy + eps
        det = dxx * dyy - dxy * dxy
        offset_x = (dyy * grad_x - dxy * grad_y) / det
        offset_y = (dxx * grad_y - dxy * grad_x) / det
        coords = torch.stack(
            [x.float() - offset_x, y.float() - offset_y], dim=-1)
        return coords * self.scale, scores


@KEYPOINT_CODECS.register_module()
class ViTPoseUDPHeatmap(DeviceHeatmapCodec, UDPHeatmap):
    """MMPose's ``UDPHeatmap`` (gaussian heatmaps) with batched tensor
    encoding and decoding: the codec of the COCO, MPII and multi-dataset
    ViTPose configs.

    ``encode``/``decode`` are MMPose's, per sample, in numpy.
    :meth:`batch_encode` draws the targets of a whole batch on its device
    (:func:`udp_gaussian_heatmaps`, equal to ``encode`` within 1e-5, weights
    identical); :meth:`batch_decode` decodes a batch of heatmaps on their
    device with :class:`ViTPoseUDPDecoder` (equal to ``decode`` within 1e-3
    pixels) and copies the keypoints to the host once. MMPose's heads call
    ``batch_decode`` when a codec has one.

    Args:
        input_size (tuple[int, int]): Model input (w, h).
        heatmap_size (tuple[int, int]): Heatmap (w, h).
        sigma (float): Gaussian sigma in heatmap pixels. Defaults to 2.
        blur_kernel_size (int): Odd blur kernel of the DARK-UDP refinement.
            Defaults to 11.
        heatmap_type (str): Only ``'gaussian'``. Defaults to ``'gaussian'``.
    """

    draw_heatmaps = staticmethod(udp_gaussian_heatmaps)

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 sigma: float = 2.,
                 blur_kernel_size: int = 11,
                 heatmap_type: str = 'gaussian') -> None:
        if heatmap_type != 'gaussian':
            raise ValueError(
                f'ViTPoseUDPHeatmap draws gaussian heatmaps only, got '
                f'heatmap_type={heatmap_type!r}; use MMPose\'s UDPHeatmap '
                f'with GenerateTarget for combined heatmaps')
        super().__init__(tuple(input_size), tuple(heatmap_size),
                         heatmap_type, sigma,
                         blur_kernel_size=blur_kernel_size)
        self.decoder_module = ViTPoseUDPDecoder(
            self.input_size, self.heatmap_size, blur_kernel_size)


__all__ = ['ViTPoseUDPDecoder', 'ViTPoseUDPHeatmap', 'udp_gaussian_heatmaps']
