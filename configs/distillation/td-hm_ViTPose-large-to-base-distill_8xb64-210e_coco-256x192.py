# Stage 2 of token distillation (paper sec. 3.4, "ViTPose-L -> ViTPose-B"):
# ViTPose-B (MAE init, the paper's recipe) trained with the frozen knowledge
# token t* of stage 1 (td-hm_ViTPose-large-knowledge-token_*; mapped from
# 1024 to 768 wide by a linear projection trained here) and with output
# distillation, MSE(S, K_t) + MSE(S, K_gt). The teacher's heatmaps K_t come
# from the stage-1 ViTPose-L with its token. Variants:
# td-hm_ViTPose-large-to-base-{output,token}-distill_*. Afterwards
#   python tools/model_converters/extract_student.py WORK_DIR/best_*.pth \
#       student.pth
#   python tools/test.py configs/distillation/td-hm_ViTPose-base-knowledge-token_8xb64-210e_coco-256x192.py student.pth
_base_ = ['../body_2d_keypoint/topdown_heatmap/coco/'
          'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

teacher_with_token = '{{ fileDirname }}/../../checkpoints/' \
    'td-hm_ViTPose-large-knowledge-token_coco-256x192.pth'

model = dict(
    _delete_=True,
    type='ViTPoseTokenDistiller',
    student={{_base_.model}},
    teacher=dict(
        type='TopdownPoseEstimator',
        backbone=dict(
            type='ViTPoseBackbone',
            arch='large',
            img_size=(256, 192),
            knowledge_tokens=1),
        head=dict(
            type='ViTPoseClassicHead',
            in_channels=1024,
            out_channels=17,
            deconv_out_channels=(256, 256),
            deconv_kernel_sizes=(4, 4),
            decoder={{_base_.codec}}),
        test_cfg=dict(flip_test=False)),
    # Absolute, or relative to this file's folder: never to the working
    # directory.
    teacher_checkpoint=teacher_with_token,
    token_checkpoint=teacher_with_token,
    distill_loss=dict(
        type='KeypointMSELoss', use_target_weight=False, loss_weight=1.0),
    token_projection='auto')
