"""The ViTPose UDP codec against MMPose's UDPHeatmap: batched encoding,
decoding in torch and ONNX, and the registered codec class."""
import numpy as np
import pytest
import torch
from mmpose.codecs import MSRAHeatmap, UDPHeatmap
from mmpose.registry import KEYPOINT_CODECS

from vitpose_plugin.codecs import (ViTPoseUDPDecoder, ViTPoseUDPHeatmap,
                                   udp_gaussian_heatmaps)
from vitpose_plugin.deployment import onnx_session

from .helpers import assert_batched_codec_matches, export_decoder


def noisy_heatmaps(codec: UDPHeatmap, batch: int, seed: int) -> np.ndarray:
    """(batch, 17, h, w) heatmaps of random keypoints, with noise."""
    rng = np.random.default_rng(seed)
    width, height = codec.input_size
    maps = []
    for _ in range(batch):
        keypoints = rng.uniform([2, 2], [width - 3, height - 3],
                                size=(1, 17, 2)).astype(np.float32)
        heatmaps = codec.encode(keypoints)['heatmaps']
        maps.append(heatmaps + rng.normal(0, 0.02, heatmaps.shape))
    return np.stack(maps).astype(np.float32)


@pytest.mark.parametrize('blur,size', [(11, (48, 64)), (7, (24, 32))])
def test_matches_mmpose_decode(blur, size, tmp_path):
    width, height = size
    codec = UDPHeatmap(input_size=(4 * width, 4 * height),
                       heatmap_size=size, sigma=2, blur_kernel_size=blur)
    heatmaps = noisy_heatmaps(codec, batch=3, seed=blur)
    decoder = ViTPoseUDPDecoder.from_codec(codec)
    keypoints, scores = decoder(torch.from_numpy(heatmaps))
    for index, maps in enumerate(heatmaps):
        expected, expected_scores = codec.decode(maps.copy())
        np.testing.assert_allclose(keypoints[index].numpy(), expected[0],
                                   atol=1e-3)
        np.testing.assert_allclose(scores[index].numpy(),
                                   expected_scores[0], atol=1e-6)
    # The same decoding in an ONNX graph, on another batch size.
    path = str(tmp_path / 'decoder.onnx')
    export_decoder(decoder, torch.from_numpy(heatmaps[:1]), path,
                   dynamo=False)
    onnx_keypoints, _ = onnx_session(path).run(None,
                                               {'heatmaps': heatmaps})
    np.testing.assert_allclose(onnx_keypoints, keypoints.numpy(), atol=1e-3)


@pytest.mark.parametrize('dynamo', [False, True])
def test_non_positive_maxima_match_mmpose(dynamo, tmp_path):
    """Keypoints whose heatmap is nowhere positive (score <= 0): MMPose
    puts them at heatmap pixel (-1, -1) and refines them there (its DARK-UDP
    step then reads the previous keypoint's heatmap, the last one's for
    keypoint 0); torch module and ONNX graph give the same coordinates.
    A heatmap of zeros gives NaN, as in MMPose."""
    codec = UDPHeatmap(input_size=(96, 128), heatmap_size=(24, 32), sigma=2,
                       blur_kernel_size=11)
    heatmaps = noisy_heatmaps(codec, batch=2, seed=3)
    # Score <= 0: the first keypoint (wraps to the last heatmap), two
    # neighbours, keypoints after positive ones (negative noise), a maximum
    # of exactly 0, a heatmap of zeros.
    heatmaps[0, [0, 5, 6, 9]] = -np.abs(heatmaps[0, [0, 5, 6, 9]]) - 1e-3
    heatmaps[1, [0, 16]] = -np.abs(heatmaps[1, [0, 16]]) - 1e-3
    heatmaps[1, 3] = -1.
    heatmaps[1, 3, 5, 7] = 0.
    heatmaps[1, 8] = 0.
    decoder = ViTPoseUDPDecoder.from_codec(codec)
    keypoints, scores = decoder(torch.from_numpy(heatmaps))
    path = str(tmp_path / 'decoder.onnx')
    export_decoder(decoder, torch.from_numpy(heatmaps), path, dynamo)
    onnx_keypoints, onnx_scores = onnx_session(path).run(
        None, {'heatmaps': heatmaps})
    for index, maps in enumerate(heatmaps):
        with np.errstate(invalid='ignore', divide='ignore'):
            expected, expected_scores = codec.decode(maps.copy())
        assert (expected_scores[0] <= 0).sum() == 4
        for got in (keypoints[index].numpy(), onnx_keypoints[index]):
            np.testing.assert_allclose(got, expected[0], atol=1e-3)
        np.testing.assert_allclose(onnx_scores[index], expected_scores[0],
                                   atol=1e-6)
    assert np.isnan(onnx_keypoints[1, 8]).all()
    assert not np.isnan(onnx_keypoints[0]).any()


def test_other_codecs_are_refused():
    with pytest.raises(ValueError, match='supports UDPHeatmap'):
        ViTPoseUDPDecoder.from_codec(
            MSRAHeatmap(input_size=(192, 256), heatmap_size=(48, 64),
                        sigma=2))
    with pytest.raises(ValueError, match='odd'):
        ViTPoseUDPDecoder((48, 64), (12, 16), 4)


@pytest.mark.parametrize('sigma', [2, 1.5, 3])
@pytest.mark.parametrize('input_size, heatmap_size',
                         [((192, 256), (48, 64)), ((256, 256), (64, 64))])
def test_equals_mmpose_udp_codec(sigma, input_size, heatmap_size):
    rng = np.random.default_rng(0)
    batch, keypoints = 24, 17
    # inside, on the border and far outside the crop, some invisible
    points = rng.uniform(-60, max(input_size) + 60,
                         (batch, keypoints, 2)).astype(np.float32)
    points[0, :4] = [[0, 0], [input_size[0] - 1, input_size[1] - 1],
                     [-7.4, 3], [input_size[0] + 20, 10]]
    visible = (rng.uniform(size=(batch, keypoints)) > 0.2).astype(np.float32)
    codec = UDPHeatmap(input_size=input_size, heatmap_size=heatmap_size,
                       sigma=sigma)
    encoded = [codec.encode(points[i:i + 1], visible[i:i + 1])
               for i in range(batch)]
    heatmaps, weights = udp_gaussian_heatmaps(
        torch.from_numpy(points), torch.from_numpy(visible), input_size,
        heatmap_size, sigma)
    reference = np.stack([e['heatmaps'] for e in encoded])
    assert heatmaps.dtype == torch.float32
    np.testing.assert_allclose(heatmaps.numpy(), reference, atol=1e-5,
                               rtol=0)
    np.testing.assert_array_equal(
        weights.numpy(), np.concatenate([e['keypoint_weights']
                                         for e in encoded]))
    # the sample really has keypoints outside the heatmap (weight 0)
    assert (weights.numpy() == 0).sum() > (visible == 0).sum()


def test_codec_class_is_mmpose_udp_with_batched_methods():
    settings = dict(input_size=(96, 128), heatmap_size=(24, 32), sigma=2,
                    blur_kernel_size=7)
    codec = KEYPOINT_CODECS.build(dict(type='ViTPoseUDPHeatmap', **settings))
    reference = UDPHeatmap(**settings)
    assert isinstance(codec, UDPHeatmap)
    rng = np.random.default_rng(4)
    points = rng.uniform(-5, 100, (3, 17, 2)).astype(np.float32)
    visible = (rng.uniform(size=(3, 17)) > 0.2).astype(np.float32)
    assert_batched_codec_matches(codec, reference, points, visible,
                                 noisy_heatmaps(reference, batch=2, seed=5))
    with pytest.raises(ValueError, match='gaussian heatmaps only'):
        ViTPoseUDPHeatmap((96, 128), (24, 32), heatmap_type='combined')
