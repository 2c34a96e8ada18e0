from .image_grouped_sampler import ViTPoseImageGroupedSampler

__all__ = ['ViTPoseImageGroupedSampler']
