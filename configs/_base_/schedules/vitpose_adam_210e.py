# The official ViTPose single-dataset recipe for every dataset but COCO
# (ViTAE-Transformer/ViTPose, configs/{body,animal,hand,wholebody}/.../
# ViTPose_<size>_<dataset>_256x192.py for AIC, MPII, CrowdPose, OCHuman,
# AP-10K, APT-36K, InterHand2.6M and COCO-WholeBody): Adam lr 5e-4 with no
# weight decay, no layer-wise lr decay and no gradient clipping; the COCO
# schedule otherwise (500-iteration linear warm-up from 0.001x, steps at
# 170/200, 210 epochs, lr for a total batch of 512).
_base_ = ['./vitpose_adamw_210e.py']

optim_wrapper = dict(
    _delete_=True,
    type='ViTPoseOptimWrapper',
    optimizer=dict(type='Adam', lr=5e-4))
