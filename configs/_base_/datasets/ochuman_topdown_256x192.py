# OCHuman (heavily occluded persons, COCO's 17 keypoints) has no training
# split: training is COCO's (train2017, GT boxes), evaluation OKS AP on
# OCHuman's val (val loop) and test (test loop) splits with GT boxes, with
# MSRA heatmaps and COCO's pipelines without UDP (msra_topdown_256x192.py),
# as the official ViTPose OCHuman configs. data_root points at OCHuman (the
# COCO training paths are fixed by the COCO base); move both with
#   --cfg-options data_root=/path/to/ochuman/ \
#       train_dataloader.dataset.data_root=/path/to/coco/
_base_ = ['./msra_topdown_256x192.py']

data_root = 'data/ochuman/'
val_dataloader = dict(
    dataset=dict(
        type='OCHumanDataset',
        data_root=data_root,
        ann_file='annotations/ochuman_coco_format_val_range_0.00_1.00.json',
        bbox_file=None,
        data_prefix=dict(img='images/')))
test_dataloader = dict(
    dataset=dict(
        type='OCHumanDataset',
        data_root=data_root,
        ann_file='annotations/ochuman_coco_format_test_range_0.00_1.00.json',
        bbox_file=None,
        data_prefix=dict(img='images/')))
val_evaluator = dict(
    ann_file=data_root +
    'annotations/ochuman_coco_format_val_range_0.00_1.00.json')
test_evaluator = dict(
    ann_file=data_root +
    'annotations/ochuman_coco_format_test_range_0.00_1.00.json')
