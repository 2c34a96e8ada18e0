"""Helpers shared by the heads, the backbone and the distillers."""
from .heatmap_accuracy import (TRAIN_METRICS_CFG, TrainMetricsSwitch,
                               heatmap_pck_accuracy, heatmap_peaks,
                               want_train_metrics)
from .native_bfloat16 import native_bfloat16
from .state_dict_hooks import (CheckpointShapeError, check_loaded_shapes,
                               resize_pos_embed_on_load,
                               shape_error_for_checkpoint)

__all__ = [
    'CheckpointShapeError', 'TRAIN_METRICS_CFG', 'TrainMetricsSwitch',
    'check_loaded_shapes', 'heatmap_pck_accuracy', 'heatmap_peaks', 'native_bfloat16',
    'resize_pos_embed_on_load', 'shape_error_for_checkpoint',
    'want_train_metrics'
]
