"""tools/deployment/pytorch2onnx.py from the command line."""
import subprocess
import sys

import onnx

from tests.apis.helpers import TINY_CONFIG, TINY_MULTI_CONFIG
from tests.tools.helpers import REPO_ROOT, run, tool_env
from vitpose_plugin.apis import init_pose_model
from vitpose_plugin.checkpoints import save_checkpoint

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


def test_multi_dataset_model_asks_for_a_split(tmp_path):
    checkpoint = str(tmp_path / 'multi.pth')
    save_checkpoint(
        init_pose_model(TINY_MULTI_CONFIG, dataset='coco').state_dict(),
        checkpoint)
    proc = subprocess.run(
        [sys.executable, TOOL, TINY_MULTI_CONFIG, checkpoint, '--output',
         str(tmp_path / 'm.onnx')], cwd=REPO_ROOT, env=tool_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=300)
    assert proc.returncode != 0
    assert 'multi-dataset model with heads' in proc.stdout
    assert 'vitpose_plugin.checkpoints split' in proc.stdout
