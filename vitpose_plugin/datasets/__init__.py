from .dataset_mixture import ViTPoseDatasetMixture, resolve_dataset_names
from .synthetic_coco_dataset import SyntheticCocoDataset, resolve_cache_root
from .synthetic_pose import (SyntheticPoseParams, ensure_synthetic_coco,
                             generate_synthetic_coco)

__all__ = [
    'SyntheticCocoDataset', 'SyntheticPoseParams', 'ViTPoseDatasetMixture',
    'ensure_synthetic_coco', 'generate_synthetic_coco', 'resolve_cache_root',
    'resolve_dataset_names'
]
