# Stage 2 on the CPU learnability benchmark: the 128 x 4 teacher (the
# learnability recipe, with the knowledge token t* of stage 1,
# td-hm_ViTPose-tiny-knowledge-token_*) distils into the 64 x 4 student
# (td-hm_ViTPose-nano_*) with both the token (mapped 128 -> 64 by a learned
# linear projection) and output distillation. Same data, schedule and seed
# as the student alone. Variants through --cfg-options:
#   output only: model.token_checkpoint=None
#   token only:  model.distill_loss=None model.teacher=None
#                model.teacher_checkpoint=None
# Then tools/model_converters/extract_student.py, and tools/test.py with
# td-hm_ViTPose-nano-knowledge-token_* (td-hm_ViTPose-nano_* without token).
_base_ = ['./td-hm_ViTPose-nano_1xb8-4e_synthetic-128x96.py']

teacher_with_token = '{{ fileDirname }}/../../checkpoints/' \
    'td-hm_ViTPose-tiny-knowledge-token_synthetic-128x96.pth'
teacher = dict(
    type='TopdownPoseEstimator',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone=dict(
        type='ViTPoseBackbone',
        arch=dict(embed_dims=128, depth=4, num_heads=4, mlp_ratio=4),
        img_size=(128, 96),
        patch_size=16,
        patch_padding=2,
        knowledge_tokens=1),
    head=dict(
        type='ViTPoseClassicHead',
        in_channels=128,
        out_channels=17,
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=False))

model = dict(
    _delete_=True,
    type='ViTPoseTokenDistiller',
    student={{_base_.model}},
    teacher=teacher,
    # Absolute, or relative to this file's folder: never to the working
    # directory. The stage-1 teacher brings t* for both roles.
    teacher_checkpoint=teacher_with_token,
    token_checkpoint=teacher_with_token,
    distill_loss=dict(
        type='KeypointMSELoss', use_target_weight=False, loss_weight=1.0),
    token_projection='auto')
