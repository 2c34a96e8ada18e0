import pytest
import torch
from mmengine.optim import OptimWrapper
from torch import nn

from vitpose_plugin.engine import ViTPoseAmpOptimWrapper, ViTPoseOptimWrapper


def model_and_loss(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    data = torch.randn(32, 8)
    return model, lambda m: (m(data) ** 2).mean() * 100


def test_clip_equals_mmengine_and_keeps_the_norm_on_the_device():
    ours_model, loss = model_and_loss()
    ref_model, _ = model_and_loss()
    ours = ViTPoseOptimWrapper(
        optimizer=torch.optim.AdamW(ours_model.parameters(), lr=0.1),
        clip_grad=dict(max_norm=1.0))
    ref = OptimWrapper(
        optimizer=torch.optim.AdamW(ref_model.parameters(), lr=0.1),
        clip_grad=dict(max_norm=1.0))
    for _ in range(3):
        ours.update_params(loss(ours_model))
        ref.update_params(loss(ref_model))
        norm = ours.pending_grad_norm
        assert isinstance(norm, torch.Tensor) and norm.shape == ()
        assert norm.item() == pytest.approx(
            ref.message_hub.get_scalar('train/grad_norm').current())
    for a, b in zip(ours_model.parameters(), ref_model.parameters()):
        torch.testing.assert_close(a, b)


def test_bf16_autocast_without_scaler():
    model, loss = model_and_loss()
    wrapper = ViTPoseAmpOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.1),
        clip_grad=dict(max_norm=1.0))
    assert wrapper.loss_scaler is None
    with wrapper.optim_context(model):
        assert torch.is_autocast_enabled('cpu')
        assert model[0](torch.randn(2, 8)).dtype == torch.bfloat16
        value = loss(model)
    before = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(value)
    assert all(not torch.equal(a, b)
               for a, b in zip(before, model.parameters()))
    assert 'loss_scaler' not in wrapper.state_dict()


def test_float16_scaler_state_round_trip():
    model, loss = model_and_loss()
    wrapper = ViTPoseAmpOptimWrapper(
        dtype='float16',
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.1))
    assert isinstance(wrapper.loss_scaler, torch.amp.GradScaler)
    with wrapper.optim_context(model):
        value = loss(model)
    wrapper.update_params(value.float())
    state = wrapper.state_dict()
    assert 'loss_scaler' in state
    other_model, _ = model_and_loss()
    other = ViTPoseAmpOptimWrapper(
        dtype='float16',
        optimizer=torch.optim.AdamW(other_model.parameters(), lr=0.1))
    other.load_state_dict(state)
    assert other.loss_scaler.get_scale() == wrapper.loss_scaler.get_scale()


@pytest.mark.parametrize('kwargs, error', [
    (dict(dtype='float32'), ValueError),
    (dict(loss_scale='fixed'), TypeError),
])
def test_bad_settings(kwargs, error):
    model, _ = model_and_loss()
    with pytest.raises(error):
        ViTPoseAmpOptimWrapper(
            optimizer=torch.optim.AdamW(model.parameters()), **kwargs)
