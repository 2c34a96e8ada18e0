"""Runtime information with training scalars read back at log intervals."""
from typing import List, Optional

from mmengine.hooks import LoggerHook, RuntimeInfoHook
from mmengine.utils import apply_to
from mmpose.registry import HOOKS
from torch import Tensor

from ...models.utils import TrainMetricsSwitch
from ..optim_wrappers import training_scalars_of
from ..training_scalars import TrainingScalars


@HOOKS.register_module()
class ViTPoseRuntimeInfoHook(RuntimeInfoHook):
    """mmengine's ``RuntimeInfoHook`` without a host sync per iteration.

    ``RuntimeInfoHook`` puts every training output (losses, accuracy) into
    the message hub with ``.item()`` each iteration, which makes the host
    wait for the device. This hook keeps the tensors on the device and moves
    them to the message hub in one copy on the iterations the ``LoggerHook``
    logs, at the end of each epoch and of training, and before a checkpoint
    is saved (one copy per checkpoint, so that a resumed run has the history
    up to the checkpoint's iteration); the message hub then holds exactly
    the values mmengine's hook would have put there, so logs are unchanged.
    The tensors wait in the :class:`TrainingScalars` of the optimizer
    wrapper, where a ``ViTPoseOptimWrapper`` keeps the gradient norm, which
    is logged the same way. Before each iteration it tells the model's heads
    (every :class:`TrainMetricsSwitch`) whether the iteration is logged, so
    they compute ``acc_pose`` only then (log it with the ``'current'``
    method, see ``default_runtime.py``). Replace ``default_hooks.runtime_info``
    with it.

    Args:
        interval (int, optional): Logging interval in iterations. Defaults to
            None: the ``LoggerHook``'s.
    """

    def __init__(self, interval: Optional[int] = None) -> None:
        if interval is not None and (not isinstance(interval, int)
                                     or interval < 1):
            raise ValueError('ViTPoseRuntimeInfoHook: interval must be a '
                             f'positive int or None, got {interval!r}')
        self.interval = interval
        self._logger_hook: Optional[LoggerHook] = None
        self._scalars: Optional[TrainingScalars] = None
        self._metric_modules: List[TrainMetricsSwitch] = []

    def before_train(self, runner) -> None:
        super().before_train(runner)
        self._scalars = training_scalars_of(runner.optim_wrapper)
        self._metric_modules = [
            module for module in runner.model.modules()
            if isinstance(module, TrainMetricsSwitch)
        ]
        loggers = [hook for hook in runner.hooks
                   if isinstance(hook, LoggerHook)]
        self._logger_hook = loggers[0] if loggers else None
        if self.interval is None:
            self.interval = self._logger_hook.interval \
                if self._logger_hook is not None else 50

    def _logged(self, runner, batch_idx: int) -> bool:
        """Whether the LoggerHook logs after this iteration (its rule)."""
        if self.every_n_inner_iters(batch_idx, self.interval):
            return True
        if not self.end_of_epoch(runner.train_dataloader, batch_idx):
            return False
        ignore_last = getattr(self._logger_hook, 'ignore_last', True)
        return not ignore_last or \
            len(runner.train_dataloader) <= self.interval

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        super().before_train_iter(runner, batch_idx, data_batch)
        self._want_train_metrics(self._logged(runner, batch_idx))

    def _want_train_metrics(self, wanted: bool) -> None:
        for module in self._metric_modules:
            module.train_metrics_wanted = wanted

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        for key, value in (outputs or {}).items():
            if isinstance(value, Tensor):
                self._scalars.defer(key, value)
            else:
                runner.message_hub.update_scalar(f'train/{key}', value)
        grad_norm = self._scalars.take_grad_norm()
        if grad_norm is not None:
            self._scalars.defer('grad_norm', grad_norm)
        if self._logged(runner, batch_idx):
            self.flush(runner)

    def flush(self, runner) -> None:
        """Move the pending scalars to the message hub (one device copy)."""
        if self._scalars is None:
            return
        for key, value in self._scalars.flush():
            runner.message_hub.update_scalar(f'train/{key}', value)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Write the pending scalars into the hub and the checkpoint."""
        if self._scalars is None or not self._scalars.pending:
            return
        self.flush(runner)
        # the runner copied the hub into the checkpoint before this hook
        checkpoint['message_hub'] = apply_to(
            runner.message_hub.state_dict(), lambda x: hasattr(x, 'cpu'),
            lambda x: x.cpu())

    def after_train_epoch(self, runner) -> None:
        self.flush(runner)
        super().after_train_epoch(runner)

    def after_train(self, runner) -> None:
        self.flush(runner)
        self._want_train_metrics(True)
        super().after_train(runner)
