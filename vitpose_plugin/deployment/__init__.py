"""Deployment: the exportable model (crops -> heatmaps [-> keypoints]),
UDP decoding as a torch module, ONNX export and onnxruntime checks."""
from .export_model import ViTPoseExportModel
from .heatmap_decoding import ViTPoseUDPDecoder
from .onnx_export import (HEATMAPS, INPUT_NAME, KEYPOINTS, SCORES,
                          compare_with_onnxruntime, default_opset,
                          export_onnx, external_data_path, input_hw,
                          onnx_session, output_names, traced_batch_size)

__all__ = [
    'HEATMAPS', 'INPUT_NAME', 'KEYPOINTS', 'SCORES', 'ViTPoseExportModel',
    'ViTPoseUDPDecoder', 'compare_with_onnxruntime', 'default_opset',
    'export_onnx', 'external_data_path', 'input_hw', 'onnx_session', 'output_names',
    'traced_batch_size'
]
