# MMPose's AI Challenger metainfo (names, flip pairs, skeleton) with its OKS
# sigmas x 3.6, for the synthetic AIC-style figures. AIC's own sigmas are
# 2-6x tighter than COCO's for the same joints (shoulders 0.014 vs 0.079);
# the tiny models of docs/multi_dataset.md score AP ~0.001 with them, which
# ranks nothing. 3.6 gives AIC's 12 body joints the mean COCO sigma of the
# same joints (0.083) and keeps AIC's relative tolerances.
_base_ = ['mmpose::_base_/datasets/aic.py']

dataset_info = dict(sigmas=[
    0.04997, 0.05455, 0.03808, 0.05104, 0.05392, 0.05048, 0.14075, 0.13273,
    0.07134, 0.13838, 0.12284, 0.08694, 0.04649, 0.0445
])
