# 300W face landmarks (68), as wflw_topdown_256x256.py but with MMPose's
# 300W settings (face_2d_keypoint/topdown_heatmap/300w/td-hm_hrnetv2-w18_
# 8xb64-60e_300w-256x256.py): heatmap sigma 1.5, train / valid splits
# (NME normalised by the outer eye corners). Point a config at your copy
# with --cfg-options data_root=/path/to/300w/
_base_ = ['./wflw_topdown_256x256.py']

codec = dict(sigma=1.5)
dataset_type = 'Face300WDataset'
data_root = 'data/300w/'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/face_landmarks_300w_train.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/face_landmarks_300w_valid.json'))
test_dataloader = val_dataloader
