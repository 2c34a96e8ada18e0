"""Multi-dataset checkpoints: split, merge, official ViTPose+ conversion and
backbone initialisation, against independent references."""
from typing import Dict, List

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from vitpose_plugin.checkpoints import (convert_checkpoint, count_experts,
                                        dataset_names, detect_layout,
                                        merge_single_dataset,
                                        split_multi_dataset)
from vitpose_plugin.checkpoints.cli import main as checkpoints_cli
from vitpose_plugin.checkpoints.layouts import (OFFICIAL_VITPOSE,
                                                OFFICIAL_VITPOSE_MOE, PLUGIN,
                                                apply_rules)
from ..models.distillers.helpers import batch
from ..tools.helpers import load_tool
from .reference_models import (DEPTH, EXPERT_DIMS, VITPOSE_PLUS_KEYPOINTS,
                               WIDTH, build, build_multi_dataset_model,
                               build_single_dataset_model,
                               official_moe_forward, randomise_,
                               random_official_moe_state_dict, tiny_backbone)

IMG_SIZE = (64, 48)
#: A small mixture: three datasets with different keypoint counts.
MIXTURE = dict(coco=17, aic=14, mpii=16)
VITPOSE_PLUS = dict(
    zip(('coco', 'aic', 'mpii', 'ap10k', 'apt36k', 'wholebody'),
        VITPOSE_PLUS_KEYPOINTS))


def tool(name: str):
    return load_tool(name, 'model_converters').main


def save(state: Dict[str, Tensor], path) -> str:
    torch.save(dict(state_dict=state, meta=dict(epoch=1)), str(path))
    return str(path)


@pytest.fixture(scope='module')
def images() -> Tensor:
    return torch.rand(3, 3, *IMG_SIZE,
                      generator=torch.Generator().manual_seed(5))


@pytest.fixture(scope='module')
def official_moe() -> Dict[str, Tensor]:
    return random_official_moe_state_dict()


@pytest.fixture(scope='module')
def multi_state(official_moe) -> Dict[str, Tensor]:
    """A plugin multi-dataset state dict (6 experts, ViTPose++ heads)."""
    return convert_checkpoint(official_moe).state_dict


def mixture_state(seed: int = 0) -> Dict[str, Tensor]:
    """A random tiny multi-dataset model of :data:`MIXTURE`, 3 experts."""
    model = build_multi_dataset_model(MIXTURE, 3, EXPERT_DIMS, IMG_SIZE)
    return randomise_(dict(model.state_dict()), seed=seed)


def assert_same(ours: Dict[str, Tensor], expected: Dict[str, Tensor]):
    assert list(ours) == list(expected)
    assert all(torch.equal(ours[key], expected[key]) for key in expected)


def dataset_heatmaps(model: nn.Module, images: Tensor, name: str) -> Tensor:
    """Heatmaps of a multi-dataset model for a batch of dataset ``name``."""
    index = list(model.heads).index(name)
    experts = model.backbone.num_experts
    sizes = tuple(len(images) if i == index else 0 for i in range(experts))
    with torch.no_grad():
        feats = model.backbone(images, group_sizes=sizes if experts else None)
        return model.heads[name](feats)


def pose_samples(images: Tensor, keypoints: int, dataset: str) -> List:
    """Data samples of ``dataset`` for ``images`` (metainfo, boxes)."""
    _, samples = batch(len(images), img_size=IMG_SIZE, keypoints=keypoints)
    for sample in samples:
        sample.set_metainfo(dict(dataset_name=dataset))
    return samples


# Layout ---------------------------------------------------------------------
def test_plugin_keys_list_experts_and_per_dataset_heads():
    keys = {
        'backbone.blocks.3.mlp.experts.5.weight': torch.ones(1),
        'heads.ap10k.deconv_layers.4.running_var': torch.ones(1),
        'heads.coco.final_layer.bias': torch.ones(1),
    }
    assert set(apply_rules(keys, PLUGIN)[0]) == set(keys)
    for bad in ('backbone.blocks.0.mlp.experts.weight',
                'heads.coco.extra.weight', 'heads.final_layer.weight'):
        with pytest.raises(ValueError, match='not recognised'):
            apply_rules({bad: torch.ones(1)}, PLUGIN)


def test_detect_official_vitpose_plus(official_moe):
    assert detect_layout(official_moe) == OFFICIAL_VITPOSE_MOE
    # Multi-task ViTPose (no experts) is recognised by its extra heads.
    no_experts = {k: v for k, v in official_moe.items() if 'experts' not in k}
    assert detect_layout(no_experts) == OFFICIAL_VITPOSE_MOE
    # A split official model is a plain official one.
    single = {
        k: v
        for k, v in no_experts.items() if 'associate' not in k
    }
    assert detect_layout(single) == OFFICIAL_VITPOSE


def test_official_heads_are_named_in_vitpose_plus_order(multi_state,
                                                        official_moe):
    assert dataset_names(multi_state) == list(VITPOSE_PLUS)
    assert count_experts(multi_state) == (6, EXPERT_DIMS)
    torch.testing.assert_close(
        multi_state['heads.mpii.final_layer.weight'],
        official_moe['associate_keypoint_heads.1.final_layer.weight'])
    pos = official_moe['backbone.pos_embed']
    torch.testing.assert_close(multi_state['backbone.pos_embed'][0, 4],
                               pos[0, 5] + pos[0, 0])
    renamed = convert_checkpoint(
        official_moe, names=['a', 'b', 'c', 'd', 'e', 'f']).state_dict
    assert dataset_names(renamed) == ['a', 'b', 'c', 'd', 'e', 'f']


def test_official_names_must_fit_the_heads(official_moe):
    four = {
        k: v
        for k, v in official_moe.items()
        if not k.startswith(('associate_keypoint_heads.3',
                             'associate_keypoint_heads.4'))
        and 'experts.4' not in k and 'experts.5' not in k
    }
    crowdpose = dict(four)
    crowdpose['associate_keypoint_heads.2.final_layer.weight'] = \
        torch.zeros(14, 16, 1, 1)
    with pytest.raises(ValueError, match=r'\[17, 14, 16, 14\] keypoints.*'
                       r'--names'):
        convert_checkpoint(crowdpose)
    with pytest.raises(ValueError, match='2 dataset names'):
        convert_checkpoint(four, names=['coco', 'aic'])
    with pytest.raises(ValueError, match='unique'):
        convert_checkpoint(four, names=['coco', 'aic', 'coco', 'x'])
    gap = {k: v for k, v in official_moe.items()
           if not k.startswith('associate_keypoint_heads.1.')}
    with pytest.raises(ValueError, match=r'associate_keypoint_heads '
                       r'\[0, 2, 3, 4\]'):
        convert_checkpoint(gap)
    missing = dict(official_moe)
    del missing['backbone.blocks.1.mlp.experts.3.bias']
    del missing['associate_keypoint_heads.4.deconv_layers.1.running_mean']
    with pytest.raises(ValueError, match=r'lacks 2 tensor.*experts\.3\.bias'
                       r'.*heads\.wholebody\.deconv_layers\.1\.running_mean'):
        convert_checkpoint(missing)
    official_split = dict(official_moe)  # official model_split.py, dataset 0
    for block in range(DEPTH):
        for kind in ('weight', 'bias'):
            fc2 = f'backbone.blocks.{block}.mlp.fc2.{kind}'
            official_split[fc2] = torch.cat([
                official_moe[fc2],
                official_moe[f'backbone.blocks.{block}.mlp.experts.0.{kind}']
            ])
    with pytest.raises(ValueError, match='fc2 already has all 32 outputs.*'
                       'split SRC DST --index 0'):
        convert_checkpoint(official_split)
    with pytest.raises(ValueError, match='official ViTPose\\+'):
        convert_checkpoint(
            {k: v for k, v in official_moe.items()
             if k.startswith('backbone.')}, names=['coco'])


# Split and merge on state dicts -------------------------------------------
def test_split_appends_expert_k_and_takes_head_k(multi_state):
    single = split_multi_dataset(multi_state, 'mpii')
    assert_same(single, split_multi_dataset(multi_state, 2))
    for block in range(DEPTH):
        mlp = f'backbone.blocks.{block}.mlp'
        for kind in ('weight', 'bias'):
            assert torch.equal(
                single[f'{mlp}.fc2.{kind}'],
                torch.cat([multi_state[f'{mlp}.fc2.{kind}'],
                           multi_state[f'{mlp}.experts.2.{kind}']]))
        assert single[f'{mlp}.fc2.weight'].shape == (WIDTH, 4 * WIDTH)
    assert not any('experts' in key or key.startswith('heads.')
                   for key in single)
    head = {k[len('heads.mpii.'):]: v for k, v in multi_state.items()
            if k.startswith('heads.mpii.')}
    assert_same({k[len('head.'):]: v for k, v in single.items()
                 if k.startswith('head.')}, head)
    assert detect_layout(single) == PLUGIN


def test_split_errors_name_the_datasets(multi_state):
    listing = '0 coco, 1 aic, 2 mpii, 3 ap10k, 4 apt36k, 5 wholebody'
    with pytest.raises(ValueError, match=f'index 6 is out of range.*'
                       f'{listing}'):
        split_multi_dataset(multi_state, 6)
    with pytest.raises(ValueError, match=f"named 'crowdpose'.*{listing}"):
        split_multi_dataset(multi_state, 'crowdpose')
    single = split_multi_dataset(multi_state, 0)
    with pytest.raises(ValueError, match='single-dataset one already'):
        split_multi_dataset(single, 0)
    three_heads = {k: v for k, v in multi_state.items()
                   if not k.startswith(('heads.ap10k', 'heads.apt36k',
                                        'heads.wholebody'))}
    with pytest.raises(ValueError, match='6 experts per block but 3 '
                       'datasets'):
        split_multi_dataset(three_heads, 0)
    with pytest.raises(ValueError, match=r"heads \['ap10k'\] that are not "
                       r"among the datasets \['coco'"):
        split_multi_dataset(multi_state, 0, ['coco', 'aic', 'mpii', 'x',
                                             'apt36k', 'wholebody'])
    with pytest.raises(ValueError, match='not recognised.*optimizer'):
        split_multi_dataset(dict(multi_state, optimizer=torch.ones(1)), 0)


def test_merge_then_split_gives_the_single_model_back(multi_state):
    single = split_multi_dataset(multi_state, 'aic')
    merged = merge_single_dataset(single, ['coco', 'aic', 'mpii'],
                                  EXPERT_DIMS, head_to=['aic'])
    assert dataset_names(merged) == ['aic']
    assert count_experts(merged) == (3, EXPERT_DIMS)
    fc2 = single['backbone.blocks.1.mlp.fc2.weight']
    for expert in range(3):
        assert torch.equal(
            merged[f'backbone.blocks.1.mlp.experts.{expert}.weight'],
            fc2[-EXPERT_DIMS:])
    with pytest.raises(ValueError, match='3 experts per block but 1 '
                       'datasets'):
        split_multi_dataset(merged, 'aic')  # names from the heads only
    again = split_multi_dataset(merged, 'aic', ['coco', 'aic', 'mpii'])
    assert_same({k: again[k] for k in single}, single)
    assert again.keys() == single.keys()
    # Without experts, the backbone is shared unchanged.
    shared = merge_single_dataset(single, ['coco', 'aic'])
    assert count_experts(shared) == (0, 0) and dataset_names(shared) == []
    assert torch.equal(shared['backbone.blocks.0.mlp.fc2.weight'],
                       single['backbone.blocks.0.mlp.fc2.weight'])


def test_merge_errors(multi_state):
    single = split_multi_dataset(multi_state, 0)
    with pytest.raises(ValueError, match='already a multi-dataset'):
        merge_single_dataset(multi_state, ['coco'])
    with pytest.raises(ValueError, match=r"\['cocoo'\] not among the "
                       r"datasets \['coco', 'aic'\]"):
        merge_single_dataset(single, ['coco', 'aic'], head_to=['cocoo'])
    with pytest.raises(ValueError, match=r'expert_dims must lie in \(0, 32\)'):
        merge_single_dataset(single, ['coco', 'aic'], expert_dims=32)
    with pytest.raises(ValueError, match='without dots'):
        merge_single_dataset(single, ['coco.val'])
    backbone = {k: v for k, v in single.items() if k.startswith('backbone.')}
    with pytest.raises(ValueError, match='no head.* to copy'):
        merge_single_dataset(backbone, ['coco'], head_to=['coco'])


# Against models -------------------------------------------------------------
def test_official_vitpose_plus_gives_official_heatmaps(
        official_moe, images, tmp_path, capsys):
    src = save(official_moe, tmp_path / 'vitpose_plus.pth')
    dst = str(tmp_path / 'plugin.pth')
    assert tool('vitpose_plus_to_plugin')([src, dst]) == 0
    out = capsys.readouterr().out
    assert 'official_vitpose_moe layout' in out
    assert 'keypoint_head -> heads.coco, associate_keypoint_heads.0 -> ' \
        'heads.aic' in out
    assert 'experts: 6 per block with 8 outputs each' in out
    assert 'dataset 5 wholebody: heads.wholebody, classic decoder with ' \
        '133 keypoints' in out
    model = build_multi_dataset_model(VITPOSE_PLUS, 6, EXPERT_DIMS, IMG_SIZE)
    state = torch.load(dst, weights_only=True)['state_dict']
    model.load_state_dict(state, strict=True)
    for index, (name, keypoints) in enumerate(VITPOSE_PLUS.items()):
        ours = dataset_heatmaps(model, images, name)
        expected = torch.stack(official_moe_forward(
            official_moe, images, torch.full((3, ), index)))
        assert ours.shape == expected.shape == (3, keypoints, 16, 12)
        assert expected.abs().mean() > 0.1  # a meaningful comparison
        assert (ours - expected).abs().max() < 1e-4, name


def test_official_vitpose_plus_mixed_batch(official_moe, multi_state):
    """Samples of several datasets in one batch, in any order."""
    datasets = torch.tensor([5, 0, 3, 1, 0, 2, 4])
    images = torch.rand(len(datasets), 3, *IMG_SIZE,
                        generator=torch.Generator().manual_seed(6))
    expected = official_moe_forward(official_moe, images, datasets)
    model = build_multi_dataset_model(VITPOSE_PLUS, 6, EXPERT_DIMS, IMG_SIZE)
    model.load_state_dict(multi_state, strict=True)
    order = torch.argsort(datasets, stable=True)
    sizes = tuple(int((datasets == i).sum()) for i in range(6))
    with torch.no_grad():
        (feats, ) = model.backbone(images[order], group_sizes=sizes)
        parts = feats.split(sizes)
        outputs = [model.heads[name]((part, ))
                   for name, part in zip(VITPOSE_PLUS, parts)]
    ours = [heatmap for output in outputs for heatmap in output]
    for position, sample in enumerate(order.tolist()):
        assert (ours[position] - expected[sample]).abs().max() < 1e-4


@pytest.mark.parametrize('dataset', [['--index', '1'], ['--name', 'mpii']])
def test_split_tool_predicts_what_the_multi_dataset_model_predicts(
        dataset, images, tmp_path, capsys):
    multi = mixture_state()
    src = save(multi, tmp_path / 'multi.pth')
    dst = str(tmp_path / 'single.pth')
    assert tool('split_multi_dataset')([src, dst, *dataset]) == 0
    name = 'aic' if dataset[0] == '--index' else 'mpii'
    index = list(MIXTURE).index(name)
    out = capsys.readouterr().out
    assert f'appended expert {index} to every block\'s fc2 (24 + 8 = 32 ' \
        f'outputs) and dropped the other 2 experts' in out
    checkpoint = torch.load(dst, weights_only=True)  # plain meta
    assert checkpoint['meta'] == dict(
        split_from=src, dataset=name, dataset_index=index, head='classic')

    single = build_single_dataset_model(MIXTURE[name], IMG_SIZE)
    single.load_state_dict(checkpoint['state_dict'], strict=True)
    model = build_multi_dataset_model(MIXTURE, 3, EXPERT_DIMS, IMG_SIZE)
    model.load_state_dict(multi, strict=True)
    with torch.no_grad():
        expected = single(images, None, mode='tensor')
    ours = dataset_heatmaps(model, images, name)
    assert expected.shape == (3, MIXTURE[name], 16, 12)
    assert expected.abs().mean() > 0.01
    torch.testing.assert_close(ours, expected, rtol=0, atol=1e-6)

    with torch.no_grad():
        split_preds = single.predict(
            images, pose_samples(images, MIXTURE[name], name))
        multi_preds = model.predict(
            images, pose_samples(images, MIXTURE[name], name))
    for a, b in zip(split_preds, multi_preds):
        np.testing.assert_allclose(a.pred_instances.keypoints,
                                   b.pred_instances.keypoints, atol=1e-4)
        np.testing.assert_allclose(a.pred_instances.keypoint_scores,
                                   b.pred_instances.keypoint_scores,
                                   atol=1e-6)


def test_split_tool_errors_list_the_datasets(tmp_path, capsys):
    src = save(mixture_state(), tmp_path / 'multi.pth')
    dst = str(tmp_path / 'single.pth')
    assert tool('split_multi_dataset')([src, dst, '--index', '3']) == 1
    assert 'dataset index 3 is out of range; the checkpoint has 0 coco, ' \
        '1 aic, 2 mpii' in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --index and --name exclude each other
        tool('split_multi_dataset')([src, dst, '--index', '0', '--name', 'a'])


def test_split_of_an_official_vitpose_plus_checkpoint(official_moe, images,
                                                      tmp_path):
    src = save(official_moe, tmp_path / 'vitpose_plus.pth')
    dst = str(tmp_path / 'wholebody.pth')
    assert checkpoints_cli(['split', src, dst, '--name', 'wholebody']) == 0
    single = build_single_dataset_model(133, IMG_SIZE)
    single.load_state_dict(
        torch.load(dst, weights_only=True)['state_dict'], strict=True)
    with torch.no_grad():
        ours = single(images, None, mode='tensor')
    expected = torch.stack(official_moe_forward(
        official_moe, images, torch.full((3, ), 5)))
    assert (ours - expected).abs().max() < 1e-4


def test_merged_model_reproduces_the_single_model(images, tmp_path, capsys):
    single = build_single_dataset_model(14, IMG_SIZE)
    randomise_(single.state_dict(), seed=8)
    src = save(dict(single.state_dict()), tmp_path / 'aic.pth')
    dst = str(tmp_path / 'merged.pth')
    assert tool('merge_single_dataset')([
        src, dst, '--names', 'coco', 'aic', 'mpii', '--expert-dims',
        str(EXPERT_DIMS), '--head-to', 'aic'
    ]) == 0
    out = capsys.readouterr().out
    assert 'no head for coco, mpii: they keep their initialisation' in out
    assert 'num_experts=3, expert_dims=8' in out
    model = build_multi_dataset_model(MIXTURE, 3, EXPERT_DIMS, IMG_SIZE)
    missing, unexpected = model.load_state_dict(
        torch.load(dst, weights_only=True)['state_dict'], strict=False)
    assert not unexpected
    assert {key.split('.')[1] for key in missing} == {'coco', 'mpii'}
    with torch.no_grad():
        expected = single(images, None, mode='tensor')
        (features, ) = single.backbone(images)
    torch.testing.assert_close(
        dataset_heatmaps(model, images, 'aic'), expected, rtol=0, atol=1e-6)
    # Every expert starts as the single model's: same features everywhere.
    for sizes in ((3, 0, 0), (0, 0, 3), (1, 1, 1)):
        with torch.no_grad():
            (ours, ) = model.backbone(images, group_sizes=sizes)
        torch.testing.assert_close(ours, features, rtol=0, atol=1e-6)
    # Its meta names the datasets, so splitting it gives the input back.
    back = str(tmp_path / 'back.pth')
    assert tool('split_multi_dataset')([dst, back, '--name', 'aic']) == 0
    assert_same(torch.load(back, weights_only=True)['state_dict'],
                dict(single.state_dict()))


def test_merge_tool_errors(tmp_path, capsys):
    src = save(mixture_state(), tmp_path / 'multi.pth')
    assert tool('merge_single_dataset')(
        [src, str(tmp_path / 'x.pth'), '--names', 'coco']) == 1
    assert 'already a multi-dataset checkpoint' in capsys.readouterr().err


# init_cfg -------------------------------------------------------------------
def expert_backbone(checkpoint: str, num_experts: int = 3) -> nn.Module:
    backbone = build(
        tiny_backbone(
            IMG_SIZE,
            num_experts=num_experts,
            expert_dims=EXPERT_DIMS if num_experts else None,
            init_cfg=dict(type='Pretrained', checkpoint=checkpoint)))
    backbone.init_weights()
    return backbone.eval()


def test_init_cfg_reads_a_multi_dataset_backbone(tmp_path):
    multi = mixture_state()
    checkpoint = save(multi, tmp_path / 'multi.pth')
    backbone = expert_backbone(checkpoint)
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, multi[f'backbone.{key}']), key
    with pytest.raises(ValueError, match='3 dataset experts per block but '
                       'ViTPoseBackbone has 0.*num_experts=3, expert_dims=8'
                       '.*split SRC DST'):
        expert_backbone(checkpoint, num_experts=0)
    with pytest.raises(ValueError, match='has 3 dataset experts per block '
                       'but ViTPoseBackbone has 2'):
        expert_backbone(checkpoint, num_experts=2)


def test_init_cfg_official_vitpose_plus_backbone(official_moe, multi_state,
                                                 tmp_path):
    checkpoint = save(official_moe, tmp_path / 'vitpose_plus.pth')
    backbone = expert_backbone(checkpoint, num_experts=6)
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, multi_state[f'backbone.{key}']), key


def test_init_cfg_expands_a_plain_checkpoint_into_experts(images, tmp_path):
    """The official ViTPose++ initialisation (e.g. from MAE weights): every
    expert starts as the last expert_dims outputs of fc2."""
    single = build_single_dataset_model(17, IMG_SIZE)
    randomise_(single.state_dict(), seed=9)
    checkpoint = save(dict(single.state_dict()), tmp_path / 'single.pth')
    backbone = expert_backbone(checkpoint)
    with torch.no_grad():
        (expected, ) = single.backbone(images)
        for sizes in ((3, 0, 0), (0, 3, 0), (1, 0, 2)):
            (ours, ) = backbone(images, group_sizes=sizes)
            torch.testing.assert_close(ours, expected, rtol=0, atol=1e-6)


def test_inspect_describes_a_multi_dataset_checkpoint(tmp_path, capsys):
    path = save(mixture_state(), tmp_path / 'multi.pth')
    assert checkpoints_cli(['inspect', path]) == 0
    out = capsys.readouterr().out
    assert 'plugin layout' in out
    assert 'experts: 3 per block with 8 outputs each: build the backbone ' \
        'with num_experts=3, expert_dims=8' in out
    assert 'dataset 1 aic: heads.aic, classic decoder with 14 keypoints' \
        in out
    assert 'no head:' not in out


def test_inspect_official_heads_off_the_default_order(official_moe, tmp_path,
                                                      capsys):
    state = dict(official_moe)
    state['keypoint_head.final_layer.bias'] = torch.zeros(5)
    state['keypoint_head.final_layer.weight'] = torch.zeros(5, 16, 1, 1)
    path = save(state, tmp_path / 'other.pth')
    assert checkpoints_cli(['inspect', path]) == 0
    out = capsys.readouterr().out
    assert 'official_vitpose_moe layout' in out
    assert '--names' in out and 'experts: 6 per block' in out
    assert checkpoints_cli(['convert', path, str(tmp_path / 'o.pth'),
                            '--names', 'a', 'b', 'c', 'd', 'e', 'f']) == 0
