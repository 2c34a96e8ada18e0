from .config import merge_cfg_options
from .distributed import prepare_cpu_distributed

__all__ = ['merge_cfg_options', 'prepare_cpu_distributed']
