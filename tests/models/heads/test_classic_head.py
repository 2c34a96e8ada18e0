import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import MSRAHeatmap
from mmpose.structures import PoseDataSample

from vitpose_plugin.models import ViTPoseClassicHead

CODEC = dict(
    type='UDPHeatmap', input_size=(192, 256), heatmap_size=(48, 64), sigma=2)


def make_head(**kwargs):
    cfg = dict(in_channels=32, out_channels=17, decoder=CODEC)
    cfg.update(kwargs)
    head = ViTPoseClassicHead(**cfg)
    head.init_weights()
    return head


def make_samples(batch, keypoints=17, heatmap_size=(64, 48)):
    samples = []
    for i in range(batch):
        sample = PoseDataSample()
        sample.gt_fields = PixelData(
            heatmaps=torch.rand(keypoints, *heatmap_size))
        weights = torch.ones(1, keypoints)
        weights[0, i % keypoints] = 0
        sample.gt_instance_labels = InstanceData(keypoint_weights=weights)
        sample.set_metainfo(dict(flip_indices=list(range(keypoints))))
        samples.append(sample)
    return samples


def test_layers_follow_the_classic_decoder():
    head = make_head()
    kinds = [type(m).__name__ for m in head.deconv_layers]
    assert kinds == ['ConvTranspose2d', 'BatchNorm2d', 'ReLU'] * 2
    deconv = head.deconv_layers[0]
    assert (deconv.kernel_size, deconv.stride, deconv.padding) == \
        ((4, 4), (2, 2), (1, 1))
    assert deconv.bias is None and deconv.out_channels == 256
    assert head.final_layer.kernel_size == (1, 1)
    # Same state-dict keys as the official and MMPose 1.x checkpoints.
    keys = set(head.state_dict())
    assert {'deconv_layers.0.weight', 'deconv_layers.1.running_mean',
            'deconv_layers.3.weight', 'deconv_layers.4.weight',
            'final_layer.weight', 'final_layer.bias'} <= keys


def test_forward_shape_is_four_times_the_feature_map():
    head = make_head()
    out = head((torch.rand(2, 32, 16, 12), ))
    assert out.shape == (2, 17, 64, 48)


def test_loss_is_weighted_mse_and_reports_accuracy():
    head = make_head()
    feats = (torch.rand(2, 32, 16, 12), )
    samples = make_samples(2)
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_kpt', 'acc_pose'}

    heatmaps = head(feats)
    targets = torch.stack([s.gt_fields.heatmaps for s in samples])
    weights = torch.cat([s.gt_instance_labels.keypoint_weights
                         for s in samples])
    # KeypointMSELoss: mean over samples, keypoints and pixels of the
    # squared error, each keypoint weighted by its target weight.
    expected = ((heatmaps - targets)**2).mean(dim=(2, 3)) * weights
    torch.testing.assert_close(losses['loss_kpt'], expected.mean())
    losses['loss_kpt'].backward()
    assert head.final_layer.weight.grad is not None


def test_predict_decodes_keypoints_at_the_heatmap_peak():
    head = make_head()
    feats = (torch.rand(1, 32, 16, 12), )
    peak = torch.zeros(1, 17, 64, 48)
    peak[0, :, 20, 10] = 1.0
    head.forward = lambda _: peak  # decode a known heatmap
    (pred, ) = head.predict(feats, make_samples(1))
    assert pred.keypoints.shape == (1, 17, 2)
    assert pred.keypoint_scores.shape == (1, 17)
    # UDP maps heatmap pixel (x=10, y=20) to input (10*191/47, 20*255/63).
    np.testing.assert_allclose(
        pred.keypoints[0, 0], [10 * 191 / 47, 20 * 255 / 63], atol=0.5)


def test_predict_with_flip_test_and_heatmaps():
    head = make_head().eval()
    feats = torch.rand(1, 32, 16, 12)
    preds, fields = head.predict([(feats, ), (feats.flip(-1), )],
                                 make_samples(1),
                                 dict(flip_test=True, output_heatmaps=True))
    assert preds[0].keypoints.shape == (1, 17, 2)
    assert fields[0].heatmaps.shape == (17, 64, 48)


def test_msra_flip_test_shifts_the_flipped_heatmaps():
    """MSRA configs (shift_heatmap=True): the flipped image's heatmaps,
    mirrored back, move one pixel right (column 0 kept) before averaging,
    as MMPose 1.x's flip_heatmaps; MSRAHeatmap decodes the average."""
    msra = dict(CODEC, type='ViTPoseMSRAHeatmap')
    head = make_head(decoder=msra).eval()
    feats = torch.rand(1, 32, 16, 12)
    with torch.no_grad():
        preds, fields = head.predict(
            [(feats, ), (feats.flip(-1), )], make_samples(1),
            dict(flip_test=True, shift_heatmap=True, output_heatmaps=True))
        original = head.forward((feats, ))[0]
        mirrored = head.forward((feats.flip(-1), ))[0].flip(-1)
    shifted = torch.cat([mirrored[..., :1], mirrored[..., :-1]], dim=-1)
    expected = (original + shifted) / 2
    torch.testing.assert_close(fields[0].heatmaps, expected)
    assert not torch.allclose(expected, (original + mirrored) / 2)
    keypoints, scores = MSRAHeatmap(**{k: v for k, v in msra.items()
                                       if k != 'type'}).decode(
        expected.numpy())
    np.testing.assert_allclose(preds[0].keypoints, keypoints, atol=1e-3)
    np.testing.assert_allclose(preds[0].keypoint_scores, scores, atol=1e-6)


def test_mismatched_keypoint_count_is_a_clear_error():
    head = make_head(out_channels=14)
    with pytest.raises(ValueError, match='out_channels=14'):
        head.loss((torch.rand(1, 32, 16, 12), ), make_samples(1, 17))


def test_mismatched_backbone_width_is_a_clear_error():
    head = make_head()
    with pytest.raises(ValueError, match='in_channels'):
        head((torch.rand(1, 64, 16, 12), ))


@pytest.mark.parametrize('kwargs, match', [
    (dict(deconv_kernel_sizes=(4, 5)), 'kernel size'),
    (dict(deconv_out_channels=(256, )), 'same length'),
    (dict(final_kernel_size=2), 'odd'),
    (dict(out_channels=0), 'out_channels'),
])
def test_bad_settings_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_head(**kwargs)
