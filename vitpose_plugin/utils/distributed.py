"""Let mmengine's ``pytorch`` launcher run on machines without a GPU."""
import os

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def prepare_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Initialise torch.distributed on CPU when no GPU is available.

    mmengine's launchers pin a CUDA device and wrap the model in DDP with
    ``device_ids=[local_rank]``; both fail without a GPU. When ``launcher`` is
    ``'pytorch'`` (torchrun) and CUDA is unavailable this initialises the
    process group itself (mmengine then reuses it) with the config's
    ``env_cfg.dist_cfg.backend``, switching ``nccl`` to ``gloo``, and makes the
    DDP wrapper device-agnostic. With a GPU, or ``launcher='none'``, it does
    nothing.

    Args:
        cfg (Config): The run's config; ``env_cfg`` and ``model_wrapper_cfg``
            are updated in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    backend = dist_cfg.get('backend', 'nccl')
    if backend == 'nccl':
        backend = 'gloo'
        print_log('No CUDA device: using the gloo backend instead of nccl',
                  logger='current')
    dist_cfg['backend'] = backend
    wrapper_cfg = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper_cfg['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper_cfg
    if not dist.is_initialized():
        dist.init_process_group(
            backend=backend,
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
