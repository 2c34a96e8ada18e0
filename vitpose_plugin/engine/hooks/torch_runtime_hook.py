"""Process-wide torch settings applied for the duration of a run."""
from typing import Optional

import torch
import torch.multiprocessing as torch_mp
from mmengine.hooks import Hook
from mmpose.registry import HOOKS


@HOOKS.register_module()
class TorchRuntimeHook(Hook):
    """Set torch's intra-op thread count and tensor sharing strategy for a run.

    Both are process-wide settings that mmengine's ``env_cfg`` does not
    expose. They matter for small models on few CPU cores: torch's default of
    one thread per core lets the training process fight its own data-loader
    workers for the cores, and the default ``file_descriptor`` strategy sends
    every tensor of a batch from a worker through its own file descriptor.
    Both settings are applied before the data loaders start their workers
    (which inherit them) and restored when the run ends.

    Args:
        num_threads (int, optional): Value for ``torch.set_num_threads``.
            ``None`` keeps torch's setting. Defaults to None.
        sharing_strategy (str, optional): Value for
            ``torch.multiprocessing.set_sharing_strategy``, one of
            ``torch.multiprocessing.get_all_sharing_strategies()``.
            ``None`` keeps the current one. Defaults to None.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 num_threads: Optional[int] = None,
                 sharing_strategy: Optional[str] = None) -> None:
        if num_threads is not None and (not isinstance(num_threads, int)
                                        or num_threads < 1):
            raise ValueError('TorchRuntimeHook: num_threads must be a '
                             f'positive int or None, got {num_threads!r}')
        strategies = sorted(torch_mp.get_all_sharing_strategies())
        if sharing_strategy is not None and sharing_strategy not in strategies:
            raise ValueError('TorchRuntimeHook: sharing_strategy must be one '
                             f'of {strategies} or None, got '
                             f'{sharing_strategy!r}')
        self.num_threads = num_threads
        self.sharing_strategy = sharing_strategy
        self._saved: Optional[tuple] = None

    def _apply(self, runner) -> None:
        if self._saved is not None:  # already applied by this run
            return
        self._saved = (torch.get_num_threads(),
                       torch_mp.get_sharing_strategy())
        if self.num_threads is not None:
            torch.set_num_threads(self.num_threads)
        if self.sharing_strategy is not None:
            torch_mp.set_sharing_strategy(self.sharing_strategy)
        runner.logger.info(
            f'TorchRuntimeHook: {torch.get_num_threads()} intra-op threads, '
            f'sharing strategy {torch_mp.get_sharing_strategy()!r}')

    def _restore(self) -> None:
        if self._saved is None:
            return
        num_threads, strategy = self._saved
        torch.set_num_threads(num_threads)
        torch_mp.set_sharing_strategy(strategy)
        self._saved = None

    def before_run(self, runner) -> None:
        self._apply(runner)

    def after_run(self, runner) -> None:
        self._restore()
