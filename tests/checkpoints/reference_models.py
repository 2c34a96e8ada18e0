"""Tiny models and hand-written reference forwards for checkpoint tests.

Everything here is written from the published semantics (see
/work/shared/FACTS.md), independently of the conversion code under test.
"""
import math
from typing import Dict, List, Optional, Tuple

import mmpretrain.models  # noqa: F401  (registers mmpretrain.* types)
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope
from mmpose.registry import MODELS as POSE_MODELS
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from torch import Tensor, nn

import vitpose_plugin  # noqa: F401

WIDTH, DEPTH, HEADS, DECONV, KEYPOINTS = 32, 2, 2, 16, 17
PRETRAIN_ARCH = dict(
    embed_dims=WIDTH,
    num_layers=DEPTH,
    num_heads=HEADS,
    feedforward_channels=4 * WIDTH)


def build(cfg: dict, scope: str = 'mmpose') -> nn.Module:
    """Build in ``scope`` whatever default scope an earlier Runner left."""
    registry = POSE_MODELS if scope == 'mmpose' else PRETRAIN_MODELS
    with DefaultScope.overwrite_default_scope(scope):
        return registry.build(cfg)


def randomise_(state: Dict[str, Tensor], seed: int = 0) -> Dict[str, Tensor]:
    """Fill every tensor with random values of a sensible scale, in place.

    Init schemes leave heads near zero (std 0.001) and MAE's class slot at
    zero, which would make output comparisons meaningless.
    """
    generator = torch.Generator().manual_seed(seed)
    for name, tensor in state.items():
        if not tensor.is_floating_point():
            continue

        def randn(shape=tensor.shape):
            return torch.randn(shape, generator=generator)

        if name.endswith('running_var'):
            value = torch.rand(tensor.shape, generator=generator) + 0.5
        elif 'pos_embed' in name or 'token' in name:
            value = randn() * 0.5
        elif tensor.dim() == 1 and name.endswith('weight'):
            value = 1 + 0.1 * randn()
        elif tensor.dim() == 1:
            value = 0.1 * randn()
        else:
            value = randn() / math.sqrt(tensor[0].numel())
        tensor.copy_(value)
    return state


def build_plugin_model(head: str = 'classic',
                       keypoints: int = KEYPOINTS,
                       img_size: Tuple[int, int] = (256, 192),
                       width: int = WIDTH) -> nn.Module:
    """A plugin ``TopdownPoseEstimator`` (tiny ViTPose, classic/simple)."""
    head_cfg = dict(
        type='ViTPoseClassicHead',
        in_channels=width,
        out_channels=keypoints,
        deconv_out_channels=(DECONV, DECONV)) if head == 'classic' else dict(
            type='ViTPoseSimpleHead',
            in_channels=width,
            out_channels=keypoints)
    model = build(
        dict(
            type='TopdownPoseEstimator',
            backbone=dict(
                type='ViTPoseBackbone',
                arch=dict(embed_dims=width, depth=DEPTH, num_heads=HEADS),
                img_size=img_size),
            head=head_cfg))
    return model.eval()


def build_mmpose_vitpose(head: str = 'classic') -> nn.Module:
    """MMPose 1.x's own ViTPose (mmpretrain ViT + HeatmapHead), randomised.
    """
    cfg = dict(
        type='TopdownPoseEstimator',
        backbone=dict(
            type='mmpretrain.VisionTransformer',
            arch=PRETRAIN_ARCH,
            img_size=(256, 192),
            patch_size=16,
            qkv_bias=True,
            with_cls_token=False,
            out_type='featmap',
            patch_cfg=dict(padding=2),
            final_norm=True),
        head=dict(
            type='HeatmapHead',
            in_channels=WIDTH,
            out_channels=KEYPOINTS,
            deconv_out_channels=(DECONV, DECONV),
            deconv_kernel_sizes=(4, 4)))
    if head == 'simple':
        cfg['neck'] = dict(
            type='FeatureMapProcessor', scale_factor=4.0, apply_relu=True)
        cfg['head'].update(
            deconv_out_channels=[],
            deconv_kernel_sizes=[],
            final_layer=dict(kernel_size=3, padding=1))
    model = build(cfg)
    randomise_(model.state_dict(), seed=1)
    return model.eval()


def random_official_state_dict(head: str = 'classic') -> Dict[str, Tensor]:
    """Official ViTPose weights (``keypoint_head``, class slot in pos_embed).
    """
    names = build_plugin_model(head).state_dict()
    state = {}
    for name, tensor in names.items():
        if name == 'backbone.pos_embed':
            state[name] = torch.zeros(1, tensor.shape[1] + 1, WIDTH)
        else:
            state[name.replace('head.', 'keypoint_head.', 1)] = \
                torch.zeros_like(tensor)
    randomise_(state, seed=2)
    # A class slot clearly larger than the patch positions.
    state['backbone.pos_embed'][:, 0] = 2 + torch.rand(WIDTH)
    return state


def _layer_norm(x: Tensor, state: Dict[str, Tensor], name: str) -> Tensor:
    return F.layer_norm(
        x,
        x.shape[-1:],
        state[f'{name}.weight'],
        state[f'{name}.bias'],
        eps=1e-6)


def _linear(x: Tensor, state: Dict[str, Tensor], name: str) -> Tensor:
    return F.linear(x, state[f'{name}.weight'], state[f'{name}.bias'])


def official_forward(state: Dict[str, Tensor], images: Tensor,
                     head: str) -> Tensor:
    """The official ViTPose forward, from official parameter names."""
    x = F.conv2d(
        images,
        state['backbone.patch_embed.proj.weight'],
        state['backbone.patch_embed.proj.bias'],
        stride=16,
        padding=2)
    batch, dims, rows, cols = x.shape
    x = x.flatten(2).transpose(1, 2)
    pos = state['backbone.pos_embed']
    x = x + pos[:, 1:] + pos[:, :1]
    head_dims = dims // HEADS
    for index in range(DEPTH):
        block = f'backbone.blocks.{index}'
        h = _layer_norm(x, state, f'{block}.norm1')
        q, k, v = _linear(h, state, f'{block}.attn.qkv').reshape(
            batch, -1, 3, HEADS, head_dims).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1) * head_dims**-0.5).softmax(-1)
        h = (attn @ v).transpose(1, 2).reshape(batch, -1, dims)
        x = x + _linear(h, state, f'{block}.attn.proj')
        h = _layer_norm(x, state, f'{block}.norm2')
        h = _linear(
            F.gelu(_linear(h, state, f'{block}.mlp.fc1')), state,
            f'{block}.mlp.fc2')
        x = x + h
    x = _layer_norm(x, state, 'backbone.last_norm')
    x = x.transpose(1, 2).reshape(batch, dims, rows, cols)
    if head == 'simple':
        x = F.interpolate(
            F.relu(x), scale_factor=4, mode='bilinear', align_corners=False)
        return F.conv2d(
            x,
            state['keypoint_head.final_layer.weight'],
            state['keypoint_head.final_layer.bias'],
            padding=1)
    for conv, bn in ((0, 1), (3, 4)):
        prefix = 'keypoint_head.deconv_layers'
        x = F.conv_transpose2d(
            x, state[f'{prefix}.{conv}.weight'], stride=2, padding=1)
        x = F.relu(
            F.batch_norm(
                x,
                state[f'{prefix}.{bn}.running_mean'],
                state[f'{prefix}.{bn}.running_var'],
                state[f'{prefix}.{bn}.weight'],
                state[f'{prefix}.{bn}.bias'],
                training=False,
                eps=1e-5))
    return F.conv2d(x, state['keypoint_head.final_layer.weight'],
                    state['keypoint_head.final_layer.bias'])


def random_mae_mmpretrain_state_dict() -> Dict[str, Tensor]:
    """An mmpretrain MAE (MAEViT + pretrain decoder neck), all random."""
    model = build(
        dict(
            type='MAE',
            backbone=dict(type='MAEViT', arch=PRETRAIN_ARCH, patch_size=16),
            neck=dict(
                type='MAEPretrainDecoder',
                patch_size=16,
                in_chans=3,
                embed_dim=WIDTH,
                decoder_embed_dim=16,
                decoder_depth=1,
                decoder_num_heads=2),
            head=dict(
                type='MAEPretrainHead',
                patch_size=16,
                loss=dict(type='PixelReconstructionLoss', criterion='L2'))),
        scope='mmpretrain')
    return randomise_(dict(model.state_dict()), seed=3)


def mae_facebook_from_mmpretrain(
        state: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """The same encoder under facebookresearch/mae names, with a decoder."""
    renames = [('backbone.ln1', 'norm'),
               ('backbone.patch_embed.projection', 'patch_embed.proj'),
               ('backbone.layers', 'blocks'), ('.ln1.', '.norm1.'),
               ('.ln2.', '.norm2.'), ('ffn.layers.0.0', 'mlp.fc1'),
               ('ffn.layers.1', 'mlp.fc2'), ('backbone.', '')]
    facebook = {}
    for name, tensor in state.items():
        if not name.startswith('backbone.'):
            continue
        for old, new in renames:
            name = name.replace(old, new)
        facebook[name] = tensor
    facebook.update({
        'mask_token': torch.randn(1, 1, 16),
        'decoder_pos_embed': torch.randn(1, 197, 16),
        'decoder_embed.weight': torch.randn(16, WIDTH),
        'decoder_blocks.0.norm1.weight': torch.randn(16),
        'decoder_norm.weight': torch.randn(16),
        'decoder_pred.weight': torch.randn(768, 16),
    })
    return facebook


def mae_reference_features(state: Dict[str, Tensor], images: Tensor,
                           img_size: Tuple[int, int]) -> Tensor:
    """Official ViTPose semantics on MAE weights, run by mmpretrain's ViT.

    The 14x14 patch positions are resized bicubically to the token grid and
    the class slot is added to every patch, as the official loader and
    forward do; mmpretrain's ViT (without class token) runs the blocks.
    """
    grid = tuple((size + 4 - 16) // 16 + 1 for size in img_size)
    vit = build(
        dict(
            type='VisionTransformer',
            arch=PRETRAIN_ARCH,
            img_size=img_size,
            patch_size=16,
            qkv_bias=True,
            with_cls_token=False,
            out_type='featmap',
            patch_cfg=dict(padding=2),
            final_norm=True),
        scope='mmpretrain')
    vit.eval()  # its train() returns None, so no chaining
    pos = state['backbone.pos_embed']
    patches = pos[:, 1:].reshape(1, 14, 14, WIDTH).permute(0, 3, 1, 2)
    patches = F.interpolate(
        patches, size=grid, mode='bicubic', align_corners=False)
    weights = {
        name[len('backbone.'):]: tensor
        for name, tensor in state.items()
        if name.startswith('backbone.') and name != 'backbone.cls_token'
    }
    weights['pos_embed'] = patches.flatten(2).transpose(1, 2) + pos[:, :1]
    vit.load_state_dict(weights, strict=True)
    with torch.no_grad():
        return vit(images)[-1]


# Official ViTPose+ (TopDownMoE with a ViTMoE backbone) -------------------
#: Keypoints of the official ViTPose+ heads, in dataset order: COCO, AIC,
#: MPII, AP-10K, APT-36K, COCO-WholeBody.
VITPOSE_PLUS_KEYPOINTS = (17, 14, 16, 17, 17, 133)
EXPERT_DIMS = 8


def official_moe_head_prefix(dataset: int) -> str:
    """``keypoint_head`` for dataset 0, ``associate_keypoint_heads.I-1``
    for dataset I."""
    return 'keypoint_head' if dataset == 0 \
        else f'associate_keypoint_heads.{dataset - 1}'


def random_official_moe_state_dict(
        keypoints: Tuple[int, ...] = VITPOSE_PLUS_KEYPOINTS,
        grid: Tuple[int, int] = (4, 3),
        expert_dims: int = EXPERT_DIMS,
        seed: int = 4) -> Dict[str, Tensor]:
    """Random official ViTPose+ weights, shaped after the official modules.

    ``ViTMoE``: patch embedding, ``pos_embed`` (1, 1 + rows*cols, D) with a
    class slot, blocks whose ``MoEMlp`` has ``fc2`` (4D -> D - expert_dims)
    and one expert (4D -> expert_dims) per dataset, ``last_norm``; one
    ``TopdownHeatmapSimpleHead`` (two 4x4 deconvolutions without bias, BN,
    1x1 conv) per dataset.
    """
    hidden, shared = 4 * WIDTH, WIDTH - expert_dims
    shapes = {
        'backbone.patch_embed.proj.weight': (WIDTH, 3, 16, 16),
        'backbone.patch_embed.proj.bias': (WIDTH, ),
        'backbone.pos_embed': (1, 1 + grid[0] * grid[1], WIDTH),
        'backbone.last_norm.weight': (WIDTH, ),
        'backbone.last_norm.bias': (WIDTH, ),
    }
    for index in range(DEPTH):
        block = f'backbone.blocks.{index}'
        linears = {'attn.qkv': (3 * WIDTH, WIDTH),
                   'attn.proj': (WIDTH, WIDTH),
                   'mlp.fc1': (hidden, WIDTH),
                   'mlp.fc2': (shared, hidden)}
        linears.update({f'mlp.experts.{expert}': (expert_dims, hidden)
                        for expert in range(len(keypoints))})
        for name in ('norm1', 'norm2'):
            shapes[f'{block}.{name}.weight'] = (WIDTH, )
            shapes[f'{block}.{name}.bias'] = (WIDTH, )
        for name, (out, inp) in linears.items():
            shapes[f'{block}.{name}.weight'] = (out, inp)
            shapes[f'{block}.{name}.bias'] = (out, )
    for dataset, count in enumerate(keypoints):
        head = official_moe_head_prefix(dataset)
        shapes[f'{head}.deconv_layers.0.weight'] = (WIDTH, DECONV, 4, 4)
        shapes[f'{head}.deconv_layers.3.weight'] = (DECONV, DECONV, 4, 4)
        for bn in (1, 4):
            for name in ('weight', 'bias', 'running_mean', 'running_var'):
                shapes[f'{head}.deconv_layers.{bn}.{name}'] = (DECONV, )
        shapes[f'{head}.final_layer.weight'] = (count, DECONV, 1, 1)
        shapes[f'{head}.final_layer.bias'] = (count, )
    state = {name: torch.zeros(shape) for name, shape in shapes.items()}
    for dataset in range(len(keypoints)):
        for bn in (1, 4):
            state[f'{official_moe_head_prefix(dataset)}.deconv_layers.{bn}.'
                  f'num_batches_tracked'] = torch.tensor(7)
    randomise_(state, seed=seed)
    state['backbone.pos_embed'][:, 0] = 2 + torch.rand(WIDTH)
    return state


def _official_moe_block(x: Tensor, state: Dict[str, Tensor], block: str,
                        datasets: Tensor) -> Tensor:
    """One ``ViTMoE`` block: the expert part of every sample is the sum of
    each expert's output masked to the samples of its dataset, as in the
    official ``MoEMlp``."""
    batch, tokens, dims = x.shape
    h = _layer_norm(x, state, f'{block}.norm1')
    q, k, v = _linear(h, state, f'{block}.attn.qkv').reshape(
        batch, tokens, 3, HEADS, dims // HEADS).permute(2, 0, 3, 1, 4)
    h = F.scaled_dot_product_attention(q, k, v)
    x = x + _linear(
        h.transpose(1, 2).reshape(batch, tokens, dims), state,
        f'{block}.attn.proj')
    h = F.gelu(_linear(_layer_norm(x, state, f'{block}.norm2'), state,
                       f'{block}.mlp.fc1'))
    expert_part = 0
    expert = 0
    while f'{block}.mlp.experts.{expert}.weight' in state:
        mask = (datasets == expert).to(h.dtype).view(-1, 1, 1)
        expert_part = expert_part + mask * _linear(
            h, state, f'{block}.mlp.experts.{expert}')
        expert += 1
    shared = _linear(h, state, f'{block}.mlp.fc2')
    return x + torch.cat([shared, expert_part], -1)


def _official_decoder(x: Tensor, state: Dict[str, Tensor],
                      head: str) -> Tensor:
    """``TopdownHeatmapSimpleHead``: [deconv 4x4 / 2, BN, ReLU]*, 1x1 conv.
    """
    stage = 0
    while f'{head}.deconv_layers.{3 * stage}.weight' in state:
        deconv = f'{head}.deconv_layers.{3 * stage}'
        norm = f'{head}.deconv_layers.{3 * stage + 1}'
        x = F.conv_transpose2d(
            x, state[f'{deconv}.weight'], stride=2, padding=1)
        x = F.relu(
            F.batch_norm(x, state[f'{norm}.running_mean'],
                         state[f'{norm}.running_var'],
                         state[f'{norm}.weight'], state[f'{norm}.bias'],
                         False, 0., 1e-5))
        stage += 1
    return F.conv2d(x, state[f'{head}.final_layer.weight'],
                    state[f'{head}.final_layer.bias'])


def official_moe_forward(state: Dict[str, Tensor], images: Tensor,
                         datasets: Tensor) -> List[Tensor]:
    """The official ViTPose+ forward from official parameter names.

    Args:
        state (dict): Official ViTPose+ weights.
        images (Tensor): (B, 3, H, W).
        datasets (Tensor): (B, ) dataset index of every sample (any order).

    Returns:
        list[Tensor]: Every sample's heatmaps (K_i, h, w) from its
        dataset's head (the official model runs every head on the whole
        batch; each sample keeps its own).
    """
    # The padded 16x16 / 16 patch convolution, as patches times a matrix.
    kernel = state['backbone.patch_embed.proj.weight']
    patches = F.unfold(images, 16, padding=2, stride=16).transpose(1, 2)
    x = patches @ kernel.flatten(1).T + state['backbone.patch_embed.proj.bias']
    batch, dims = x.shape[0], kernel.shape[0]
    rows, cols = ((size + 4 - 16) // 16 + 1 for size in images.shape[-2:])
    pos = state['backbone.pos_embed']
    x = x + pos[:, 1:] + pos[:, :1]
    for index in range(DEPTH):
        x = _official_moe_block(x, state, f'backbone.blocks.{index}',
                                datasets)
    x = _layer_norm(x, state, 'backbone.last_norm')
    x = x.transpose(1, 2).reshape(batch, dims, rows, cols)
    heatmaps = {
        int(dataset): _official_decoder(x, state,
                                        official_moe_head_prefix(dataset))
        for dataset in datasets.unique()
    }
    return [heatmaps[int(d)][i] for i, d in enumerate(datasets)]


def head_config(keypoints: int, img_size: Tuple[int, int],
                head: str = 'classic') -> dict:
    """A tiny classic or simple head with an MSRA codec for (H, W) inputs.
    """
    height, width = img_size
    codec = dict(
        type='MSRAHeatmap',
        input_size=(width, height),
        heatmap_size=(width // 4, height // 4),
        sigma=2)
    if head == 'classic':
        return dict(
            type='ViTPoseClassicHead',
            in_channels=WIDTH,
            out_channels=keypoints,
            deconv_out_channels=(DECONV, DECONV),
            decoder=codec)
    return dict(
        type='ViTPoseSimpleHead',
        in_channels=WIDTH,
        out_channels=keypoints,
        decoder=codec)


def tiny_backbone(img_size: Tuple[int, int], **kwargs) -> dict:
    """A ``ViTPoseBackbone`` config of the tiny width and depth."""
    return dict(
        type='ViTPoseBackbone',
        arch=dict(embed_dims=WIDTH, depth=DEPTH, num_heads=HEADS),
        img_size=img_size,
        **kwargs)


def build_multi_dataset_model(keypoints: Dict[str, int],
                              num_experts: int = 0,
                              expert_dims: Optional[int] = None,
                              img_size: Tuple[int, int] = (64, 48),
                              head: str = 'classic') -> nn.Module:
    """A plugin ``ViTPoseMultiDatasetEstimator`` (tiny ViTPose, one head of
    ``keypoints[name]`` keypoints per dataset, in the dict's order)."""
    model = build(
        dict(
            type='ViTPoseMultiDatasetEstimator',
            backbone=tiny_backbone(
                img_size, num_experts=num_experts, expert_dims=expert_dims),
            heads={
                name: head_config(count, img_size, head)
                for name, count in keypoints.items()
            },
            test_cfg=dict(flip_test=False)))
    return model.eval()


def build_single_dataset_model(keypoints: int,
                               img_size: Tuple[int, int] = (64, 48),
                               head: str = 'classic') -> nn.Module:
    """A plugin ``TopdownPoseEstimator`` (tiny plain ViTPose, one head)."""
    model = build(
        dict(
            type='TopdownPoseEstimator',
            backbone=tiny_backbone(img_size),
            head=head_config(keypoints, img_size, head),
            test_cfg=dict(flip_test=False)))
    return model.eval()
