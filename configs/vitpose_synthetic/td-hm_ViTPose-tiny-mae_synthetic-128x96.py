# The learnability recipe (td-hm_ViTPose-tiny_synthetic-128x96.py) with its
# backbone initialised from the MAE pretraining of
# configs/mae_pretraining/mae_ViTPose-tiny_1xb64-20e_synthetic-128x96.py
# (person crops of a synthetic split disjoint from this one's train and val
# splits), run from the repository root with its default work dir:
#   python tools/train.py configs/mae_pretraining/mae_ViTPose-tiny_1xb64-20e_synthetic-128x96.py
#   python tools/train.py configs/vitpose_synthetic/td-hm_ViTPose-tiny-mae_synthetic-128x96.py
# The MAE checkpoint (layout mae_mmpretrain) loads as it is: every encoder
# tensor is used, the decoder and tokens are dropped, and the 8x6 position
# embedding is resized if img_size differs. The plain MAE patch kernel
# goes unchanged into the padded (padding 2) patch embedding, as the
# official ViTPose does with MAE weights. See docs/mae_pretraining.md.
_base_ = ['./td-hm_ViTPose-tiny_synthetic-128x96.py']

mae_work_dir = '{{ fileDirname }}/../../work_dirs/' \
    'mae_ViTPose-tiny_1xb64-20e_synthetic-128x96'

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=mae_work_dir + '/epoch_20.pth')))
