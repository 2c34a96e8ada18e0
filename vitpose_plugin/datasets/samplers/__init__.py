from .image_grouped_sampler import ViTPoseImageGroupedSampler
from .multi_source_check import check_multi_source_sampler

__all__ = ['ViTPoseImageGroupedSampler', 'check_multi_source_sampler']
