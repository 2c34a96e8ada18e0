# ViTPose-B (MAE-initialised) with the classic decoder for 17 keypoints at
# 256x192 with UDP heatmaps 64x48. Other sizes, decoders, keypoint counts and
# resolutions override parts of it.
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='ViTPoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        non_blocking=True),
    backbone=dict(
        type='ViTPoseBackbone',
        arch='base',
        img_size=(256, 192),
        patch_size=16,
        patch_padding=2,
        qkv_bias=True,
        drop_path_rate=0.3,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            'pretrained_models/mae_pretrain_vit_base_20230913.pth')),
    head=dict(
        type='ViTPoseClassicHead',
        in_channels=768,
        out_channels=17,
        deconv_out_channels=(256, 256),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        # the codec: draws the training targets on the device from the
        # batch's keypoints and decodes the predictions
        decoder=dict(
            type='ViTPoseUDPHeatmap',
            input_size=(192, 256),
            heatmap_size=(48, 64),
            sigma=2)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))
