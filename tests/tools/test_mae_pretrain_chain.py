"""MAE pretraining -> fine-tuning through tools/train.py, configs alone:
the fine-tuning config's init_cfg takes the pretraining checkpoint as it
is (no conversion step)."""
import os.path as osp
import re

import pytest

from .helpers import REPO_ROOT, run

pytestmark = pytest.mark.slow
PRETRAIN = ('configs/mae_pretraining/'
            'mae_ViTPose-tiny_1xb64-20e_synthetic-128x96.py')
FINETUNE = ('configs/vitpose_synthetic/'
            'td-hm_ViTPose-tiny-mae_synthetic-128x96.py')


def small_data(cache_root, splits, instances):
    """--cfg-options for tiny synthetic splits in ``cache_root``."""
    options = []
    for split in splits:
        key = f'{split}_dataloader'
        options += [f'{key}.batch_size=4', f'{key}.num_workers=0',
                    f'{key}.persistent_workers=False',
                    f'{key}.dataset.cache_root={cache_root}',
                    f'{key}.dataset.generator.num_instances={instances}']
    return options


def test_pretrain_then_finetune(tmp_path):
    cache_root = str(tmp_path / 'synthetic')
    pretrain_dir = str(tmp_path / 'pretrain')
    run(['python', 'tools/train.py', PRETRAIN, '--work-dir', pretrain_dir,
         '--cfg-options', 'train_cfg.max_epochs=1',
         *small_data(cache_root, ['train'], 8)],
        cwd=REPO_ROOT, timeout=300)
    checkpoint = osp.join(pretrain_dir, 'epoch_1.pth')
    assert osp.isfile(checkpoint)

    proc = run(['python', 'tools/train.py', FINETUNE, '--work-dir',
                str(tmp_path / 'finetune'), '--cfg-options',
                f'model.backbone.init_cfg.checkpoint={checkpoint}',
                'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                'val_dataloader.dataset.indices=4',
                *small_data(cache_root, ['train', 'val', 'test'], 4)],
               cwd=REPO_ROOT, timeout=300)
    loaded = re.search(r'ViTPoseBackbone: loaded all (\d+) tensors from '
                       r'\S+epoch_1\.pth \(mae_mmpretrain layout\)',
                       proc.stdout)
    # patch embedding (2), position embedding, 4 blocks of 12, final norm
    assert loaded and int(loaded[1]) == 2 + 1 + 4 * 12 + 2, proc.stdout[-3000:]
    assert re.search(r'coco/AP: [0-9.]+', proc.stdout)
