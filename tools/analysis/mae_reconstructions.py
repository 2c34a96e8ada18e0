"""Draw MAE reconstructions of person crops: input, masked input and
reconstruction (visible patches pasted back, as in the MAE paper), one row
per crop.

    CONFIG=mae_ViTPose-tiny_1xb64-20e_synthetic-128x96
    python tools/analysis/mae_reconstructions.py \\
        configs/mae_pretraining/$CONFIG.py work_dirs/$CONFIG/epoch_20.pth \\
        --out docs/images/mae_reconstructions.png

The crops are the whole person regions (no random resized crop) of the
config's training set; the masks are random (``--seed``). An existing
``--out`` is refused before anything is built unless ``--force``; the
picture is written atomically.
"""
import argparse
from typing import List, Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS, MODELS

import vitpose_plugin.pretraining  # noqa: F401 (registers the MAE parts)
from vitpose_plugin.checkpoints import read_state_dict
from vitpose_plugin.checkpoints.files import check_output_path
from vitpose_plugin.datasets.image_file import write_image


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (``sys.argv[1:]`` if ``argv`` is None)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='MAE pretraining config')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument('--out', required=True, help='PNG file to write')
    parser.add_argument('--force', action='store_true',
                        help='replace an existing --out file; default: '
                        'refuse')
    parser.add_argument('--num', type=int, default=6, help='crops drawn')
    parser.add_argument('--scale', type=int, default=2,
                        help='pixel magnification of the picture')
    parser.add_argument('--seed', type=int, default=0, help='mask seed')
    return parser.parse_args(argv)


def person_crops(cfg: Config, count: int) -> torch.Tensor:
    """The first ``count`` person regions of the training set, (N, 3, H, W)
    uint8 BGR as the pipeline packs them."""
    dataset_cfg = cfg.train_dataloader.dataset
    while dataset_cfg.type == 'ConcatDataset':
        dataset_cfg = dataset_cfg.datasets[0]
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=[]))
    if count < 1 or count > len(dataset):
        raise SystemExit(f'--num must lie in [1, {len(dataset)}]')
    pipeline = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='ViTPosePersonRandomResizedCrop',
             crop_size=tuple(cfg.model.backbone.img_size),
             crop_ratio_range=(1., 1.), aspect_ratio_range=(1., 1.)),
        dict(type='PackInputs'),
    ])
    return torch.stack([
        pipeline(dataset.get_data_info(i))['inputs'] for i in range(count)
    ])


@torch.no_grad()
def reconstruct(model: torch.nn.Module, images: torch.Tensor
                ) -> List[torch.Tensor]:
    """Normalised input, masked input and reconstruction, each (N, 3, H, W)
    in the preprocessor's normalised space."""
    inputs = model.data_preprocessor(
        dict(inputs=images, data_samples=None))['inputs']
    latent, mask, ids_restore = model.backbone(inputs)
    pred = model.neck(latent, ids_restore)
    head = model.head
    if head.norm_pix:  # back from per-patch normalised pixels
        target = head.patchify(inputs)
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        pred = pred * (var + 1.e-6)**.5 + mean
    patch_mask = mask[..., None].expand(-1, -1, pred.shape[-1])
    visible = head.patchify(inputs) * (1 - patch_mask)
    masked = head.unpatchify(visible)
    pasted = head.unpatchify(visible + pred * patch_mask)
    return [inputs, masked, pasted]


def to_picture(rows: List[torch.Tensor], mean: torch.Tensor,
               std: torch.Tensor, scale: int) -> np.ndarray:
    """One row per crop, one column per view, BGR uint8."""
    views = [(view * std + mean).clamp(0, 255).byte() for view in rows]
    gap = 4
    tiles = []
    for index in range(views[0].shape[0]):
        row = []
        for view in views:
            row += [view[index].permute(1, 2, 0).numpy()[..., ::-1],
                    np.full((view.shape[2], gap, 3), 255, np.uint8)]
        tiles += [np.concatenate(row[:-1], axis=1),
                  np.full((gap, sum(t.shape[1] for t in row[:-1]), 3), 255,
                          np.uint8)]
    picture = np.concatenate(tiles[:-1], axis=0)
    return cv2.resize(picture, None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_NEAREST)


def check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that OpenCV cannot write (its suffix), that is
    an input, or that exists without ``--force``.

    Raises:
        SystemExit: an image format OpenCV cannot write.
        OutputPathError: see :func:`check_output_path`.
    """
    if not cv2.haveImageWriter(args.out):
        raise SystemExit(f'--out {args.out}: OpenCV cannot write an image '
                         f'of that name; end it in .png')
    check_output_path(args.out, [args.config, args.checkpoint], args.force,
                      option='--out')


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Draw the reconstructions; see the module docstring."""
    args = parse_args(argv)
    check_out(args)
    cfg = Config.fromfile(args.config)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model).eval()
        images = person_crops(cfg, args.num)
    model.load_state_dict(read_state_dict(args.checkpoint), strict=True)
    torch.manual_seed(args.seed)
    views = reconstruct(model, images)
    preprocessor = model.data_preprocessor
    # the preprocessor made RGB; the picture is written as BGR
    picture = to_picture(views, preprocessor.mean, preprocessor.std,
                         args.scale)
    write_image(args.out, picture)
    print(f'{args.num} crops (input | masked input | reconstruction) '
          f'written to {args.out}')


if __name__ == '__main__':
    main()
