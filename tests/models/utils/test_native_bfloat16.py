import sys

import pytest
import torch

from vitpose_plugin.models.utils import native_bfloat16


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='reads /proc/cpuinfo')
def test_cpu_answer_agrees_with_the_cpu_flags():
    with open('/proc/cpuinfo') as f:
        flags = set(
            next(line for line in f if line.startswith('flags')).split())
    expected = bool({'amx_tile', 'avx512_bf16'} & flags)
    native, reason = native_bfloat16(torch.device('cpu'))
    assert native == expected
    if 'amx_tile' in flags:
        assert 'AMX' in reason
    if not expected:
        assert reason == 'the CPU has neither AMX nor AVX512-BF16'


def test_other_devices_are_not_assumed_native():
    native, reason = native_bfloat16(torch.device('meta'))
    assert not native
    assert "'meta'" in reason
