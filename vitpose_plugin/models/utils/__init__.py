"""Checkpoint conversion, loading hooks and pretrained initialisation."""
from .checkpoint_conversion import (LAYOUTS, ConvertedCheckpoint,
                                    backbone_weights, convert_checkpoint,
                                    convert_mae, convert_mmpose_vitpose,
                                    convert_official_vitpose, detect_layout,
                                    unwrap_state_dict)
from .heatmap_accuracy import heatmap_pck_accuracy
from .load_hooks import (CheckpointShapeError, check_loaded_shapes,
                         resize_pos_embed_on_load)
from .pretrained_backbone import load_pretrained_backbone

__all__ = [
    'LAYOUTS', 'CheckpointShapeError', 'ConvertedCheckpoint',
    'backbone_weights', 'check_loaded_shapes', 'convert_checkpoint',
    'convert_mae', 'convert_mmpose_vitpose', 'convert_official_vitpose',
    'detect_layout', 'heatmap_pck_accuracy', 'load_pretrained_backbone', 'resize_pos_embed_on_load',
    'unwrap_state_dict'
]
