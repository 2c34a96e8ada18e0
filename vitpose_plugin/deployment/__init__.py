"""Deployment: the exportable model (crops -> heatmaps [-> keypoints]),
ONNX export and onnxruntime checks (the decoding as a torch module is
:class:`vitpose_plugin.codecs.ViTPoseUDPDecoder` or
:class:`vitpose_plugin.codecs.ViTPoseMSRADecoder`)."""
from ..codecs import ViTPoseMSRADecoder, ViTPoseUDPDecoder
from .export_model import ViTPoseExportModel
from .onnx_export import (HEATMAPS, INPUT_NAME, KEYPOINTS, SCORES,
                          compare_with_onnxruntime, default_opset,
                          export_onnx, external_data_path, input_hw,
                          onnx_session, output_names, traced_batch_size)

__all__ = [
    'HEATMAPS', 'INPUT_NAME', 'KEYPOINTS', 'SCORES', 'ViTPoseExportModel',
    'ViTPoseMSRADecoder', 'ViTPoseUDPDecoder', 'compare_with_onnxruntime',
    'default_opset', 'export_onnx', 'external_data_path', 'input_hw',
    'onnx_session', 'output_names', 'traced_batch_size'
]
