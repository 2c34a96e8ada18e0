"""Inference: build a pose model from a config and a checkpoint read
safely (:func:`init_pose_model`, used with MMPose's ``inference_topdown``),
one dataset of a multi-dataset config (:func:`select_dataset`), MMPose's
``MMPoseInferencer`` with safe loading (:func:`build_inferencer`)."""
from .dataset_selection import head_names, is_multi_dataset, select_dataset
from .inferencer import build_inferencer
from .model_init import (init_pose_model, load_config, load_pose_weights,
                         num_model_keypoints)

__all__ = [
    'build_inferencer', 'head_names', 'init_pose_model', 'is_multi_dataset', 'load_config',
    'load_pose_weights', 'num_model_keypoints', 'select_dataset'
]
