"""The shared head behaviour: bfloat16 autocast of the decoder layers."""
import logging

import pytest
import torch
from mmengine.logging import MMLogger

from vitpose_plugin.models import ViTPoseClassicHead, ViTPoseSimpleHead
from vitpose_plugin.models.heads import base_heatmap_head
from vitpose_plugin.models.utils import native_bfloat16

CODEC = dict(
    type='UDPHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
NATIVE = native_bfloat16(torch.device('cpu'))[0]


class _Records(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def log_messages():
    logger = MMLogger.get_instance('test_base_heatmap_head')
    handler = _Records()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def make_head(kind, **kwargs):
    if kind == 'classic':
        head = ViTPoseClassicHead(
            in_channels=32, out_channels=17, decoder=CODEC,
            deconv_out_channels=(16, 16), **kwargs)
        inner = head.deconv_layers[0]
    else:
        head = ViTPoseSimpleHead(
            in_channels=32, out_channels=17, decoder=CODEC, **kwargs)
        inner = head.final_layer
    head.init_weights()
    dtypes = []
    inner.register_forward_hook(lambda m, i, out: dtypes.append(out.dtype))
    return head, dtypes


@pytest.mark.parametrize('kind', ['classic', 'simple'])
def test_bfloat16_layers_train_where_the_cpu_computes_it(kind, log_messages):
    torch.manual_seed(0)
    head, dtypes = make_head(kind, autocast_dtype='bfloat16')
    reference, _ = make_head(kind)
    reference.load_state_dict(head.state_dict())
    feature = torch.randn(2, 32, 8, 6, requires_grad=True)

    heatmaps = head((feature, ))
    assert dtypes == [torch.bfloat16 if NATIVE else torch.float32]
    assert heatmaps.dtype == torch.float32
    expected = reference((feature, ))
    scale = expected.abs().max()
    assert (heatmaps - expected).abs().max() <= 0.02 * scale
    heatmaps.square().sum().backward()
    assert all(p.grad.dtype == torch.float32 for p in head.parameters()
               if p.grad is not None)
    assert feature.grad is not None and feature.grad.dtype == torch.float32

    # Decided and logged once per device type.
    head((feature, ))
    said = [m for m in log_messages if 'decoder layers train in' in m]
    expected_mode = 'bfloat16 autocast' if NATIVE else 'float32'
    assert said == [
        f'{type(head).__name__}: decoder layers train in {expected_mode} '
        f'on cpu ({native_bfloat16(torch.device("cpu"))[1]})'
    ]


def test_evaluation_and_the_default_stay_float32():
    head, dtypes = make_head('classic', autocast_dtype='bfloat16')
    head.eval()
    with torch.no_grad():
        head((torch.randn(1, 32, 8, 6), ))
    default, default_dtypes = make_head('classic')
    default((torch.randn(1, 32, 8, 6), ))
    assert dtypes == default_dtypes == [torch.float32]


def test_emulating_devices_fall_back_to_float32(monkeypatch, log_messages):
    monkeypatch.setattr(base_heatmap_head, 'native_bfloat16',
                        lambda device: (False, 'the CPU emulates it'))
    head, dtypes = make_head('classic', autocast_dtype='bfloat16')
    head((torch.randn(1, 32, 8, 6), ))
    assert dtypes == [torch.float32]
    assert any('train in float32 on cpu (the CPU emulates it)' in m
               for m in log_messages)


def test_unknown_autocast_dtype_is_a_clear_error():
    with pytest.raises(ValueError, match="autocast_dtype must be None or "
                       "'bfloat16', got 'float16'"):
        make_head('classic', autocast_dtype='float16')
