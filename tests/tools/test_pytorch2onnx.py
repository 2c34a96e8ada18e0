"""tools/deployment/pytorch2onnx.py from the command line."""
import sys

import numpy as np
import onnx
import pytest

from tests.apis.helpers import TINY_CONFIG, TINY_MULTI_CONFIG
from tests.tools.helpers import REPO_ROOT, load_tool, run
from vitpose_plugin.apis import init_pose_model
from vitpose_plugin.checkpoints import save_checkpoint
from vitpose_plugin.deployment import onnx_session

TOOL = 'tools/deployment/pytorch2onnx.py'


def test_export_with_decoding_is_verified(tmp_path):
    checkpoint = str(tmp_path / 'tiny.pth')
    save_checkpoint(init_pose_model(TINY_CONFIG).state_dict(), checkpoint)
    output = str(tmp_path / 'out' / 'tiny.onnx')
    proc = run([sys.executable, TOOL, TINY_CONFIG, checkpoint, '--output',
                output, '--decode', '--opset', '16', '--batch-size', '2'],
               cwd=REPO_ROOT, timeout=300)
    assert 'onnxruntime vs PyTorch, batch 3: max |diff| heatmaps' in \
        proc.stdout
    model = onnx.load(output)
    assert model.opset_import[0].version == 16
    assert [o.name for o in model.graph.output] == ['heatmaps', 'keypoints',
                                                    'scores']


@pytest.mark.slow  # an end-to-end tool run of 15-25 s
def test_dynamo_with_the_tool_defaults(tmp_path):
    """--dynamo alone (default opset, batch 1, dynamic batch): the opset
    defaults to 18 for dynamo, the check runs at another batch than the
    traced one, and the graph runs at batch 1 and 3."""
    checkpoint = str(tmp_path / 'tiny.pth')
    save_checkpoint(init_pose_model(TINY_CONFIG).state_dict(), checkpoint)
    output = str(tmp_path / 'tiny.onnx')
    proc = run([sys.executable, TOOL, TINY_CONFIG, checkpoint, '--output',
                output, '--dynamo'],
               cwd=REPO_ROOT, timeout=300)
    assert '(opset 18, dynamic batch, fp32)' in proc.stdout
    assert 'onnxruntime vs PyTorch, batch 3: max |diff| heatmaps' in \
        proc.stdout
    assert onnx.load(output).opset_import[0].version == 18
    session = onnx_session(output)
    for batch in (1, 3):
        crops = np.random.default_rng(batch).uniform(
            0, 255, (batch, 3, 128, 96)).astype(np.float32)
        [heatmaps] = session.run(None, {'crops': crops})
        assert heatmaps.shape == (batch, 17, 32, 24)
    tool = load_tool('pytorch2onnx', 'deployment')
    assert '17 for TorchScript, 18 with --dynamo' in ' '.join(
        tool.build_parser().format_help().split())


def test_multi_dataset_model_asks_for_a_split(tmp_path):
    tool = load_tool('pytorch2onnx', 'deployment')
    checkpoint = str(tmp_path / 'multi.pth')
    save_checkpoint(
        init_pose_model(TINY_MULTI_CONFIG, dataset='coco').state_dict(),
        checkpoint)
    with pytest.raises(ValueError, match='multi-dataset model with heads.*'
                       'vitpose_plugin.checkpoints split'):
        tool.main([TINY_MULTI_CONFIG, checkpoint, '--output',
                   str(tmp_path / 'm.onnx')])
    with pytest.raises(ValueError, match='split_model.*--dataset DATASET'):
        tool.main([TINY_MULTI_CONFIG, checkpoint, '--output',
                   str(tmp_path / 'm.onnx'), '--cfg-options',
                   'model.test_cfg.dataset=coco'])
    # --dataset: that dataset's plain model, verified by onnxruntime.
    output = str(tmp_path / 'mpii.onnx')
    assert tool.main([TINY_MULTI_CONFIG, checkpoint, '--output', output,
                      '--dataset', 'mpii']) == 0
    assert onnx.load(output).graph.output[0].type.tensor_type.shape.dim[
        1].dim_value == 16


def test_existing_output_is_refused_unless_force(tmp_path, capsys):
    """An existing --output is refused before the model is loaded and left
    as it was; with --force it is replaced (through a temporary folder that
    does not stay); an output that is an input is refused even then."""
    tool = load_tool('pytorch2onnx', 'deployment')
    output = tmp_path / 'tiny.onnx'
    output.write_bytes(b'the user\'s file')
    missing = str(tmp_path / 'not-loaded.pth')  # loading it would fail
    assert tool.main([TINY_CONFIG, missing, '--output', str(output)]) == 1
    assert f'--output {output} exists' in capsys.readouterr().err
    assert output.read_bytes() == b'the user\'s file'
    data = tmp_path / 'tiny.onnx.data'
    data.write_bytes(b'another file')
    assert tool.main([TINY_CONFIG, missing, '--output', str(output)]) == 1
    assert data.read_bytes() == b'another file'

    checkpoint = str(tmp_path / 'tiny.pth')
    save_checkpoint(init_pose_model(TINY_CONFIG).state_dict(), checkpoint)
    assert tool.main([TINY_CONFIG, checkpoint, '--output', str(output),
                      '--force']) == 0
    assert [o.name for o in onnx.load(str(output)).graph.output] == \
        ['heatmaps']
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ['tiny.onnx', 'tiny.onnx.data', 'tiny.pth']
    assert tool.main([TINY_CONFIG, checkpoint, '--output', checkpoint,
                      '--force']) == 1
    assert 'is the input file' in capsys.readouterr().err
