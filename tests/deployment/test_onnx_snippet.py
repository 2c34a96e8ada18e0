"""The onnxruntime snippet of docs/inference.md reproduces MMPose's
inference_topdown (without flip test) from an exported model."""
import os.path as osp
import re

import numpy as np
import torch
from mmpose.apis import inference_topdown

from tests.apis.helpers import REPO_ROOT, TINY_CONFIG
from vitpose_plugin.apis import init_pose_model
from vitpose_plugin.deployment import export_onnx

DOC = osp.join(REPO_ROOT, 'docs', 'inference.md')


def snippet() -> str:
    with open(DOC) as f:
        text = f.read()
    section = text[text.index('### onnxruntime'):]
    return re.search(r'```python\n(.*?)```', section, re.S).group(1)


def test_snippet_matches_inference_topdown(tmp_path, monkeypatch, capsys):
    torch.manual_seed(0)
    model = init_pose_model(
        TINY_CONFIG, cfg_options={'model.test_cfg.flip_test': False})
    onnx_file = str(tmp_path / 'vitpose.onnx')
    export_onnx(model, onnx_file, decode=True)
    code = snippet()
    assert "'vitpose.onnx'" in code
    monkeypatch.chdir(REPO_ROOT)
    scope: dict = {}
    exec(compile(code.replace("'vitpose.onnx'", repr(onnx_file)), DOC,
                 'exec'), scope)
    [expected] = inference_topdown(model, scope['image'], scope['boxes'])
    # Random weights give flat heatmaps where DARK's Newton step is
    # ill-conditioned: 1e-7 differences between onnxruntime and PyTorch
    # move a few keypoints. Wrong crops or mapping would move them all.
    errors = np.linalg.norm(scope['keypoints'][0] -
                            expected.pred_instances.keypoints[0], axis=-1)
    assert np.median(errors) < 1e-2 and (errors < 0.1).mean() > 0.6, errors
    np.testing.assert_allclose(scope['scores'][0],
                               expected.pred_instances.keypoint_scores[0],
                               atol=1e-4)
    assert '(1, 17, 2) (1, 17)' in capsys.readouterr().out
