import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from torch import nn

from vitpose_plugin.engine import ViTPoseAmpOptimWrapper, ViTPoseOptimWrapper

from ...tools.helpers import load_tool


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
        norm = ours.training_scalars.grad_norm
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


def adamw(model, fused=False):
    return torch.optim.AdamW(model.parameters(), lr=0.1, fused=fused)


def test_grad_norm_without_clipping_is_the_total_norm():
    model, loss = model_and_loss()
    ref_model, _ = model_and_loss()
    wrapper = ViTPoseOptimWrapper(optimizer=adamw(model))
    ref = OptimWrapper(optimizer=adamw(ref_model))
    value = loss(model)
    value.backward(retain_graph=True)
    expected = torch.linalg.vector_norm(torch.stack(
        [p.grad.norm() for p in model.parameters()]))
    wrapper.zero_grad()
    wrapper.update_params(value)
    ref.update_params(loss(ref_model))
    torch.testing.assert_close(wrapper.training_scalars.grad_norm, expected)
    for a, b in zip(model.parameters(), ref_model.parameters()):
        torch.testing.assert_close(a, b)  # measured, not clipped


def bad_step(wrapper, model, what):
    """One update with a NaN loss, or a finite loss and an inf gradient."""
    if what == 'loss':
        wrapper.update_params((model(torch.randn(4, 8)) * float('nan')).mean())
        return
    handle = model[0].weight.register_hook(lambda grad: grad * float('inf'))
    wrapper.update_params((model(torch.randn(4, 8)) ** 2).mean())
    handle.remove()


@pytest.mark.parametrize('what', ['loss', 'grad'])
@pytest.mark.parametrize('clip', [None, dict(max_norm=1.0)])
def test_skip_leaves_weights_and_optimizer_state_as_before(what, clip):
    """Steps 1, bad, 3 == steps 1, 3: parameters, AdamW moments and step
    count; the skipped step is counted in the message hub."""
    model, loss = model_and_loss()
    ref_model, _ = model_and_loss()
    wrapper = ViTPoseOptimWrapper(optimizer=adamw(model), clip_grad=clip,
                                  nonfinite='skip')
    wrapper.message_hub = MessageHub.get_instance(f'skip-{what}-{clip}')
    wrapper.message_hub.update_info('iter', 6)
    ref = ViTPoseOptimWrapper(optimizer=adamw(ref_model), clip_grad=clip)
    for _ in range(2):
        wrapper.update_params(loss(model))
        ref.update_params(loss(ref_model))
    bad_step(wrapper, model, what)
    # logged as is
    assert not torch.isfinite(wrapper.training_scalars.grad_norm)
    for _ in range(2):
        wrapper.update_params(loss(model))
        ref.update_params(loss(ref_model))
    for a, b in zip(model.parameters(), ref_model.parameters()):
        assert torch.isfinite(a).all()
        assert torch.equal(a, b)
    for state, ref_state in zip(wrapper.optimizer.state.values(),
                                ref.optimizer.state.values()):
        for key in ('step', 'exp_avg', 'exp_avg_sq'):
            assert torch.equal(state[key], ref_state[key]), key
    assert wrapper.message_hub.get_scalar(
        'train/skipped_steps').current() == 1
    # 1-based, as in the log
    assert wrapper.training_scalars.skipped_iters == [7]


def test_error_mode_applies_the_step():
    """The default mode leaves the decision to ViTPoseNonFiniteLossHook."""
    model, _ = model_and_loss()
    wrapper = ViTPoseOptimWrapper(optimizer=adamw(model))
    bad_step(wrapper, model, 'loss')
    assert not torch.isfinite(model[0].weight).all()
    assert wrapper.training_scalars.skipped_iters == []


@pytest.mark.parametrize('mode, syncs', [('error', 0), ('skip', 1)])
@pytest.mark.parametrize('clip', [None, dict(max_norm=1.0)])
def test_host_syncs_per_step(mode, syncs, clip):
    """No host read in the default mode (the norm stays on the device); one
    per step when skipping non-finite steps."""
    model, loss = model_and_loss()
    wrapper = ViTPoseOptimWrapper(optimizer=adamw(model, fused=True),
                                  clip_grad=clip, nonfinite=mode)
    value = loss(model)
    counter = load_tool('train_throughput', 'analysis') \
        .HostDeviceTrafficCounter('cpu')
    with counter:
        wrapper.update_params(value)
    assert counter.total_syncs == syncs, dict(counter.syncs)


def test_nonfinite_settings_are_validated():
    model, _ = model_and_loss()
    with pytest.raises(ValueError, match="nonfinite must be one of"):
        ViTPoseOptimWrapper(optimizer=adamw(model), nonfinite='ignore')
    with pytest.raises(ValueError, match='GradScaler already skips'):
        ViTPoseAmpOptimWrapper(dtype='float16', optimizer=adamw(model),
                               nonfinite='skip')
    wrapper = ViTPoseAmpOptimWrapper(optimizer=adamw(model), nonfinite='skip')
    assert wrapper.loss_scaler is None  # bfloat16: skipping is ours


def test_bf16_skip():
    model, loss = model_and_loss()
    wrapper = ViTPoseAmpOptimWrapper(optimizer=adamw(model), nonfinite='skip')
    wrapper.message_hub = MessageHub.get_instance('bf16-skip')
    before = [p.detach().clone() for p in model.parameters()]
    with wrapper.optim_context(model):
        value = loss(model) * float('nan')
    wrapper.update_params(value)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def _skip_on_one_rank(rank, init_file, out_dir):
    torch.distributed.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    model, loss = model_and_loss()
    wrapper = ViTPoseOptimWrapper(optimizer=adamw(model), nonfinite='skip')
    wrapper.message_hub = MessageHub.get_instance(f'dist-skip-{rank}')
    for step in range(3):
        wrapper.message_hub.update_info('iter', step)
        value = loss(model)
        if step == 1 and rank == 1:  # rank 0's loss and gradients are finite
            value = value * float('nan')
        wrapper.update_params(value)
    torch.save(dict(params=list(model.parameters()),
                    skipped=wrapper.training_scalars.skipped_iters),
               f'{out_dir}/{rank}.pt')
    torch.distributed.destroy_process_group()


def test_distributed_ranks_skip_the_same_steps(tmp_path):
    """Without DDP's gradient all-reduce only rank 1 sees the NaN; the
    all-reduced flag makes rank 0 skip too, so the replicas stay equal."""
    torch.multiprocessing.spawn(
        _skip_on_one_rank, args=(str(tmp_path / 'init'), str(tmp_path)),
        nprocs=2)
    ranks = [torch.load(tmp_path / f'{rank}.pt') for rank in range(2)]
    assert ranks[0]['skipped'] == ranks[1]['skipped'] == [2]
    for a, b in zip(ranks[0]['params'], ranks[1]['params']):
        assert torch.equal(a, b)
