from .collate import vitpose_collate
from .dataset_mixture import ViTPoseDatasetMixture, resolve_dataset_names
from .samplers import ViTPoseImageGroupedSampler
from .synthetic_coco_dataset import SyntheticCocoDataset, resolve_cache_root
from .synthetic_pose import (SyntheticPoseParams, ensure_synthetic_coco,
                             generate_synthetic_coco)
from .transforms import (PackViTPoseInputs, ViTPoseCheckAnnotation,
                         ViTPoseLoadImage, ViTPoseRandomBBoxTransform,
                         ViTPoseTopdownAffine)

__all__ = [
    'PackViTPoseInputs', 'SyntheticCocoDataset', 'SyntheticPoseParams',
    'ViTPoseCheckAnnotation', 'ViTPoseDatasetMixture',
    'ViTPoseImageGroupedSampler', 'ViTPoseLoadImage', 'ViTPoseRandomBBoxTransform',
    'ViTPoseTopdownAffine', 'vitpose_collate',
    'ensure_synthetic_coco', 'generate_synthetic_coco', 'resolve_cache_root',
    'resolve_dataset_names'
]
