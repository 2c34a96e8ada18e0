"""tools/deployment/inference_throughput.py: end to end, model only with
onnxruntime, compiled."""
import json

import pytest

from tests.apis.helpers import TINY_CONFIG
from tests.tools.helpers import REPO_ROOT, load_tool
from vitpose_plugin.apis import init_pose_model
from vitpose_plugin.deployment import export_onnx


def measurements(capsys) -> list:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()
            if line.startswith('{')]


def test_end_to_end_counts_every_annotated_person(capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    tool = load_tool('inference_throughput', 'deployment')
    assert tool.main([TINY_CONFIG, '--warmup', '0', '--repeats', '2']) == 0
    # Eager compilation (dynamo without inductor's C++ build: seconds).
    assert tool.main([TINY_CONFIG, '--warmup', '0', '--repeats', '1',
                      '--compile', '--compile-backend', 'eager',
                      '--no-flip']) == 0
    plain, compiled = measurements(capsys)
    # data/sample_coco/test_coco.json: 14 persons on 4 images.
    assert (plain['images'], plain['persons']) == (8, 28)
    assert plain['flip_test'] and plain['compile'] is False
    assert plain['persons_per_s'] > 0
    assert compiled['compile'] == 'eager' and not compiled['flip_test']
    assert compiled['persons'] == 14


def test_model_only_pytorch_and_onnxruntime(capsys, tmp_path):
    tool = load_tool('inference_throughput', 'deployment')
    onnx_file = str(tmp_path / 'tiny.onnx')
    export_onnx(init_pose_model(TINY_CONFIG), onnx_file)
    assert tool.main([TINY_CONFIG, '--model-only', '--batch-size', '3',
                      '--onnx', onnx_file, '--repeats', '2']) == 0
    pytorch, onnxruntime = measurements(capsys)
    assert (pytorch['backend'], onnxruntime['backend']) == ('pytorch',
                                                            'onnxruntime')
    assert pytorch['batch_size'] == onnxruntime['batch_size'] == 3
    assert pytorch['img_per_s'] > 0 and onnxruntime['img_per_s'] > 0


def test_bad_arguments(tmp_path):
    tool = load_tool('inference_throughput', 'deployment')
    with pytest.raises(SystemExit):
        tool.main([TINY_CONFIG, '--onnx', 'x.onnx'])
    with pytest.raises(FileNotFoundError, match='no annotation file'):
        tool.main([TINY_CONFIG, '--ann', str(tmp_path / 'absent.json')])
    with pytest.raises(FileNotFoundError, match='no ONNX model'):
        tool.main([TINY_CONFIG, '--model-only', '--onnx',
                   str(tmp_path / 'absent.onnx')])
