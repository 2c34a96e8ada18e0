"""ViTPose's keypoint codec: UDP heatmaps, batched on the device."""
from .vitpose_udp_heatmap import (ViTPoseUDPDecoder, ViTPoseUDPHeatmap,
                                  batch_encode, udp_gaussian_heatmaps)

__all__ = [
    'ViTPoseUDPDecoder', 'ViTPoseUDPHeatmap', 'batch_encode',
    'udp_gaussian_heatmaps'
]
