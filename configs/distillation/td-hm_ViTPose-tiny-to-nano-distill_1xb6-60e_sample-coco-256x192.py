# Stage 2 on the CPU: the 4 x 192 teacher (td-hm_ViTPose-tiny-simple_*)
# distils into the 2 x 96 student (td-hm_ViTPose-nano_*) with both the knowledge token of stage 1
# (td-hm_ViTPose-tiny-knowledge-token_*, mapped 192 -> 96 by a learned
# linear projection) and output distillation. Same data, schedule and seed
# as the student alone. Variants through --cfg-options:
#   output only: model.token_checkpoint=None
#   token only:  model.distill_loss=None model.teacher=None
# Then: tools/model_converters/extract_student.py and tools/test.py with
# td-hm_ViTPose-nano-knowledge-token_* (or td-hm_ViTPose-nano_* when no token).
_base_ = ['./td-hm_ViTPose-nano_1xb6-60e_sample-coco-256x192.py']

teacher_with_token = '{{ fileDirname }}/../../checkpoints/' \
    'td-hm_ViTPose-tiny-knowledge-token_sample-coco-256x192.pth'

model = dict(
    _delete_=True,
    type='ViTPoseTokenDistiller',
    student={{_base_.model}},
    teacher=dict(
        type='TopdownPoseEstimator',
        backbone=dict(
            type='ViTPoseBackbone',
            arch=dict(embed_dims=192, depth=4, num_heads=6, mlp_ratio=4),
            img_size=(256, 192),
            knowledge_tokens=1),
        head=dict(
            type='ViTPoseSimpleHead',
            in_channels=192,
            out_channels=17,
            decoder={{_base_.codec}}),
        test_cfg=dict(flip_test=False)),
    # Absolute, or relative to this file's folder: never to the working
    # directory. The stage-1 teacher brings t* for both roles.
    teacher_checkpoint=teacher_with_token,
    token_checkpoint=teacher_with_token,
    distill_loss=dict(
        type='KeypointMSELoss', use_target_weight=False, loss_weight=1.0),
    token_projection='auto')
