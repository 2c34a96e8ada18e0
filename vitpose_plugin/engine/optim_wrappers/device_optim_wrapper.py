"""Optimizer wrappers whose step never waits for the device."""
import logging
import math
from contextlib import contextmanager
from typing import List, Optional, Tuple, Union

import torch
from mmengine.dist import all_reduce, is_distributed
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmpose.registry import OPTIM_WRAPPERS
from torch import Tensor, nn

from ..training_scalars import TrainingScalars

_AMP_DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16}
_NONFINITE_MODES = ('error', 'skip')
SKIPPED_STEPS = 'train/skipped_steps'


def _total_norm(grads: List[Tensor]) -> Tensor:
    """The 2-norm of all ``grads`` together, on the device, unclipped."""
    get_total_norm = getattr(torch.nn.utils, 'get_total_norm', None)
    if get_total_norm is not None:  # torch >= 2.6
        return get_total_norm(grads)
    return torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(grad) for grad in grads]))


@OPTIM_WRAPPERS.register_module()
class ViTPoseOptimWrapper(OptimWrapper):
    """``OptimWrapper`` that keeps the gradient norm on the device.

    mmengine's wrapper logs ``grad_norm`` with ``float(norm)`` after every
    clip, a host synchronisation per iteration. Here the norm stays a tensor
    in :attr:`training_scalars` (a :class:`TrainingScalars`, shared with
    the hooks) until ``ViTPoseRuntimeInfoHook`` logs it with the
    iteration's other scalars, at logging intervals. Without
    ``clip_grad`` (or with ``clip_grad=dict(type='value')``) the unclipped
    total norm is computed and logged the same way, so that
    ``ViTPoseNonFiniteLossHook`` sees non-finite gradients.

    A non-finite loss or gradient norm is handled by ``nonfinite``:

    - ``'error'``: the step is applied as usual and nothing is read on the
      host; ``ViTPoseNonFiniteLossHook`` stops training when the logged
      values reach the host, naming the iteration and the loss term.
    - ``'skip'``: the batch is skipped: the step is not applied
      (parameters and optimizer state, AdamW's moments and step count
      included, stay as they were) and the model's buffers (BatchNorm
      statistics, which a NaN forward corrupts) are restored to their values
      before the forward (taken in :meth:`optim_context`); a warning names
      the iteration, ``training_scalars.skipped_iters`` lists it and
      ``train/skipped_steps`` in the message hub counts the skipped steps
      (it appears in the log). Deciding costs one host
      synchronisation per optimizer step (and, distributed, one all-reduce
      of a flag so that every rank skips the same steps), plus a copy of the
      buffers.

    Args:
        nonfinite (str): ``'error'`` or ``'skip'``. Defaults to ``'error'``.
        *args, **kwargs: ``OptimWrapper``'s arguments.
    """

    def __init__(self, *args, nonfinite: str = 'error', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if nonfinite not in _NONFINITE_MODES:
            raise ValueError(f'{type(self).__name__}: nonfinite must be one '
                             f'of {_NONFINITE_MODES}, got {nonfinite!r}')
        self.nonfinite = nonfinite
        self.training_scalars = TrainingScalars()
        self._loss_sum: Optional[Tensor] = None
        self._buffers: Optional[List[Tuple[Tensor, Tensor]]] = None

    def backward(self, loss: Tensor, **kwargs) -> None:
        self._note_loss(loss)
        super().backward(loss, **kwargs)

    def _note_loss(self, loss: Tensor) -> None:
        """Keep the (accumulated) loss for the skip decision, on the device."""
        if self.nonfinite != 'skip':
            return
        loss = loss.detach().float().sum()
        self._loss_sum = loss if self._loss_sum is None \
            else self._loss_sum + loss

    def _grad_params(self) -> List[Tensor]:
        return [
            param for group in self.optimizer.param_groups
            for param in group['params']
            if param.requires_grad and param.grad is not None
        ]

    def _clip_grad(self) -> Optional[Tensor]:
        """Clip the gradients; their total norm before clipping (None when
        clipping by value, or without gradients)."""
        params = self._grad_params()
        if not params:
            return None
        norm = self.clip_func(params, **self.clip_grad_kwargs)
        return None if norm is None else norm.detach()  # clip_grad_value_

    def step(self, **kwargs) -> None:
        """Clip (or measure) the gradients, then step unless skipped."""
        norm = self._clip_grad() if self.clip_grad_kwargs else None
        if norm is None:
            grads = [param.grad for param in self._grad_params()]
            if grads:
                norm = _total_norm(grads).detach()
        self.training_scalars.grad_norm = norm
        loss, self._loss_sum = self._loss_sum, None
        buffers, self._buffers = self._buffers, None
        if self.nonfinite == 'skip' and not self._finite(loss, norm):
            with torch.no_grad():
                for buffer, saved in buffers or ():
                    buffer.copy_(saved)
            return
        self.optimizer.step(**kwargs)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """``OptimWrapper``'s context; with ``nonfinite='skip'`` it also
        keeps a copy of the model's buffers at the first forward after a
        step, to restore them if the step is skipped."""
        if self.nonfinite == 'skip' and self._buffers is None:
            self._buffers = [(buffer, buffer.detach().clone())
                             for buffer in model.buffers()]
        with super().optim_context(model):
            yield

    def _finite(self, loss: Optional[Tensor],
                grad_norm: Optional[Tensor]) -> bool:
        """Whether the step's loss and gradient norm are finite (one host
        read); counts and reports a step that is not."""
        values = [value.reshape(()).float() for value in
                  (loss, grad_norm) if value is not None]
        if not values:
            return True
        device = values[0].device
        values = torch.stack([value.to(device) for value in values])
        bad = (~torch.isfinite(values)).any().float().reshape(1)
        if is_distributed():  # skip on every rank or on none
            all_reduce(bad, op='max')
        *values, bad = torch.cat([values, bad]).tolist()
        if not bad:
            return True
        iteration = self.message_hub.get_info('iter')
        iteration = None if iteration is None else iteration + 1
        buffer = self.message_hub.log_scalars.get(SKIPPED_STEPS)
        count = (0 if buffer is None else int(buffer.current())) + 1
        self.message_hub.update_scalar(SKIPPED_STEPS, count)
        if iteration is not None:
            self.training_scalars.skipped_iters.append(iteration)
        names = (['loss'] if loss is not None else []) + (
            ['grad_norm'] if grad_norm is not None else [])
        found = ', '.join(f'{name} {value}'
                          for name, value in zip(names, values))
        if all(math.isfinite(value) for value in values):
            found += ' here; non-finite on another rank'
        where = f'iteration {iteration}' if iteration is not None \
            else 'a step'
        print_log(
            f'{type(self).__name__}: {where}: non-finite loss or gradient '
            f'({found}); the optimizer step was skipped (nonfinite=\'skip\', '
            f'{count} skipped so far). Many skips mean the training diverges:'
            ' lower the learning rate or clip the gradients.',
            logger='current', level=logging.WARNING)
        return False


@OPTIM_WRAPPERS.register_module()
class ViTPoseAmpOptimWrapper(ViTPoseOptimWrapper):
    """Mixed-precision :class:`ViTPoseOptimWrapper` on any device.

    The forward runs under ``torch.autocast`` in ``dtype``. bfloat16 needs no
    loss scaling, so by default none is used and the step has no host
    synchronisation; float16 uses a ``torch.amp.GradScaler`` (whose step
    reads the inf check on the host unless the optimizer is fused, e.g.
    ``AdamW(fused=True)``). The state dict carries ``loss_scaler`` as
    mmengine's ``AmpOptimWrapper`` does. The scaler skips the steps whose
    gradients overflow by design (and lowers its scale), so
    ``nonfinite='skip'`` is only for the scaler-free bfloat16 mode.

    Args:
        dtype (str): ``'bfloat16'`` or ``'float16'``. Defaults to
            ``'bfloat16'``.
        loss_scale (str | float | dict, optional): ``'dynamic'``, a static
            scale, ``GradScaler`` arguments, or None for no scaling.
            Defaults to None for bfloat16 and ``'dynamic'`` for float16.
        **kwargs: :class:`ViTPoseOptimWrapper` arguments (``nonfinite``
            included).
    """

    def __init__(self,
                 dtype: str = 'bfloat16',
                 loss_scale: Union[str, float, dict, None] = 'default',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if dtype not in _AMP_DTYPES:
            raise ValueError(f'ViTPoseAmpOptimWrapper: dtype must be one of '
                             f'{sorted(_AMP_DTYPES)}, got {dtype!r}')
        self.cast_dtype = _AMP_DTYPES[dtype]
        if loss_scale == 'default':
            loss_scale = None if dtype == 'bfloat16' else 'dynamic'
        self.device_type = self._parameter_device().type
        self.loss_scaler = self._build_scaler(loss_scale)
        self.training_scalars.scaler_skips_steps = \
            self.loss_scaler is not None
        if self.loss_scaler is not None and self.nonfinite == 'skip':
            raise ValueError(
                "ViTPoseAmpOptimWrapper: nonfinite='skip' with a loss scaler "
                f'(dtype {dtype!r}, loss_scale {loss_scale!r}): the '
                'GradScaler already skips steps with non-finite gradients; '
                "use nonfinite='error' or dtype='bfloat16' without scaling")

    def _parameter_device(self) -> torch.device:
        for group in self.optimizer.param_groups:
            for param in group['params']:
                return param.device
        return torch.device('cpu')

    def _build_scaler(self, loss_scale) -> Optional[torch.amp.GradScaler]:
        if loss_scale is None:
            return None
        if loss_scale == 'dynamic':
            return torch.amp.GradScaler(self.device_type)
        if isinstance(loss_scale, float):
            return torch.amp.GradScaler(self.device_type,
                                        init_scale=loss_scale,
                                        growth_interval=2**31 - 1)
        if isinstance(loss_scale, dict):
            return torch.amp.GradScaler(self.device_type, **loss_scale)
        raise TypeError('ViTPoseAmpOptimWrapper: loss_scale must be None, '
                        f'"dynamic", a float or a dict, got {loss_scale!r}')

    def backward(self, loss: Tensor, **kwargs) -> None:
        self._note_loss(loss)
        if self.loss_scaler is not None:
            loss = self.loss_scaler.scale(loss)
        loss.backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs) -> None:
        if self.loss_scaler is None:
            super().step(**kwargs)
            return
        if self.clip_grad_kwargs:
            self.loss_scaler.unscale_(self.optimizer)
            self.training_scalars.grad_norm = self._clip_grad()
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update()

    def state_dict(self) -> dict:
        state = super().state_dict()
        if self.loss_scaler is not None:
            state['loss_scaler'] = self.loss_scaler.state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        scaler_state = state_dict.pop('loss_scaler', None)
        if scaler_state is not None and self.loss_scaler is not None:
            self.loss_scaler.load_state_dict(scaler_state)
        super().load_state_dict(state_dict)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context of ``OptimWrapper`` + autocast."""
        with super().optim_context(model), torch.autocast(
                device_type=self.device_type, dtype=self.cast_dtype):
            yield


def training_scalars_of(optim_wrapper: OptimWrapper) -> TrainingScalars:
    """The :class:`TrainingScalars` of ``optim_wrapper``: its own for a
    :class:`ViTPoseOptimWrapper`, a new one for any other wrapper (no
    deferred gradient norm, no skipped steps; mmengine's
    ``AmpOptimWrapper`` has a loss scaler that skips steps)."""
    if isinstance(optim_wrapper, ViTPoseOptimWrapper):
        return optim_wrapper.training_scalars
    return TrainingScalars(
        scaler_skips_steps=isinstance(optim_wrapper, AmpOptimWrapper))
