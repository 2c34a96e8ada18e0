from .layer_decay_constructor import ViTPoseLayerDecayConstructor

__all__ = ['ViTPoseLayerDecayConstructor']
