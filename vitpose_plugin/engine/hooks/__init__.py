from .torch_runtime_hook import TorchRuntimeHook

__all__ = ['TorchRuntimeHook']
