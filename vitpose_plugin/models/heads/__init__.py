from .base_heatmap_head import BaseViTPoseHeatmapHead
from .classic_head import ViTPoseClassicHead

__all__ = ['BaseViTPoseHeatmapHead', 'ViTPoseClassicHead']
