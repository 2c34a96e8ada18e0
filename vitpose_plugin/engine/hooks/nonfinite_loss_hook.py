"""Stop training at a non-finite loss or gradient; never save such weights."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.hooks import Hook
from mmpose.registry import HOOKS
from torch import Tensor

from ..optim_wrappers import training_scalars_of

# (first iteration, last iteration, term, value): one non-finite value; the
# iterations are equal unless the term is not logged every iteration
_Finding = Tuple[int, int, str, float]


def _term(key: str) -> Optional[str]:
    """The watched term of a message-hub key (``train/loss*``,
    ``train/grad_norm``), or None."""
    mode, _, name = key.partition('/')
    if mode == 'train' and (name.startswith('loss') or name == 'grad_norm'):
        return name
    return None


def _order(term: str) -> Tuple[bool, str]:
    """Sort key: ``loss``, the ``loss_*`` terms, then ``grad_norm``."""
    return term == 'grad_norm', term


@HOOKS.register_module()
class ViTPoseNonFiniteLossHook(Hook):
    """Raise at a NaN/inf loss or gradient norm; refuse non-finite weights.

    The check reads the training scalars the runtime-info hook has put in the
    message hub (``train/loss``, ``train/loss_<term>``, ``train/grad_norm``)
    since its last check. They are host values by then, so the check adds no
    host synchronisation: with ``ViTPoseRuntimeInfoHook`` they arrive on
    logged iterations, at epoch ends, at the end of training and before a
    checkpoint is saved, and the error names the first bad iteration even if
    it is found later; with mmengine's ``RuntimeInfoHook`` every iteration.
    The error names the iteration (1-based, as in the log), the non-finite
    terms with the iteration's other values, and the last checkpoint.

    Not errors: iterations whose step the optimizer wrapper skipped
    (``ViTPoseOptimWrapper(nonfinite='skip')``) and non-finite gradient
    norms under a float16 ``GradScaler`` (the scaler skips those steps by
    design). Before any checkpoint is written (interval, best, last) every
    floating tensor of its ``state_dict`` (and ``ema_state_dict``) is checked
    (one pass per checkpoint); a non-finite one is an error, so no
    checkpoint with non-finite weights is written.

    The priority (``'LOW'``) puts it after ``LoggerHook`` (the bad
    iteration's log line is written first) and ``EMAHook`` (its swapped
    weights are checked too) and before ``CheckpointHook``.
    """

    priority = 'LOW'

    def __init__(self) -> None:
        self._lengths: Dict[str, int] = {}
        self._arrays: Dict[str, np.ndarray] = {}
        self._done: Optional[int] = None  # iterations finished (training)
        self._checked = 0  # iterations whose values were checked

    def before_train(self, runner) -> None:
        # after a resume the hub holds the restored history: skip it
        self._lengths, self._arrays = {}, {}
        for key, buffer in runner.message_hub.log_scalars.items():
            if _term(key) is not None:
                self._lengths[key] = len(buffer.data[0])
                self._arrays[key] = buffer.data[0]
        self._done = self._checked = runner.iter

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        self._done += 1
        self._check(runner)

    def after_train_epoch(self, runner) -> None:
        self._check(runner)

    def after_train(self, runner) -> None:
        self._check(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._done is not None:
            self._check(runner)
        self._check_weights(runner, checkpoint)

    def _new_values(self, runner) -> Dict[str, np.ndarray]:
        """Watched values written to the hub since the last call."""
        new = {}
        for key, buffer in runner.message_hub.log_scalars.items():
            if _term(key) is None:
                continue
            values = buffer.data[0]
            count = len(values) - self._lengths.get(key, 0)
            if (count <= 0 and len(values) == buffer.max_length
                    and values is not self._arrays.get(key)):
                # a full buffer drops its oldest entries: the values since
                # the last check are those of the unchecked iterations
                count = min(len(values), self._done - self._checked)
            self._lengths[key], self._arrays[key] = len(values), values
            if count > 0:
                new[key] = values[-count:]
        return new

    def _check(self, runner) -> None:
        new = self._new_values(runner)
        if not new:
            return
        first, done = self._checked + 1, self._done
        self._checked = done
        scalars = training_scalars_of(runner.optim_wrapper)
        skipped = set(scalars.skipped_iters)
        scaled = scalars.scaler_skips_steps
        findings: List[_Finding] = []
        for key, values in new.items():
            term = _term(key)
            if term == 'grad_norm' and scaled:
                continue  # the GradScaler skips overflowing steps itself
            per_iter = len(values) == done - first + 1
            for index in np.flatnonzero(~np.isfinite(values)):
                # the new values are those of iterations first..done
                start = first + int(index) if per_iter else first
                end = start if per_iter else done
                if not skipped.intersection(range(start, end + 1)):
                    findings.append((start, end, term, float(values[index])))
                    break
        if findings:
            raise RuntimeError(self._message(runner, new, findings))

    def _message(self, runner, new: Dict[str, np.ndarray],
                 findings: List[_Finding]) -> str:
        start, end = min(findings)[:2]
        bad = [(term, value) for first, last, term, value in findings
               if (first, last) == (start, end)]
        where = f'iteration {start}' if start == end \
            else f'iterations {start}-{end}'
        others = []
        per_iter = len(new.get('train/loss', ()))
        for key, values in new.items():  # the iteration's other values
            index = start - self._done - 1 + len(values)
            if start == end and len(values) == per_iter and \
                    0 <= index < len(values) and _term(key) not in dict(bad):
                others.append((_term(key), f'{values[index]:.6g}'))
        found = ', '.join(f'{term} is {value}' for term, value in
                          sorted(bad, key=lambda x: _order(x[0])))
        if others:
            others.sort(key=lambda x: _order(x[0]))
            found += f' ({", ".join(f"{t} {v}" for t, v in others)})'
        return (f'{type(self).__name__}: {where}: {found}. Training stopped '
                f'after iteration {self._done}: the weights may no longer be '
                f'finite, so no checkpoint was written after {where}. '
                f'{self._advice(runner)}')

    def _check_weights(self, runner, checkpoint: dict) -> None:
        for part in ('state_dict', 'ema_state_dict'):
            tensors = [(name, value)
                       for name, value in (checkpoint.get(part) or {}).items()
                       if isinstance(value, Tensor)
                       and value.is_floating_point()]
            if not tensors:
                continue
            device = tensors[0][1].device
            finite = torch.stack([
                torch.isfinite(value).all().to(device) for _, value in tensors
            ]).tolist()  # one read per checkpoint
            bad = [name for (name, _), ok in zip(tensors, finite) if not ok]
            if bad:
                raise RuntimeError(self._weights_message(
                    runner, checkpoint, part, bad))

    def _weights_message(self, runner, checkpoint: dict, part: str,
                         bad: List[str]) -> str:
        if self._done is not None:
            when = f'after iteration {self._done}'
            since = (f' The step that made them so was in iterations '
                     f'{self._checked + 1}-{self._done}, whose losses were '
                     'not read back yet.'
                     if self._done > self._checked else '')
        else:
            when = f'at iteration {checkpoint.get("meta", {}).get("iter")}'
            since = ''
        what = f'{part} {bad[0]!r} is' if len(bad) == 1 else \
            f'{part} {bad[0]!r} and {len(bad) - 1} more are'
        return (f'{type(self).__name__}: not saving the checkpoint {when}: '
                f'{what} not finite (NaN or inf).{since} '
                f'{self._advice(runner)}')

    @staticmethod
    def _advice(runner) -> str:
        """Where to go on from, and how to avoid the failure."""
        path = osp.join(runner.work_dir, 'last_checkpoint')
        start = 'Restart training'
        if osp.isfile(path):
            with open(path) as f:
                start = f'Resume from the last checkpoint, {f.read().strip()},'
        return (f'{start} with a lower learning rate or gradient clipping '
                '(optim_wrapper.clip_grad), or let ViTPoseOptimWrapper skip '
                "such steps with optim_wrapper.nonfinite='skip'.")
