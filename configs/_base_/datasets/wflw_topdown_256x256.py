# WFLW face landmarks (98), top-down at 256x256 with UDP heatmaps 64x64,
# sigma 2, evaluated with NME normalised by the inter-ocular distance
# (outer eye corners, MMPose's NME 'keypoint_distance'). Input size, sigma,
# augmentation (flip, rotation factor 60, scale 0.75-1.25, no box shift, no
# half-body crops) and metric are MMPose's own WFLW config
# (face_2d_keypoint/topdown_heatmap/wflw/td-hm_hrnetv2-w18_8xb64-60e_wflw-
# 256x256.py); the codec is UDP (the ViTPose recipe, drawn on the device)
# instead of its MSRA heatmaps. Point a config at your copy with
# --cfg-options data_root=/path/to/wflw/
_base_ = ['./coco_topdown_256x192.py']

# the COCO base's codec (UDP heatmaps) at this size
codec = dict(input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
dataset_type = 'WFLWDataset'
data_root = 'data/wflw/'

train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(
        type='ViTPoseRandomBBoxTransform',
        shift_prob=0,
        rotate_factor=60,
        scale_factor=(0.75, 1.25)),
    dict(
        type='ViTPoseTopdownAffine',
        input_size=codec['input_size'],
        use_udp=True),
    dict(type='PackViTPoseInputs'),
]
val_pipeline = [
    dict(type='ViTPoseCheckAnnotation'),
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs'),
]
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/face_landmarks_wflw_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/face_landmarks_wflw_test.json',
        bbox_file=None,
        data_prefix=dict(img='images/'),
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    _delete_=True, type='NME', norm_mode='keypoint_distance')
test_evaluator = val_evaluator
