"""Hugging Face interop against transformers itself: random-weight
``VitPoseForPoseEstimation`` models (classic, simple, ViTPose++ with 6
experts) imported, plugin models exported and loaded with
``from_pretrained``; heatmaps equal within 1e-4 (fp32). The transformers
side runs once per session in its own environment (``conftest.py``)."""
import json
import os.path as osp
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from tests.checkpoints.hugging_face_run import (PLUS_HEADS, backbone_cfg,
                                                head_cfg)
from tests.checkpoints.reference_models import build
from vitpose_plugin.checkpoints import read_checkpoint
from vitpose_plugin.checkpoints.cli import main as checkpoints_cli
from vitpose_plugin.checkpoints.hugging_face import (
    CONFIG_FILE, WEIGHTS_FILE, describe_config, export_hugging_face,
    import_hugging_face)
from vitpose_plugin.checkpoints.meta_config import model_cfg_from_meta

ATOL = 1e-4
NAMES = [name for name, _ in PLUS_HEADS]


def convert(src: str, dst: str, *options: str):
    """``convert SRC DST`` and the plugin model it describes, loaded
    strictly from DST."""
    assert checkpoints_cli(['convert', src, dst, *options]) == 0
    checkpoint = read_checkpoint(dst)
    model = build(model_cfg_from_meta(checkpoint['meta']))
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    return model.eval()


def heatmaps_with_expert(model, pixels, index: int, head: str):
    """A multi-dataset plugin model's heatmaps with expert ``index`` and
    the head of dataset ``head``."""
    sizes = [0] * model.num_experts
    sizes[index] = pixels.shape[0]
    with torch.no_grad():
        feats = model.backbone(pixels, group_sizes=sizes)
        return model.heads[head](feats)


@pytest.mark.parametrize('name', ['classic', 'simple'])
def test_import_gives_transformers_heatmaps(hugging_face_run, tmp_path, name):
    run = hugging_face_run
    model = convert(run.model_dir(name), str(tmp_path / 'model.pth'))
    assert type(model).__name__ == 'TopdownPoseEstimator'
    with torch.no_grad():
        heatmaps = model(run.pixels, None, mode='tensor')
    torch.testing.assert_close(heatmaps, run.heatmaps[name], atol=ATOL, rtol=0)


def test_import_vitpose_plus_keeps_every_expert(hugging_face_run, tmp_path):
    run = hugging_face_run
    model = convert(run.model_dir('plus'), str(tmp_path / 'plus.pth'))
    assert list(model.heads) == NAMES
    for index, name in enumerate(NAMES):
        model.test_cfg['dataset'] = name
        with torch.no_grad():
            heatmaps = model(run.pixels, None, mode='tensor')[name]
        torch.testing.assert_close(
            heatmaps, run.heatmaps[f'plus.{index}'], atol=ATOL, rtol=0)


def test_import_vitpose_plus_index_folds_the_expert(hugging_face_run,
                                                    tmp_path):
    run = hugging_face_run
    for index in range(len(NAMES)):
        model = convert(
            run.model_dir('plus'), str(tmp_path / f'plus{index}.safetensors'),
            '--index', str(index))
        assert model.backbone.num_experts == 0
        with torch.no_grad():
            heatmaps = model(run.pixels, None, mode='tensor')
        torch.testing.assert_close(
            heatmaps, run.heatmaps[f'plus.{index}'], atol=ATOL, rtol=0)


def test_init_cfg_reads_a_hugging_face_dir_or_its_safetensors(
        hugging_face_run, tmp_path):
    run = hugging_face_run
    converted = convert(run.model_dir('simple'), str(tmp_path / 'ref.pth'))
    expected = converted.backbone.state_dict()
    for source in (run.model_dir('simple'),
                   osp.join(run.model_dir('simple'), WEIGHTS_FILE)):
        backbone = build(
            backbone_cfg(init_cfg=dict(type='Pretrained', checkpoint=source)))
        backbone.init_weights()
        for key, value in expected.items():
            torch.testing.assert_close(backbone.state_dict()[key], value)


@pytest.mark.parametrize('name', ['classic', 'simple'])
def test_export_loads_in_transformers_with_the_same_heatmaps(
        hugging_face_run, name):
    run = hugging_face_run
    with torch.no_grad():
        expected = run.plugin_models[name](run.pixels, None, mode='tensor')
    torch.testing.assert_close(
        run.heatmaps[f'export.{name}'], expected, atol=ATOL, rtol=0)


def test_export_vitpose_plus_keeps_experts_and_one_head(hugging_face_run):
    run = hugging_face_run
    model = run.plugin_models['plus']
    for index in range(len(NAMES)):
        torch.testing.assert_close(
            run.heatmaps[f'export.plus.{index}'],
            heatmaps_with_expert(model, run.pixels, index, 'coco'),
            atol=ATOL,
            rtol=0)
    torch.testing.assert_close(
        run.heatmaps['export.plus_mpii.2'],
        heatmaps_with_expert(model, run.pixels, 2, 'mpii'),
        atol=ATOL,
        rtol=0)


def test_round_trip_gives_back_transformers_tensors(hugging_face_run,
                                                    tmp_path):
    run = hugging_face_run
    source = run.model_dir('classic')
    plugin = str(tmp_path / 'classic.safetensors')
    out = str(tmp_path / 'hf')
    assert checkpoints_cli(['convert', source, plugin]) == 0
    assert checkpoints_cli(['export-hf', plugin, out]) == 0
    # An existing export is never overwritten unasked.
    assert checkpoints_cli(['export-hf', plugin, out]) == 1
    original = load_file(osp.join(source, WEIGHTS_FILE))
    exported = load_file(osp.join(out, WEIGHTS_FILE))
    assert set(exported) == set(original)
    position = 'backbone.embeddings.position_embeddings'
    for key, value in original.items():
        if key != position:
            torch.testing.assert_close(exported[key], value, atol=0, rtol=0)
    # The class slot is folded into the patches, then exported as zero.
    folded = original[position][:, 1:] + original[position][:, :1]
    torch.testing.assert_close(exported[position][:, 1:], folded)
    assert not exported[position][:, :1].any()


def _plain_model(**backbone):
    return build(
        dict(
            type='TopdownPoseEstimator',
            backbone=backbone_cfg(**backbone),
            head=head_cfg('simple')))


@pytest.mark.parametrize('backbone, feature', [
    (dict(attn_types='window',
          attn_cfg=dict(window_size=(2, 2))), 'window/pooling attention'),
    (dict(attn_types='pool_window',
          attn_cfg=dict(window_size=(2, 2))), 'window/pooling attention'),
    (dict(
        attn_types='window',
        attn_cfg=dict(window_size=(2, 2),
                      rel_pos_bias=True)), 'relative position bias'),
    (dict(knowledge_tokens=1), 'knowledge tokens'),
    (dict(img_size=(60, 48)), 'input size 60x48'),
    (dict(patch_stride=8), 'patch stride'),
    (dict(patch_padding=0), 'patch padding'),
])
def test_export_refuses_what_transformers_cannot_represent(backbone, feature):
    with pytest.raises(ValueError, match=feature):
        export_hugging_face(_plain_model(**backbone))


def test_export_refuses_other_decoders():
    model = build(
        dict(
            type='TopdownPoseEstimator',
            backbone=backbone_cfg(),
            head=dict(head_cfg('classic'), deconv_out_channels=(64, 64))))
    with pytest.raises(ValueError, match=r'classic decoder with deconv'):
        export_hugging_face(model)


def test_import_refuses_what_the_plugin_lacks(hugging_face_run):
    config = dict(
        model_type='vitpose',
        backbone_config=dict(
            hidden_act='relu', num_hidden_layers=2, out_indices=[1]))
    with pytest.raises(ValueError) as error:
        describe_config(config)
    assert 'activation' in str(error.value)
    assert 'features of block 1 of 2' in str(error.value)
    with pytest.raises(ValueError, match='not \'vitpose\''):
        describe_config(dict(model_type='vit'))
    checkpoint = read_checkpoint(hugging_face_run.model_dir('simple'))
    with pytest.raises(ValueError, match='--index and --names apply to'):
        import_hugging_face(
            checkpoint['state_dict'],
            checkpoint['meta']['hugging_face_config'],
            index=0)


def test_sharded_model_reads_as_one(hugging_face_run, tmp_path):
    source = hugging_face_run.model_dir('classic')
    tensors = load_file(osp.join(source, WEIGHTS_FILE))
    names = sorted(tensors)
    shards = {
        'model-00001-of-00002.safetensors': names[::2],
        'model-00002-of-00002.safetensors': names[1::2]
    }
    sharded = tmp_path / 'sharded'
    sharded.mkdir()
    shutil.copy(osp.join(source, CONFIG_FILE), sharded / CONFIG_FILE)
    for shard, keys in shards.items():
        save_file({key: tensors[key] for key in keys}, str(sharded / shard))
    (sharded / 'model.safetensors.index.json').write_text(
        json.dumps(
            dict(weight_map={
                key: shard
                for shard, keys in shards.items()
                for key in keys
            })))
    assert read_checkpoint(str(sharded))['state_dict'].keys() == \
        tensors.keys()
    whole = convert(source, str(tmp_path / 'whole.pth')).state_dict()
    parts = convert(str(sharded), str(tmp_path / 'parts.pth')).state_dict()
    for key, value in whole.items():
        assert torch.equal(parts[key], value)


def test_weights_without_their_config_are_refused(hugging_face_run, tmp_path,
                                                  capsys):
    lone = tmp_path / WEIGHTS_FILE
    shutil.copy(
        osp.join(hugging_face_run.model_dir('simple'), WEIGHTS_FILE), lone)
    assert checkpoints_cli(['convert', str(lone), str(tmp_path / 'x.pth')]) \
        == 1
    assert f'no {CONFIG_FILE} was found beside them' in capsys.readouterr().err
    assert not (tmp_path / 'x.pth').exists()
