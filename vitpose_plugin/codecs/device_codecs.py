"""Which batched device codec serves a config's codec: the training
targets drawn on the device and the decoding inside an exported graph."""
from typing import Any, Tuple

from mmpose.codecs import MSRAHeatmap, UDPHeatmap
from torch import Tensor, nn

from .gaussian_windows import codec_settings
from .vitpose_msra_heatmap import ViTPoseMSRADecoder, msra_gaussian_heatmaps
from .vitpose_udp_heatmap import ViTPoseUDPDecoder, udp_gaussian_heatmaps

#: The codecs drawn and decoded on the device, by config type name.
MSRA_CODECS = ('MSRAHeatmap', 'ViTPoseMSRAHeatmap')
UDP_CODECS = ('UDPHeatmap', 'ViTPoseUDPHeatmap')


def batch_encode(codec: Any, keypoints: Tensor,
                 keypoints_visible: Tensor) -> Tuple[Tensor, Tensor]:
    """Targets of a batch drawn on its device by a gaussian UDP codec
    (``ViTPoseUDPHeatmap`` or MMPose's ``UDPHeatmap``) or an MSRA codec
    without DARK (``ViTPoseMSRAHeatmap`` or MMPose's ``MSRAHeatmap``).

    Args:
        codec: The codec (a head's ``decoder``).
        keypoints (Tensor): (B, K, 2) keypoints in input pixels.
        keypoints_visible (Tensor): (B, K) visibilities.

    Returns:
        tuple[Tensor, Tensor]: heatmaps (B, K, h, w) and weights (B, K).

    Raises:
        ValueError: another codec, naming the fix.
    """
    if isinstance(codec, UDPHeatmap) and codec.heatmap_type == 'gaussian':
        encode = udp_gaussian_heatmaps
    elif isinstance(codec, MSRAHeatmap) and not codec.unbiased:
        encode = msra_gaussian_heatmaps
    else:
        raise ValueError(
            f'targets drawn on the device need a gaussian UDP or an MSRA '
            f"codec as the head's decoder (type='ViTPoseUDPHeatmap' or "
            f"type='ViTPoseMSRAHeatmap'), got {type(codec).__name__}; for "
            f'other codecs end the training pipeline with GenerateTarget + '
            f'PackPoseInputs')
    return encode(keypoints, keypoints_visible, tuple(codec.input_size),
                  tuple(codec.heatmap_size), codec.sigma)


def in_graph_decoder(codec: Any) -> nn.Module:
    """The exportable decoding module of a codec (or its config):
    :class:`ViTPoseUDPDecoder` or :class:`ViTPoseMSRADecoder`.

    Raises:
        ValueError: a codec without one, naming it.
    """
    kind, _ = codec_settings(codec)
    if kind in MSRA_CODECS:
        return ViTPoseMSRADecoder.from_codec(codec)
    if kind in UDP_CODECS:
        return ViTPoseUDPDecoder.from_codec(codec)
    raise ValueError(
        f'in-graph decoding supports UDPHeatmap (gaussian) and MSRAHeatmap '
        f'(without DARK), the codecs of the ViTPose configs; got {kind}: '
        f'export heatmaps only and decode them with the codec')


__all__ = ['batch_encode', 'in_graph_decoder']
