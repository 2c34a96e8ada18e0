"""Optimizer wrappers whose step never waits for the device."""
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmengine.optim import OptimWrapper
from mmpose.registry import OPTIM_WRAPPERS
from torch import Tensor, nn

_AMP_DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16}


@OPTIM_WRAPPERS.register_module()
class ViTPoseOptimWrapper(OptimWrapper):
    """``OptimWrapper`` that keeps the clipped gradient norm on the device.

    mmengine's wrapper logs ``grad_norm`` with ``float(norm)`` after every
    clip, a host synchronisation per iteration. Here the norm stays a tensor
    in :attr:`pending_grad_norm` until ``ViTPoseRuntimeInfoHook`` logs it with
    the iteration's other scalars, at logging intervals. Arguments are
    ``OptimWrapper``'s.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pending_grad_norm: Optional[Tensor] = None

    def _clip_grad(self) -> None:
        params = [
            param for group in self.optimizer.param_groups
            for param in group['params']
            if param.requires_grad and param.grad is not None
        ]
        if params:
            norm = self.clip_func(params, **self.clip_grad_kwargs)
            # clip_grad_value_ returns None
            self.pending_grad_norm = None if norm is None else norm.detach()


@OPTIM_WRAPPERS.register_module()
class ViTPoseAmpOptimWrapper(ViTPoseOptimWrapper):
    """Mixed-precision :class:`ViTPoseOptimWrapper` on any device.

    The forward runs under ``torch.autocast`` in ``dtype``. bfloat16 needs no
    loss scaling, so by default none is used and the step has no host
    synchronisation; float16 uses a ``torch.amp.GradScaler`` (whose step
    reads the inf check on the host unless the optimizer is fused, e.g.
    ``AdamW(fused=True)``). The state dict carries ``loss_scaler`` as
    mmengine's ``AmpOptimWrapper`` does.

    Args:
        dtype (str): ``'bfloat16'`` or ``'float16'``. Defaults to
            ``'bfloat16'``.
        loss_scale (str | float | dict, optional): ``'dynamic'``, a static
            scale, ``GradScaler`` arguments, or None for no scaling.
            Defaults to None for bfloat16 and ``'dynamic'`` for float16.
        **kwargs: ``OptimWrapper`` arguments.
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
            self._clip_grad()
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
