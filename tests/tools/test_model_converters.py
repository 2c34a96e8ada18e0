"""tools/model_converters/*.py: convert, then load with load_from; no
script writes over a file unasked."""
import glob
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from vitpose_plugin.engine import ViTPoseRunner
from mmengine.runner.checkpoint import load_checkpoint

from ..checkpoints.reference_models import (
    DECONV, DEPTH, HEADS, WIDTH, build_mmpose_vitpose, build_plugin_model,
    mae_facebook_from_mmpretrain, mae_reference_features, official_forward,
    random_mae_mmpretrain_state_dict, random_official_state_dict)
from .helpers import REPO_ROOT, load_tool, run

CONVERTERS = osp.join(REPO_ROOT, 'tools', 'model_converters')


def converter(name: str):
    """A tools/model_converters script, imported."""
    return load_tool(name, 'model_converters')


def save_mmpose_checkpoint(model, path: str) -> None:
    # Like a published MMPose 1.x file: numpy arrays in meta (on the
    # allow-list of the safe loader).
    meta = dict(dataset_meta=dict(sigmas=np.ones(17, dtype=np.float32)))
    torch.save(dict(state_dict=model.state_dict(), meta=meta), path)


@pytest.mark.parametrize('head', ['classic', 'simple'])
def test_mmpose_checkpoint_gives_identical_heatmaps(head, tmp_path, capsys):
    mmpose_model = build_mmpose_vitpose(head)
    src, dst = str(tmp_path / 'mmpose.pth'), str(tmp_path / 'plugin.pth')
    save_mmpose_checkpoint(mmpose_model, src)
    assert converter('mmpose_vitpose_to_plugin').main([src, dst]) == 0
    printed = capsys.readouterr().out
    assert 'mmpose_vitpose layout' in printed
    assert f'{head} decoder with 17 keypoints' in printed

    model = build_plugin_model(head)
    load_checkpoint(model, dst, strict=True)
    images = torch.rand(2, 3, 256, 192)
    with torch.no_grad():
        expected = mmpose_model(images, None, mode='tensor')
        ours = model(images, None, mode='tensor')
    assert ours.shape == expected.shape == (2, 17, 64, 48)
    assert expected.abs().mean() > 0.1
    assert (ours - expected).abs().max() < 1e-4


def test_cli_output_loads_through_the_runner_load_from(tmp_path, repo_root,
                                                       sample_config):
    mmpose_model = build_mmpose_vitpose('classic')
    src, dst = str(tmp_path / 'mmpose.pth'), str(tmp_path / 'plugin.pth')
    save_mmpose_checkpoint(mmpose_model, src)
    proc = run([
        sys.executable,
        osp.join(CONVERTERS, 'mmpose_vitpose_to_plugin.py'), src, dst
    ],
               cwd=str(tmp_path),
               timeout=120)
    num_tensors = len(build_plugin_model().state_dict())
    assert f'saved {num_tensors} tensors to {dst}' in proc.stdout
    # Plain-typed meta: the file loads without unpickling arbitrary objects.
    saved = torch.load(dst, weights_only=True)
    assert saved['meta']['converted_from'] == 'mmpose_vitpose'

    cfg = Config.fromfile(sample_config)
    cfg.merge_from_dict({  # as --cfg-options would
        'load_from': dst,
        'work_dir': str(tmp_path / 'work'),
        'model.backbone.arch.embed_dims': WIDTH,
        'model.backbone.arch.depth': DEPTH,
        'model.backbone.arch.num_heads': HEADS,
        'model.head.in_channels': WIDTH,
        'model.head.deconv_out_channels': (DECONV, DECONV),
    })
    runner = ViTPoseRunner.from_cfg(cfg)
    runner.load_or_resume()
    # The runner puts the model on the default device (a GPU where one is
    # visible); the comparison with the CPU reference runs on the CPU.
    model = runner.model.cpu().eval()
    images = torch.rand(1, 3, 256, 192)
    with torch.no_grad():
        difference = (model(images, None, mode='tensor') -
                      mmpose_model(images, None, mode='tensor')).abs().max()
    assert difference < 1e-4


@pytest.mark.parametrize('head', ['classic', 'simple'])
def test_official_converter(head, tmp_path, capsys):
    official = random_official_state_dict(head)
    src, dst = str(tmp_path / 'official.pth'), str(tmp_path / 'plugin.pth')
    torch.save(dict(state_dict=official, meta=dict(epoch=210)), src)
    assert converter('vitpose_official_to_plugin').main([src, dst]) == 0
    assert 'folded the class slot' in capsys.readouterr().out

    model = build_plugin_model(head)
    load_checkpoint(model, dst, strict=True)
    images = torch.rand(1, 3, 256, 192)
    with torch.no_grad():
        difference = (model(images, None, mode='tensor') -
                      official_forward(official, images, head)).abs().max()
    assert difference < 1e-4


def test_mae_converter_resizes_to_the_target_input(tmp_path, capsys):
    mae = random_mae_mmpretrain_state_dict()
    src, dst = str(tmp_path / 'mae.pth'), str(tmp_path / 'plugin.pth')
    torch.save({'model': mae_facebook_from_mmpretrain(mae)}, src)
    tool = converter('mae_to_plugin')
    assert tool.main([src, dst, '--img-size', '384', '288']) == 0
    printed = capsys.readouterr().out
    assert '24x18 grid of 384x288 inputs' in printed
    assert 'dropped 7 tensors' in printed  # cls/mask tokens and decoder

    model = build_plugin_model(img_size=(384, 288))
    load_checkpoint(model, dst)  # no head weights: only a warning
    images = torch.rand(1, 3, 384, 288)
    with torch.no_grad():
        (ours, ) = model.backbone(images)
    expected = mae_reference_features(mae, images, (384, 288))
    assert (ours - expected).abs().max() < 1e-4


def test_wrong_or_unknown_checkpoint_fails_clearly(tmp_path, capsys):
    official, dst = str(tmp_path / 'official.pth'), str(tmp_path / 'out.pth')
    torch.save({'state_dict': random_official_state_dict()}, official)
    assert converter('mae_to_plugin').main([official, dst]) == 1
    assert 'is a official_vitpose checkpoint, but this converter accepts ' \
        'mae_facebook, mae_mmpretrain' in capsys.readouterr().err

    resnet = str(tmp_path / 'resnet.pth')
    torch.save({'conv1.weight': torch.ones(1)}, resnet)
    assert converter('vitpose_official_to_plugin').main([resnet, dst]) == 1
    assert 'unrecognised checkpoint layout' in capsys.readouterr().err

    missing = str(tmp_path / 'missing.pth')
    assert converter('mmpose_vitpose_to_plugin').main([missing, dst]) == 1
    assert 'missing.pth' in capsys.readouterr().err
    assert not osp.exists(dst)


#: Every script here that writes a file, with its arguments after SRC DST.
WRITING_SCRIPTS = {
    'vitpose_official_to_plugin': [],
    'mmpose_vitpose_to_plugin': [],
    'mae_to_plugin': [],
    'vitpose_plus_to_plugin': [],
    'split_multi_dataset': ['--index', '0'],
    'merge_single_dataset': ['--names', 'a', 'b'],
    'extract_student': [],
    'extract_teacher': [],
    'publish_model': [],
    'hf_to_plugin': [],
    'plugin_to_hf': [],  # writes OUT_DIR/{model.safetensors,config.json}
}


def test_every_script_is_covered():
    scripts = {osp.splitext(name)[0] for name in os.listdir(CONVERTERS)
               if name.endswith('.py')}
    assert scripts == set(WRITING_SCRIPTS)


@pytest.mark.parametrize('name', list(WRITING_SCRIPTS))
def test_scripts_never_write_over_a_file_unasked(name, tmp_path, capsys):
    tool = converter(name)
    extra = WRITING_SCRIPTS[name]
    src = str(tmp_path / 'in.pth')
    if name == 'plugin_to_hf':
        out_dir = tmp_path / 'hf'
        out_dir.mkdir()
        dst = str(out_dir / 'model.safetensors')
        open(dst, 'wb').write(b'precious')
        for force in ([], ['--force']):  # its input is one of its outputs
            assert tool.main([dst, str(out_dir), *force]) == 1
            assert f'OUT_DIR {dst} is the input file {dst}' in \
                capsys.readouterr().err
        torch.save({'state_dict': build_plugin_model().state_dict()}, src)
        before = open(src, 'rb').read(), open(dst, 'rb').read()
        assert tool.main([src, str(out_dir)]) == 1
        assert f'OUT_DIR {dst} exists; refusing to overwrite it' in \
            capsys.readouterr().err
        assert (open(src, 'rb').read(), open(dst, 'rb').read()) == before
        return
    if name == 'publish_model':
        # It writes OUT-<sha256[:8]>.pth, never OUT: the second time, that
        # file exists.
        torch.save({'state_dict': build_plugin_model().state_dict()}, src)
        assert tool.main([src, str(tmp_path / 'model.pth')]) == 0
        [dst] = glob.glob(str(tmp_path / 'model-*.pth'))
        option = 'the published file'
    else:
        torch.save({'state_dict': random_official_state_dict()}, src)
        for force in ([], ['--force']):
            assert tool.main([src, src, *extra, *force]) == 1
            assert f'DST {src} is the input file {src}' in \
                capsys.readouterr().err
        dst = str(tmp_path / 'model.pth')
        open(dst, 'wb').write(b'precious')
        option = 'DST'
    before = open(src, 'rb').read(), open(dst, 'rb').read()
    assert tool.main([src, str(tmp_path / 'model.pth'), *extra]) == 1
    assert f'{option} {dst} exists; refusing to overwrite it' in \
        capsys.readouterr().err
    assert (open(src, 'rb').read(), open(dst, 'rb').read()) == before


def test_publish_model_script(tmp_path):
    src = str(tmp_path / 'epoch_210.pth')
    model = build_plugin_model()
    meta = dict(epoch=210, dataset_meta=dict(
        sigmas=np.ones(17, dtype=np.float32)))
    torch.save(dict(state_dict=model.state_dict(), meta=meta,
                    optimizer=dict(state={}, param_groups=[])), src)
    proc = run([sys.executable, osp.join(CONVERTERS, 'publish_model.py'),
                src, 'vitpose.pth'], cwd=str(tmp_path), timeout=120)
    [published] = [name for name in os.listdir(tmp_path)
                   if name.startswith('vitpose-')]
    assert f'to {published} (sha256 ' in proc.stdout
    # torch's default: weights_only=True and no allow-list.
    content = torch.load(str(tmp_path / published))
    assert set(content) == {'state_dict', 'meta'}
    assert content['meta'] == dict(epoch=210,
                                   dataset_meta=dict(sigmas=[1.0] * 17))
    loaded = build_plugin_model()
    load_checkpoint(loaded, str(tmp_path / published), strict=True)
