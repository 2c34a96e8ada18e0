"""ViTPoseExpMomentumEMA: MMPose's ExpMomentumEMA averages, foreach."""
import copy

import pytest
import torch
from mmpose.engine.hooks import ExpMomentumEMA
from torch import nn

from vitpose_plugin.engine import ViTPoseExpMomentumEMA


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
        nn.Linear(4 * 4 * 4, 5))


def _train_steps(model: nn.Module, averages: list, steps: int) -> None:
    generator = torch.Generator().manual_seed(1)
    for _ in range(steps):
        with torch.no_grad():
            for param in model.parameters():
                param.add_(torch.randn(param.shape, generator=generator))
            model[1].running_mean.add_(1.0)
            model[1].num_batches_tracked.add_(1)
        for average in averages:
            average.update_parameters(model)


@pytest.mark.parametrize('update_buffers', [True, False])
@pytest.mark.parametrize('interval', [1, 3])
def test_averages_equal_mmpose_bit_for_bit(update_buffers, interval):
    model = _model()
    kwargs = dict(momentum=0.01, gamma=7, interval=interval,
                  update_buffers=update_buffers)
    mmpose_ema = ExpMomentumEMA(model, **kwargs)
    ours = ViTPoseExpMomentumEMA(model, **kwargs)
    _train_steps(model, [mmpose_ema, ours], steps=12)
    expected = mmpose_ema.state_dict()
    actual = ours.state_dict()
    assert actual.keys() == expected.keys()
    for key in expected:
        torch.testing.assert_close(actual[key], expected[key], rtol=0,
                                   atol=0, msg=key)
    assert int(ours.steps) == 12


def test_resume_reads_the_loaded_step_count():
    """After load_state_dict the momentum follows the loaded ``steps``, as
    MMPose's class does when EMAHook resumes a checkpoint."""
    model = _model()
    reference = ViTPoseExpMomentumEMA(model, momentum=0.01, gamma=7)
    _train_steps(model, [reference], steps=5)
    checkpoint = copy.deepcopy(reference.state_dict())
    mmpose_resumed = ExpMomentumEMA(model, momentum=0.01, gamma=7)
    resumed = ViTPoseExpMomentumEMA(model, momentum=0.01, gamma=7)
    _train_steps(model, [resumed], steps=2)  # its own count is now 2
    mmpose_resumed.load_state_dict(checkpoint)
    resumed.load_state_dict(checkpoint)
    _train_steps(model, [mmpose_resumed, resumed], steps=3)
    assert int(resumed.steps) == 8
    for key, value in mmpose_resumed.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[key], value, rtol=0,
                                   atol=0, msg=key)
