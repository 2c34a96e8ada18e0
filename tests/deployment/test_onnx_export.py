"""ONNX export: onnxruntime matches PyTorch within 1e-4 (fp32) on random
weights, for every size, both decoders (heads), the windowed attention
types, both codecs' in-graph decoding (UDP, MSRA) and a model split from a
multi-dataset checkpoint."""
import os
import os.path as osp

import numpy as np
import onnx
import pytest
import torch
from mmengine.config import Config

from tests.apis.helpers import (REPO_ROOT, TINY_CONFIG, TINY_MULTI_CONFIG,
                                shrink)
from vitpose_plugin.apis import init_pose_model, split_model
from vitpose_plugin.checkpoints import save_checkpoint
from vitpose_plugin.checkpoints.cli import main as checkpoints_cli
from vitpose_plugin.deployment import (compare_with_onnxruntime, export_onnx,
                                       onnx_session)
from vitpose_plugin.deployment.onnx_export import _one_external_data_file

COCO = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint', 'topdown_heatmap',
                'coco')
ATTENTION = ['s8-win8x8', 's8-win8x8-shift', 's8-win8x8-pool',
             's8-win8x8-shift-pool', 's8-win16x12']


def coco_config(name: str) -> str:
    return osp.join(COCO, f'td-hm_ViTPose-{name}_8xb64-210e_coco-256x192.py')


def assert_parity(model: torch.nn.Module, path: str, export_batch: int,
                  run_batch: int, **kwargs) -> dict:
    """Export at ``export_batch``, run onnxruntime at ``run_batch``."""
    torch.manual_seed(0)
    wrapper = export_onnx(model, path, batch_size=export_batch, **kwargs)
    diffs = compare_with_onnxruntime(wrapper, path, batch_size=run_batch)
    assert diffs['heatmaps'] < 1e-4, diffs
    return diffs


@pytest.mark.parametrize('name', ['small-simple', 'base'])
def test_parity_small_and_base(name, tmp_path):
    """Real architectures (ViTPose-S with the simple decoder, ViTPose-B with
    the classic one); traced at batch 1, run at batch 2."""
    model = init_pose_model(coco_config(name))
    assert_parity(model, str(tmp_path / 'model.onnx'), 1, 2)


@pytest.mark.slow
@pytest.mark.parametrize('name', ['large', 'huge-simple'])
def test_parity_large_and_huge(name, tmp_path):
    """ViTPose-L (classic decoder) and ViTPose-H (simple decoder, 2.5 GB:
    weights in one external data file), real architectures, batch 1."""
    model = init_pose_model(coco_config(name))
    path = str(tmp_path / 'model.onnx')
    assert_parity(model, path, 1, 1)
    del model
    written = ['model.onnx', 'model.onnx.data'] if name == 'huge-simple' \
        else ['model.onnx']
    assert sorted(os.listdir(tmp_path)) == written


@pytest.mark.parametrize('variant', ATTENTION)
def test_parity_window_attention(variant, tmp_path):
    """Window / shifted / pooled attention at 256x192 (a 16x12 token grid
    that 8x8 windows do not divide: padding masks, gather indices and
    pooling matrices in the graph), on a narrow 2-block backbone."""
    config = osp.join(
        COCO, 'attention',
        f'td-hm_ViTPose-base-{variant}_8xb64-210e_coco-256x192.py')
    model = init_pose_model(shrink(Config.fromfile(config), width=64))
    assert_parity(model, str(tmp_path / 'model.onnx'), 2, 3)


def test_dynamo_exporter_window_attention_and_decoding(tmp_path):
    """torch.export-based export: shifted pooled windows, UDP decoding,
    dynamic batch."""
    config = osp.join(
        COCO, 'attention',
        'td-hm_ViTPose-base-s8-win8x8-shift-pool_8xb64-210e_coco-256x192.py')
    model = init_pose_model(shrink(Config.fromfile(config), width=64))
    path = str(tmp_path / 'model.onnx')
    assert_parity(model, path, 2, 3, decode=True, dynamo=True, opset=18)
    graph = onnx.load(path).graph
    assert [o.name for o in graph.output] == ['heatmaps', 'keypoints',
                                              'scores']
    # the weights, moved into place with the model from its temporary folder
    assert sorted(os.listdir(tmp_path)) == ['model.onnx', 'model.onnx.data']
    with pytest.raises(ValueError, match='opset >= 18'):
        export_onnx(model, path, dynamo=True, opset=17)


def test_decoded_outputs_names_and_fp16(tmp_path):
    model = init_pose_model(TINY_CONFIG)
    path = str(tmp_path / 'model.onnx')
    diffs = assert_parity(model, path, 1, 2, decode=True, opset=14)
    graph = onnx.load(path).graph
    assert [i.name for i in graph.input] == ['crops']
    assert [o.name for o in graph.output] == ['heatmaps', 'keypoints',
                                              'scores']
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
    assert diffs['scores'] < 1e-4
    half = str(tmp_path / 'half.onnx')
    wrapper = export_onnx(model, half, fp16=True)
    assert any(t.data_type == onnx.TensorProto.FLOAT16
               for t in onnx.load(half).graph.initializer)
    assert compare_with_onnxruntime(wrapper, half)['heatmaps'] < 1e-2
    # fp16 copy: the model itself stays float32.
    assert next(model.parameters()).dtype == torch.float32


def test_msra_config_exports_its_decoding(tmp_path):
    """An MSRA-heatmap config (AIC, shrunk) exports with in-graph decoding
    of its codec: keypoints and scores as onnxruntime gives them."""
    config = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint',
                      'topdown_heatmap', 'aic',
                      'td-hm_ViTPose-base_8xb64-210e_aic-256x192.py')
    model = init_pose_model(shrink(Config.fromfile(config)))
    assert model.head.decoder.__class__.__name__ == 'ViTPoseMSRAHeatmap'
    path = str(tmp_path / 'model.onnx')
    diffs = assert_parity(model, path, 1, 2, decode=True)
    assert diffs['keypoints'] < 1e-3 and diffs['scores'] < 1e-4
    assert [o.name for o in onnx.load(path).graph.output] == [
        'heatmaps', 'keypoints', 'scores']


def test_static_batch_and_bad_opset(tmp_path):
    model = init_pose_model(TINY_CONFIG)
    path = str(tmp_path / 'model.onnx')
    export_onnx(model, path, batch_size=2, dynamic_batch=False)
    assert onnx_session(path).get_inputs()[0].shape == [2, 3, 128, 96]
    with pytest.raises(ValueError, match='opset must be in'):
        export_onnx(model, path, opset=11)


def test_model_split_from_multi_dataset_checkpoint(tmp_path):
    """A ViTPose++ (experts) checkpoint, split into its 'aic' model with
    the checkpoint CLI, exports with the single-dataset config and predicts
    what the multi-dataset model predicts for aic."""
    torch.manual_seed(0)
    multi = init_pose_model(TINY_MULTI_CONFIG, dataset='aic')
    source = str(tmp_path / 'multi.pth')
    save_checkpoint(multi.state_dict(), source)
    single = str(tmp_path / 'aic.pth')
    # The CLI in-process (its `python -m` entry: tests/checkpoints/
    # test_cli.py); a subprocess would only add the imports' start-up.
    assert checkpoints_cli(['split', source, single, '--name', 'aic']) == 0
    config = osp.join(osp.dirname(TINY_CONFIG),
                      'td-hm_ViTPose-tiny_synthetic-aic-128x96.py')
    model = init_pose_model(config, single)
    # The same model, split in memory (pytorch2onnx.py --dataset).
    in_memory = split_model(multi, 'aic').state_dict()
    assert in_memory.keys() == model.state_dict().keys()
    for key, value in model.state_dict().items():
        torch.testing.assert_close(in_memory[key], value, rtol=0, atol=0)
    path = str(tmp_path / 'aic.onnx')
    assert_parity(model, path, 1, 2)
    crops = torch.rand(3, 3, 128, 96) * 255
    inputs = (crops.flip(1) - multi.data_preprocessor.mean) / \
        multi.data_preprocessor.std
    with torch.no_grad():
        expected = multi(inputs, None, mode='tensor')['aic']
    [heatmaps] = onnx_session(path).run(None, {'crops': crops.numpy()})
    np.testing.assert_allclose(heatmaps, expected.numpy(), atol=1e-4)


def test_export_replaces_the_file_only_when_complete(tmp_path, monkeypatch):
    """The export goes to a temporary folder beside the output: a failing
    exporter leaves the old file and nothing else; a complete export
    replaces it."""
    model = init_pose_model(TINY_CONFIG)
    path = tmp_path / 'model.onnx'
    path.write_bytes(b'the old model')
    export = torch.onnx.export

    def failing_export(module, args, f, **kwargs):
        with open(f, 'wb') as file:
            file.write(b'half a model')
        raise RuntimeError('exporter failed')

    monkeypatch.setattr(torch.onnx, 'export', failing_export)
    with pytest.raises(RuntimeError, match='exporter failed'):
        export_onnx(model, str(path))
    assert path.read_bytes() == b'the old model'
    assert os.listdir(tmp_path) == ['model.onnx']
    monkeypatch.setattr(torch.onnx, 'export', export)
    export_onnx(model, str(path))
    assert onnx_session(str(path)).get_inputs()[0].name == 'crops'
    assert os.listdir(tmp_path) == ['model.onnx']


def test_per_tensor_external_data_is_gathered_in_one_file(tmp_path):
    """Models over 2 GB: the TorchScript exporter's one file per tensor
    becomes ``<output>.data``, the only file an export writes besides the
    model."""
    model = init_pose_model(TINY_CONFIG)
    single = str(tmp_path / 'single.onnx')
    wrapper = export_onnx(model, single)
    folder = tmp_path / 'stage'
    folder.mkdir()
    path = str(folder / 'model.onnx')
    onnx.save_model(onnx.load(single), path, save_as_external_data=True,
                    all_tensors_to_one_file=False, size_threshold=0)
    assert len(os.listdir(folder)) > 2
    _one_external_data_file(path)
    assert sorted(os.listdir(folder)) == ['model.onnx', 'model.onnx.data']
    assert compare_with_onnxruntime(wrapper, path)['heatmaps'] < 1e-4
