"""ViTPoseUDPDecoder against MMPose's UDPHeatmap.decode, in torch and ONNX."""
import numpy as np
import pytest
import torch
from mmpose.codecs import MSRAHeatmap, UDPHeatmap

from vitpose_plugin.deployment import ViTPoseUDPDecoder, onnx_session


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
    torch.onnx.export(decoder, (torch.from_numpy(heatmaps[:1]), ), path,
                      input_names=['heatmaps'],
                      output_names=['keypoints', 'scores'],
                      dynamic_axes={'heatmaps': {0: 'b'},
                                    'keypoints': {0: 'b'},
                                    'scores': {0: 'b'}},
                      opset_version=17, dynamo=False)
    onnx_keypoints, _ = onnx_session(path).run(None,
                                               {'heatmaps': heatmaps})
    np.testing.assert_allclose(onnx_keypoints, keypoints.numpy(), atol=1e-3)


def test_flat_heatmap_has_no_keypoint():
    decoder = ViTPoseUDPDecoder((48, 64), (12, 16), 5)
    heatmaps = torch.zeros(1, 2, 16, 12)
    heatmaps[0, 1, 3, 4] = 1.
    keypoints, scores = decoder(heatmaps)
    assert scores[0, 0] == 0 and (keypoints[0, 0] < 0).all()
    assert scores[0, 1] == 1 and (keypoints[0, 1] > 0).all()


def test_other_codecs_are_refused():
    with pytest.raises(ValueError, match='supports UDPHeatmap'):
        ViTPoseUDPDecoder.from_codec(
            MSRAHeatmap(input_size=(192, 256), heatmap_size=(48, 64),
                        sigma=2))
    with pytest.raises(ValueError, match='odd'):
        ViTPoseUDPDecoder((48, 64), (12, 16), 4)
