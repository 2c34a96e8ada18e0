"""The ViTPose MSRA codec against MMPose's MSRAHeatmap: batched encoding,
decoding in torch and ONNX, the registered codec class and the choice of
device codec."""
import numpy as np
import pytest
import torch
from mmpose.codecs import DecoupledHeatmap, MSRAHeatmap, UDPHeatmap
from mmpose.registry import KEYPOINT_CODECS

from vitpose_plugin.codecs import (ViTPoseMSRADecoder, ViTPoseMSRAHeatmap,
                                   ViTPoseUDPDecoder, batch_encode,
                                   in_graph_decoder, msra_gaussian_heatmaps)
from vitpose_plugin.deployment import onnx_session

from .helpers import (assert_batched_codec_matches, assert_encoding_matches,
                      export_decoder)


def random_keypoints(input_size, batch, seed):
    """(batch, 17, 2) keypoints inside, on the border and far outside the
    input, and (batch, 17) visibilities with some invisible and fractional
    ones."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-60, max(input_size) + 60,
                         (batch, 17, 2)).astype(np.float32)
    points[0, :6] = [[0, 0], [input_size[0] - 1, input_size[1] - 1],
                     [-7.4, 3], [input_size[0] + 20, 10], [1.99, 2.01],
                     [-25.9, -26.1]]
    visible = (rng.uniform(size=(batch, 17)) > 0.2).astype(np.float32)
    visible[0, 6:8] = [0.3, 0.7]
    return points, visible


@pytest.mark.parametrize('sigma', [2, 1.5, 3])
@pytest.mark.parametrize('input_size, heatmap_size',
                         [((192, 256), (48, 64)), ((256, 256), (64, 64)),
                          ((200, 260), (48, 64))])
def test_equals_mmpose_msra_encode(sigma, input_size, heatmap_size):
    points, visible = random_keypoints(input_size, batch=24,
                                       seed=int(sigma * 10))
    codec = MSRAHeatmap(input_size=input_size, heatmap_size=heatmap_size,
                        sigma=sigma)
    heatmaps, weights = msra_gaussian_heatmaps(
        torch.from_numpy(points), torch.from_numpy(visible), input_size,
        heatmap_size, sigma)
    assert_encoding_matches(codec, points, visible, heatmaps, weights)
    # the samples really have keypoints outside the heatmap (weight 0)
    assert (weights.numpy() == 0).sum() > (visible == 0).sum()


def noisy_heatmaps(codec, batch, seed):
    """(batch, 17, h, w) heatmaps of random keypoints (some on the border
    pixels), with noise."""
    rng = np.random.default_rng(seed)
    width, height = codec.input_size
    maps = []
    for _ in range(batch):
        keypoints = rng.uniform([0, 0], [width - 1, height - 1],
                                size=(1, 17, 2)).astype(np.float32)
        keypoints[0, :3] = [[0, 0], [5, height - 1], [width - 1, 6]]
        heatmaps = codec.encode(keypoints)['heatmaps']
        maps.append(heatmaps + rng.normal(0, 0.02, heatmaps.shape))
    return np.stack(maps).astype(np.float32)


@pytest.mark.parametrize('input_size, heatmap_size',
                         [((192, 256), (48, 64)), ((200, 260), (48, 64))])
def test_decoder_equals_mmpose_decode_in_torch_and_onnx(
        input_size, heatmap_size, tmp_path):
    codec = MSRAHeatmap(input_size=input_size, heatmap_size=heatmap_size,
                        sigma=2)
    heatmaps = noisy_heatmaps(codec, batch=3, seed=1)
    # maxima <= 0 (heatmap pixel (-1, -1)), at 0, on every border
    heatmaps[0, 3] = -np.abs(heatmaps[0, 3]) - 1e-3
    heatmaps[1, 4] = 0.
    heatmaps[2, 5] = 0.
    heatmaps[2, 5, 0, 1] = heatmaps[2, 6, 1, 0] = heatmaps[2, 7, 2, 1] = 5.
    decoder = ViTPoseMSRADecoder.from_codec(codec)
    keypoints, scores = decoder(torch.from_numpy(heatmaps))
    path = str(tmp_path / 'decoder.onnx')
    export_decoder(decoder, torch.from_numpy(heatmaps[:1]), path,
                   dynamo=False)
    onnx_keypoints, onnx_scores = onnx_session(path).run(
        None, {'heatmaps': heatmaps})
    for index, maps in enumerate(heatmaps):
        expected, expected_scores = codec.decode(maps.copy())
        for got in (keypoints[index].numpy(), onnx_keypoints[index]):
            np.testing.assert_allclose(got, expected[0], atol=1e-3, rtol=0)
        for got in (scores[index].numpy(), onnx_scores[index]):
            np.testing.assert_allclose(got, expected_scores[0], atol=1e-6)
    assert (keypoints[0, 3] < 0).all() and (keypoints[1, 4] < 0).all()


def test_codec_class_is_mmpose_msra_with_batched_methods():
    settings = dict(input_size=(192, 256), heatmap_size=(48, 64), sigma=2)
    codec = KEYPOINT_CODECS.build(dict(type='ViTPoseMSRAHeatmap', **settings))
    reference = MSRAHeatmap(**settings)
    assert isinstance(codec, MSRAHeatmap)
    points, visible = random_keypoints(settings['input_size'], 3, seed=4)
    assert_batched_codec_matches(codec, reference, points, visible,
                                 noisy_heatmaps(reference, batch=2, seed=5))
    with pytest.raises(ValueError, match='unbiased=True'):
        ViTPoseMSRAHeatmap((192, 256), (48, 64), unbiased=True)


def test_device_codec_chosen_by_codec_type():
    msra = dict(type='ViTPoseMSRAHeatmap', input_size=(192, 256),
                heatmap_size=(48, 64), sigma=2)
    udp = dict(msra, type='ViTPoseUDPHeatmap')
    assert isinstance(in_graph_decoder(msra), ViTPoseMSRADecoder)
    assert isinstance(in_graph_decoder(MSRAHeatmap(**msra_settings(msra))),
                      ViTPoseMSRADecoder)
    assert isinstance(in_graph_decoder(udp), ViTPoseUDPDecoder)
    with pytest.raises(ValueError, match='got DecoupledHeatmap'):
        in_graph_decoder(dict(type='DecoupledHeatmap'))
    with pytest.raises(ValueError, match='unbiased=True'):
        in_graph_decoder(dict(msra, type='MSRAHeatmap', unbiased=True))
    points, visible = random_keypoints((192, 256), 2, seed=6)
    points, visible = torch.from_numpy(points), torch.from_numpy(visible)
    for codec, other in ((MSRAHeatmap(**msra_settings(msra)),
                          UDPHeatmap(**msra_settings(udp))),
                         (UDPHeatmap(**msra_settings(udp)),
                          MSRAHeatmap(**msra_settings(msra)))):
        heatmaps, _ = batch_encode(codec, points, visible)
        expected = codec.encode(points[:1].numpy(), visible[:1].numpy())
        np.testing.assert_allclose(heatmaps[0].numpy(),
                                   expected['heatmaps'], atol=1e-5, rtol=0)
        assert not np.allclose(heatmaps[0].numpy(),
                               other.encode(points[:1].numpy(),
                                            visible[:1].numpy())['heatmaps'],
                               atol=1e-3)
    with pytest.raises(ValueError, match="type='ViTPoseMSRAHeatmap'"):
        batch_encode(MSRAHeatmap((192, 256), (48, 64), 2, unbiased=True),
                     points, visible)
    with pytest.raises(ValueError, match='DecoupledHeatmap'):
        batch_encode(DecoupledHeatmap((192, 256), (48, 64)), points,
                     visible)


def msra_settings(config):
    """A codec config without its type."""
    return {key: value for key, value in config.items() if key != 'type'}
