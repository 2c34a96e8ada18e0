# ViTPose-L -> ViTPose-B with the knowledge token only: the student trains on
# the ground truth with the frozen, projected t* of stage 1; no teacher runs.
_base_ = ['./td-hm_ViTPose-large-to-base-distill_8xb64-210e_coco-256x192.py']

model = dict(teacher=None, teacher_checkpoint=None, distill_loss=None)
