# CrowdPose (14 joints), top-down at 256x192 with MSRA heatmaps (as the
# official config): trained on trainval, evaluated on test with detector boxes
# and crowd-aware OKS AP. The pipelines are COCO's without UDP
# (msra_topdown_256x192.py), but half-body crops need 7 visible keypoints
# instead of 9 (CrowdPose has 14; the official configs' num_joints_half_body
# 6 in MMPose 0.x's 'more than' terms). Point a config at your copy with
# --cfg-options data_root=/path/to/crowdpose/
_base_ = ['./msra_topdown_256x192.py']

dataset_type = 'CrowdPoseDataset'
data_root = 'data/crowdpose/'

train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(type='ViTPoseRandomHalfBody', min_total_keypoints=7),
    dict(type='ViTPoseRandomBBoxTransform'),
    dict(
        type='ViTPoseTopdownAffine',
        input_size={{_base_.codec.input_size}},
        use_udp=False),
    dict(type='PackViTPoseInputs'),
]

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/mmpose_crowdpose_trainval.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
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
