"""TrainingScalars: the one object through which the optimizer wrapper and
the hooks share the deferred training scalars."""
import pytest
import torch
from mmengine.optim import OptimWrapper
from torch import nn

from vitpose_plugin.engine import (TrainingScalars, ViTPoseAmpOptimWrapper,
                                   ViTPoseOptimWrapper, training_scalars_of)


def adamw(model):
    return torch.optim.AdamW(model.parameters(), lr=0.1)


def test_deferred_scalars_flush_once_in_order():
    scalars = TrainingScalars()
    assert not scalars.pending and scalars.flush() == []
    scalars.defer('loss', torch.tensor(2.0, requires_grad=True))
    scalars.defer('acc_pose', torch.tensor([0.5]))
    assert scalars.pending
    assert scalars.flush() == [('loss', 2.0), ('acc_pose', 0.5)]
    assert not scalars.pending


def test_the_wrapper_hands_its_grad_norm_over_once():
    model = nn.Linear(3, 1)
    wrapper = ViTPoseOptimWrapper(optimizer=adamw(model))
    scalars = training_scalars_of(wrapper)
    assert scalars is wrapper.training_scalars
    wrapper.backward(model(torch.ones(2, 3)).sum())
    wrapper.step()
    norm = scalars.take_grad_norm()
    expected = torch.cat([p.grad.flatten() for p in model.parameters()])
    torch.testing.assert_close(norm, expected.norm())
    assert scalars.take_grad_norm() is None


@pytest.mark.parametrize('build, skips', [
    (lambda m: ViTPoseAmpOptimWrapper(optimizer=adamw(m)), False),
    (lambda m: ViTPoseAmpOptimWrapper(
        optimizer=adamw(m), dtype='float16'), True),
    (lambda m: OptimWrapper(optimizer=adamw(m)), False),
])
def test_scaler_state(build, skips):
    """bfloat16 has no scaler; a float16 GradScaler skips the steps whose
    gradients overflow."""
    wrapper = build(nn.Linear(3, 1))
    assert training_scalars_of(wrapper).scaler_skips_steps is skips
