"""ViTPoseNonFiniteLossHook: a NaN loss or gradient injected at iteration 4
of the tiny COCO recipe (3 iterations per epoch, logged every 2) stops
training with an error naming iteration 4 and the term; no checkpoint with
non-finite weights is written; ``nonfinite='skip'`` skips that step."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

import vitpose_plugin  # noqa: F401
from vitpose_plugin.engine import ViTPoseNonFiniteLossHook, ViTPoseRunner

from ..tiny_coco import tiny_coco_config

BAD = 4  # 1-based, as in the log: the first iteration of epoch 2


class Inject(Hook):
    """Makes iteration ``BAD`` non-finite: its backbone output (so every
    loss term and the gradients), its gradients only (finite loss), its
    optimizer step and buffer updates (the reference of skip mode: as if the
    batch was never seen) or, after its step, one weight."""

    priority = 'HIGHEST'

    def __init__(self, what):
        self.what, self.handle = what, None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 != BAD:
            return
        model = runner.model
        if self.what == 'loss':
            self.handle = model.backbone.register_forward_hook(
                lambda module, args, out: tuple(x * float('nan')
                                                for x in out))
        elif self.what == 'grad':
            self.handle = model.head.final_layer.weight.register_hook(
                lambda grad: grad * float('nan'))
        elif self.what == 'no_step':
            runner.optim_wrapper.optimizer.step = lambda *a, **k: None
            self.buffers = [(buffer, buffer.clone())
                            for buffer in model.buffers()]

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 != BAD:
            return
        if self.handle is not None:
            self.handle.remove()
        if self.what == 'no_step':
            del runner.optim_wrapper.optimizer.step
            for buffer, saved in self.buffers:
                buffer.copy_(saved)
        elif self.what == 'weight':
            with torch.no_grad():
                runner.model.head.final_layer.bias[0] = float('inf')


def train(work_dir, what, runtime_info='ViTPoseRuntimeInfoHook',
          checkpoint_every_iter=False, epochs=2, resume=False, **optim):
    cfg = tiny_coco_config(str(work_dir), epochs=epochs, log_interval=2)
    cfg.resume = resume
    cfg.default_hooks.runtime_info = dict(type=runtime_info)
    if runtime_info == 'RuntimeInfoHook':  # mmengine's pair
        cfg.optim_wrapper.type = 'OptimWrapper'
    if checkpoint_every_iter:
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                            by_epoch=False)
    cfg.optim_wrapper.update(optim)
    # ViTPoseRunner (as tools/train.py) reads the checkpoint to resume from
    runner = (ViTPoseRunner if resume else Runner).from_cfg(cfg)
    runner.register_hook(Inject(what))
    runner.train()
    return runner


@pytest.mark.parametrize('runtime_info, detected', [
    ('ViTPoseRuntimeInfoHook', 5),  # read back at the next logged iteration
    ('RuntimeInfoHook', 4),  # mmengine's: every iteration
])
def test_nan_loss_names_the_iteration_and_terms(tmp_path, runtime_info,
                                                detected):
    with pytest.raises(RuntimeError) as error:
        train(tmp_path, 'loss', runtime_info)
    message = str(error.value)
    assert f'iteration {BAD}: loss is nan, loss_kpt is nan, grad_norm is ' \
        'nan. ' in message
    assert f'Training stopped after iteration {detected}' in message
    assert "optim_wrapper.nonfinite='skip'" in message
    assert not glob.glob(osp.join(tmp_path, '*.pth'))


def test_after_resume_the_restored_history_is_not_checked_again(tmp_path):
    """The resumed message hub holds iterations 1-3: the error still names
    iteration 4 exactly (not a range of unknown iterations)."""
    train(tmp_path, None, epochs=1)
    with pytest.raises(RuntimeError) as error:
        train(tmp_path, 'loss', resume=True)
    assert f'iteration {BAD}: loss is nan' in str(error.value)
    assert 'Resume from the last checkpoint, ' \
        f'{osp.join(tmp_path, "epoch_1.pth")},' in str(error.value)


@pytest.mark.parametrize('clip', [True, False])
def test_nan_gradient_with_finite_loss_is_named_grad_norm(tmp_path, clip):
    """With or without clip_grad (then ViTPoseOptimWrapper measures the norm
    for the check)."""
    with pytest.raises(RuntimeError,
                       match=rf'iteration {BAD}: grad_norm is nan \(loss '
                       r'0\.\d+, loss_kpt 0\.\d+\)\. '):
        train(tmp_path, 'grad', **({} if clip else dict(clip_grad=None)))


def checkpoints(work_dir):
    found = {}
    for path in glob.glob(osp.join(work_dir, 'iter_*.pth')):
        state = torch.load(path, map_location='cpu', weights_only=False)
        assert all(torch.isfinite(value).all()
                   for value in state['state_dict'].values())
        found[int(osp.basename(path)[5:-4])] = state
    return sorted(found)


@pytest.mark.parametrize('what, message', [
    # ViTPoseRuntimeInfoHook writes the pending losses to the hub before a
    # save, so the check names the iteration and the term (the weights check
    # would refuse the checkpoint anyway)
    ('loss', f'iteration {BAD}: loss is nan|after iteration {BAD}: state'),
    # finite loss and gradients, corrupted weights: the weights check
    ('weight', f'not saving the checkpoint after iteration {BAD}: state_dict '
     "'head.final_layer.bias' is not finite"),
])
def test_no_checkpoint_with_nonfinite_weights(tmp_path, what, message):
    """A checkpoint after every iteration: those of iterations 1-3 are
    written, the one of the bad iteration is not."""
    with pytest.raises(RuntimeError, match=message):
        train(tmp_path, what, checkpoint_every_iter=True)
    assert checkpoints(tmp_path) == [1, 2, 3]
    assert open(osp.join(tmp_path, 'last_checkpoint')).read().endswith(
        'iter_3.pth')


def test_checkpoint_check_without_training(tmp_path):
    class FakeRunner:
        work_dir = str(tmp_path)
    checkpoint = dict(meta=dict(iter=7), state_dict=dict(
        a=torch.zeros(2), step=torch.tensor(3),
        b=torch.tensor([1.0, float('nan')])))
    with pytest.raises(RuntimeError, match="at iteration 7: state_dict 'b' "
                       r'is not finite \(NaN or inf\)\. Restart training'):
        ViTPoseNonFiniteLossHook().before_save_checkpoint(
            FakeRunner(), checkpoint)


def test_skip_mode_equals_a_run_without_that_step(tmp_path):
    """nonfinite='skip': training goes on; weights, buffers (BatchNorm
    statistics, which the NaN forward corrupted) and AdamW state equal a run
    whose iteration-4 step and buffer updates never happened; the skip is
    counted in the log and the message hub."""
    runner = train(tmp_path / 'skip', 'loss', nonfinite='skip')
    reference = train(tmp_path / 'ref', 'no_step')
    for (name, a), b in zip(runner.model.state_dict().items(),
                            reference.model.state_dict().values()):
        assert torch.isfinite(a).all(), name
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    optimizer = runner.optim_wrapper.optimizer
    for param, ref_param in zip(
            optimizer.param_groups[0]['params'],
            reference.optim_wrapper.optimizer.param_groups[0]['params']):
        state = optimizer.state[param]
        ref_state = reference.optim_wrapper.optimizer.state[ref_param]
        assert state['step'] == ref_state['step'] == 5
        for key in ('exp_avg', 'exp_avg_sq'):
            torch.testing.assert_close(state[key], ref_state[key], rtol=0,
                                       atol=0)
    hub = runner.message_hub
    assert hub.get_scalar('train/skipped_steps').current() == 1
    assert runner.optim_wrapper.training_scalars.skipped_iters == [BAD]
    log = open(osp.join(runner.log_dir, f'{runner.timestamp}.log')).read()
    assert f'iteration {BAD}: non-finite loss or gradient (loss nan, ' \
        'grad_norm nan); the optimizer step was skipped' in log
    assert 'Epoch(train) [2][2/3]' in log and 'skipped_steps: 1' in log


def test_float16_scaler_skips_overflowing_steps_without_error(tmp_path):
    """Under a float16 GradScaler non-finite gradients are the scaler's
    business (it skips the step and lowers its scale): no error."""
    runner = train(tmp_path, 'grad', type='ViTPoseAmpOptimWrapper',
                   dtype='float16')
    scaler = runner.optim_wrapper.loss_scaler
    assert scaler.get_scale() == 2.0**16 * scaler.get_backoff_factor()
    grad_norms = runner.message_hub.get_scalar('train/grad_norm').data[0]
    assert not np.isfinite(grad_norms[BAD - 1])  # logged, not an error
    assert all(torch.isfinite(p).all() for p in runner.model.parameters())
