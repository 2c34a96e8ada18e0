"""Inference: build a pose model from a config and a checkpoint read
safely (:func:`init_pose_model`, used with MMPose's ``inference_topdown``),
one dataset of a multi-dataset config (:func:`select_dataset`) or model
(:func:`split_model`), MMPose's ``MMPoseInferencer`` with safe loading
(:func:`build_inferencer`), person boxes from a detection file or an
MMDetection detector, track ids across video frames
(:class:`PoseTracker`) and keypoint smoothing along a track
(:class:`KeypointSmoother`)."""
from .dataset_selection import head_names, is_multi_dataset, select_dataset
from .inferencer import build_inferencer
from .keypoint_smoothing import KeypointSmoother
from .model_init import (init_pose_model, load_config, load_pose_weights,
                         num_model_keypoints)
from .person_boxes import (coco_image_ids, detect_persons, image_id_from_name,
                           init_person_detector, load_detection_json)
from .pose_tracking import TRACK_METHODS, PoseTracker
from .single_dataset_model import single_dataset_model_config, split_model

__all__ = [
    'KeypointSmoother', 'PoseTracker', 'TRACK_METHODS',
    'build_inferencer', 'coco_image_ids', 'detect_persons', 'head_names',
    'image_id_from_name', 'init_person_detector', 'init_pose_model',
    'is_multi_dataset', 'load_config', 'load_detection_json',
    'load_pose_weights', 'num_model_keypoints', 'select_dataset',
    'single_dataset_model_config', 'split_model'
]
