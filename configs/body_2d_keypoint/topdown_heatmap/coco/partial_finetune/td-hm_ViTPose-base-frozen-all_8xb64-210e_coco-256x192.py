# Partial fine-tuning ablation (paper sec. 4.5): ViTPose-B on COCO 256x192
# with the whole MAE-initialised backbone frozen (embeddings, 12 blocks,
# final norm); only the decoder trains.
# Frozen parameters get no gradients, are left out of the optimizer, and
# their modules stay in eval mode (no dropout/drop path) through train().
_base_ = ['../td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

model = dict(backbone=dict(frozen_stages=12))
