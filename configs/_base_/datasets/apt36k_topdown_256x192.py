# APT-36K (AP-10K's 17 animal keypoints and format), top-down at 256x192
# with MSRA heatmaps and GT boxes, OKS AP; the official ViTPose APT-36K
# configs train on train_annotations_1.json and evaluate (val and test
# loops) on val_annotations_1.json, images directly under data_root. Point a
# config at your copy with --cfg-options data_root=/path/to/apt36k/
_base_ = ['./ap10k_topdown_256x192.py']

data_root = 'data/apt36k/'
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/train_annotations_1.json',
        data_prefix=dict(img='')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/val_annotations_1.json',
        data_prefix=dict(img='')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/val_annotations_1.json')
test_evaluator = val_evaluator
