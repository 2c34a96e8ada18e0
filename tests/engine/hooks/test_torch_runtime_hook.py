from unittest.mock import MagicMock

import pytest
import torch
import torch.multiprocessing as torch_mp
from mmpose.registry import HOOKS

import vitpose_plugin  # noqa: F401
from vitpose_plugin.engine.hooks import TorchRuntimeHook


def test_registered_in_mmpose_hooks():
    hook = HOOKS.build(dict(type='TorchRuntimeHook', num_threads=1))
    assert isinstance(hook, TorchRuntimeHook)


def test_applies_settings_for_the_run_and_restores_them():
    threads_before = torch.get_num_threads()
    strategy_before = torch_mp.get_sharing_strategy()
    other = next(s for s in torch_mp.get_all_sharing_strategies()
                 if s != strategy_before)
    wanted_threads = 2 if threads_before == 1 else 1
    hook = TorchRuntimeHook(num_threads=wanted_threads,
                            sharing_strategy=other)
    runner = MagicMock()
    try:
        hook.before_run(runner)
        assert torch.get_num_threads() == wanted_threads
        assert torch_mp.get_sharing_strategy() == other
        runner.logger.info.assert_called_once()
        assert other in runner.logger.info.call_args[0][0]
    finally:
        hook.after_run(runner)
    assert torch.get_num_threads() == threads_before
    assert torch_mp.get_sharing_strategy() == strategy_before


def test_none_keeps_current_settings():
    threads_before = torch.get_num_threads()
    strategy_before = torch_mp.get_sharing_strategy()
    hook = TorchRuntimeHook()
    hook.before_run(MagicMock())
    assert torch.get_num_threads() == threads_before
    assert torch_mp.get_sharing_strategy() == strategy_before
    hook.after_run(MagicMock())


@pytest.mark.parametrize('kwargs, name', [
    (dict(num_threads=0), 'num_threads'),
    (dict(num_threads='2'), 'num_threads'),
    (dict(sharing_strategy='shared_files'), 'sharing_strategy'),
])
def test_bad_values_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        TorchRuntimeHook(**kwargs)
