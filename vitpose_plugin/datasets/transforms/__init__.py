from .bbox_transform import ViTPoseRandomBBoxTransform
from .load_image import ViTPoseLoadImage
from .pack_inputs import PackViTPoseInputs
from .topdown_affine import ViTPoseTopdownAffine

__all__ = [
    'PackViTPoseInputs', 'ViTPoseLoadImage', 'ViTPoseRandomBBoxTransform',
    'ViTPoseTopdownAffine'
]
