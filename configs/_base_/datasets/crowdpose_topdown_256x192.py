# CrowdPose (14 joints), top-down at 256x192 with UDP heatmaps: trained on
# trainval, evaluated on test with detector boxes and crowd-aware OKS AP.
# The pipelines are COCO's. Point a config at your copy with
# --cfg-options data_root=/path/to/crowdpose/
_base_ = ['./coco_topdown_256x192.py']

dataset_type = 'CrowdPoseDataset'
data_root = 'data/crowdpose/'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/mmpose_crowdpose_trainval.json',
        data_prefix=dict(img='images/')))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/mmpose_crowdpose_test.json',
        bbox_file=data_root + 'annotations/det_for_crowd_test_0.1_0.5.json',
        data_prefix=dict(img='images/')))
test_dataloader = val_dataloader

val_evaluator = dict(
    ann_file=data_root + 'annotations/mmpose_crowdpose_test.json',
    use_area=False,
    iou_type='keypoints_crowd',
    prefix='crowdpose')
test_evaluator = val_evaluator
