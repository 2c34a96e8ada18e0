# AP-10K animal keypoints (17 joints, 54 species), top-down at 256x192 with
# MSRA heatmaps (as the official configs): trained on split 1's train set
# with GT boxes, evaluated with OKS AP on its val (val loop) and test (test
# loop) sets with GT boxes. The pipelines are COCO's without UDP
# (msra_topdown_256x192.py). APT-36K uses the same
# format and dataset class (see multi_dataset_topdown_256x192.py). Point a
# config at your copy with --cfg-options data_root=/path/to/ap10k/
_base_ = ['./msra_topdown_256x192.py']

dataset_type = 'AP10KDataset'
data_root = 'data/ap10k/'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/ap10k-train-split1.json',
        data_prefix=dict(img='data/')))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/ap10k-val-split1.json',
        bbox_file=None,
        data_prefix=dict(img='data/')))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/ap10k-test-split1.json',
        bbox_file=None,
        data_prefix=dict(img='data/')))

val_evaluator = dict(ann_file=data_root + 'annotations/ap10k-val-split1.json')
test_evaluator = dict(ann_file=data_root +
                      'annotations/ap10k-test-split1.json')
