from .base_heatmap_head import BaseViTPoseHeatmapHead
from .classic_head import ViTPoseClassicHead
from .simple_head import ViTPoseSimpleHead

__all__ = ['BaseViTPoseHeatmapHead', 'ViTPoseClassicHead', 'ViTPoseSimpleHead']
