"""The deferred training scalars of a run: the one object that the optimizer
wrapper and the hooks share."""
from typing import List, Optional, Tuple

import torch
from torch import Tensor


class TrainingScalars:
    """Training scalars kept on the device until they are logged, and what
    the checks of non-finite values need to know about the steps.

    ``ViTPoseOptimWrapper`` owns one (``optim_wrapper.training_scalars``)
    and writes the gradient norm and the skipped steps;
    ``ViTPoseRuntimeInfoHook`` defers the losses, takes the gradient norm
    and flushes all of them to the message hub in one copy;
    ``ViTPoseNonFiniteLossHook`` reads the skipped steps and whether a loss
    scaler skips steps. :func:`~.optim_wrappers.training_scalars_of` gives
    the object of any wrapper.

    Args:
        scaler_skips_steps (bool): A loss scaler (float16 ``GradScaler``)
            skips the steps whose gradients are not finite, so those are
            no error. Defaults to False.

    Attributes:
        grad_norm (Tensor | None): The gradient norm of the last optimizer
            step, on the device, until taken (:meth:`take_grad_norm`).
        skipped_iters (list[int]): 1-based iterations whose optimizer step
            was skipped for a non-finite loss or gradient.
        scaler_skips_steps (bool): See Args.
    """

    def __init__(self, scaler_skips_steps: bool = False) -> None:
        self.grad_norm: Optional[Tensor] = None
        self.skipped_iters: List[int] = []
        self.scaler_skips_steps = scaler_skips_steps
        self._pending: List[Tuple[str, Tensor]] = []

    def take_grad_norm(self) -> Optional[Tensor]:
        """The last step's gradient norm (None if taken already or if no
        step was made since)."""
        norm, self.grad_norm = self.grad_norm, None
        return norm

    def defer(self, name: str, value: Tensor) -> None:
        """Keep a scalar tensor (detached, on its device) until
        :meth:`flush`."""
        self._pending.append((name, value.detach()))

    @property
    def pending(self) -> bool:
        """Whether scalars wait for :meth:`flush`."""
        return bool(self._pending)

    def flush(self) -> List[Tuple[str, float]]:
        """The deferred scalars as host floats, in the order deferred (one
        device copy for all of them); none are kept."""
        if not self._pending:
            return []
        device = self._pending[0][1].device
        values = torch.stack([
            value.reshape(()).float().to(device) for _, value in self._pending
        ]).tolist()
        names = [name for name, _ in self._pending]
        self._pending.clear()
        return list(zip(names, values))
