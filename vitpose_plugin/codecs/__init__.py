"""ViTPose's keypoint codecs: UDP and MSRA heatmaps, batched on the
device."""
from .device_codecs import batch_encode, in_graph_decoder
from .vitpose_msra_heatmap import (ViTPoseMSRADecoder, ViTPoseMSRAHeatmap,
                                   msra_gaussian_heatmaps)
from .vitpose_udp_heatmap import (ViTPoseUDPDecoder, ViTPoseUDPHeatmap,
                                  udp_gaussian_heatmaps)

__all__ = [
    'ViTPoseMSRADecoder', 'ViTPoseMSRAHeatmap', 'ViTPoseUDPDecoder',
    'ViTPoseUDPHeatmap', 'batch_encode', 'in_graph_decoder',
    'msra_gaussian_heatmaps', 'udp_gaussian_heatmaps'
]
