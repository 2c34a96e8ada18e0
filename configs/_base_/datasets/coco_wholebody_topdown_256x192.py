# COCO-WholeBody (133 keypoints: body, feet, face, hands), top-down at
# 256x192 with MSRA heatmaps (as the official configs): training on
# train2017 with GT boxes, evaluation on val2017 with the boxes of COCO's
# person detector of 56 AP and CocoWholeBodyMetric (body, foot, face, hand
# and whole-body AP). The pipelines are COCO's without UDP
# (msra_topdown_256x192.py). Point a config at your copy with
# --cfg-options data_root=/path/to/coco/
_base_ = ['./msra_topdown_256x192.py']

dataset_type = 'CocoWholeBodyDataset'
data_root = 'data/coco/'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/coco_wholebody_train_v1.0.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/coco_wholebody_val_v1.0.json'))
test_dataloader = val_dataloader

val_evaluator = dict(
    _delete_=True,
    type='CocoWholeBodyMetric',
    ann_file=data_root + 'annotations/coco_wholebody_val_v1.0.json')
test_evaluator = val_evaluator
