# COFW face landmarks (29, occluded faces), as wflw_topdown_256x256.py but
# with MMPose's COFW settings (face_2d_keypoint/topdown_heatmap/cofw/
# td-hm_hrnetv2-w18_8xb64-60e_cofw-256x256.py): heatmap sigma 1.5,
# cofw_train / cofw_test (NME normalised by the eye centres). Point a config
# at your copy with --cfg-options data_root=/path/to/cofw/
_base_ = ['./wflw_topdown_256x256.py']

codec = dict(sigma=1.5)
dataset_type = 'COFWDataset'
data_root = 'data/cofw/'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/cofw_train.json'))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/cofw_test.json'))
test_dataloader = val_dataloader
