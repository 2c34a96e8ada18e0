from .nonfinite_loss_hook import ViTPoseNonFiniteLossHook
from .runtime_info_hook import ViTPoseRuntimeInfoHook
from .torch_runtime_hook import TorchRuntimeHook

__all__ = [
    'TorchRuntimeHook', 'ViTPoseNonFiniteLossHook', 'ViTPoseRuntimeInfoHook'
]
