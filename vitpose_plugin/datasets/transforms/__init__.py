from .bbox_transform import ViTPoseRandomBBoxTransform
from .check_annotation import ViTPoseCheckAnnotation
from .load_image import ViTPoseLoadImage
from .pack_inputs import PackViTPoseInputs
from .random_flip import ViTPoseRandomFlip
from .random_half_body import ViTPoseRandomHalfBody
from .topdown_affine import ViTPoseTopdownAffine

__all__ = [
    'PackViTPoseInputs', 'ViTPoseCheckAnnotation', 'ViTPoseLoadImage',
    'ViTPoseRandomBBoxTransform', 'ViTPoseRandomFlip',
    'ViTPoseRandomHalfBody', 'ViTPoseTopdownAffine'
]
