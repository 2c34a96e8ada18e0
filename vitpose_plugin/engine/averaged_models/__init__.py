from .exp_momentum_ema import ViTPoseExpMomentumEMA

__all__ = ['ViTPoseExpMomentumEMA']
