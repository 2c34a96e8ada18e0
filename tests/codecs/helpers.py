"""Checks of a batched codec against MMPose's per-sample one."""
import numpy as np
import torch


def assert_encoding_matches(reference, points, visible, heatmaps, weights):
    """Batched targets equal ``reference.encode`` of each sample: heatmaps
    within 1e-5, weights identical.

    Args:
        reference: MMPose's codec.
        points (np.ndarray): (B, K, 2) keypoints, float32.
        visible (np.ndarray): (B, K) visibilities.
        heatmaps (Tensor): (B, K, h, w) batched targets.
        weights (Tensor): (B, K) batched weights.
    """
    assert heatmaps.dtype == torch.float32
    for index in range(len(points)):
        expected = reference.encode(points[index:index + 1],
                                    visible[index:index + 1])
        np.testing.assert_allclose(heatmaps[index].numpy(),
                                   expected['heatmaps'], atol=1e-5, rtol=0)
        np.testing.assert_array_equal(weights[index:index + 1].numpy(),
                                      expected['keypoint_weights'])


def assert_batched_codec_matches(codec, reference, points, visible,
                                 heatmaps):
    """``codec.batch_encode`` and ``codec.batch_decode`` (MMPose's
    ``batch_decode`` contract: a (1, K, 2) and a (1, K) array per sample)
    equal ``reference``'s per-sample ``encode`` and ``decode``.

    Args:
        codec: The batched codec.
        reference: MMPose's codec with the same settings.
        points (np.ndarray): (B, K, 2) keypoints to encode, float32.
        visible (np.ndarray): (B, K) visibilities.
        heatmaps (np.ndarray): (B, K, h, w) heatmaps to decode.
    """
    assert codec.support_batch_decoding
    assert_encoding_matches(
        reference, points, visible,
        *codec.batch_encode(torch.from_numpy(points),
                            torch.from_numpy(visible)))
    keypoints, scores = codec.batch_decode(torch.from_numpy(heatmaps))
    for index, maps in enumerate(heatmaps):
        expected, expected_scores = reference.decode(maps.copy())
        assert keypoints[index].shape == expected.shape
        np.testing.assert_allclose(keypoints[index], expected, atol=1e-3)
        np.testing.assert_allclose(scores[index], expected_scores, atol=1e-6)


def export_decoder(decoder: torch.nn.Module, example: torch.Tensor,
                   path: str, dynamo: bool) -> None:
    """``decoder`` as an ONNX graph with a dynamic batch."""
    if dynamo:
        torch.onnx.export(decoder, (example, ), path,
                          input_names=['heatmaps'],
                          output_names=['keypoints', 'scores'],
                          dynamic_shapes={'heatmaps': {
                              0: torch.export.Dim('batch', min=1)}},
                          opset_version=18, dynamo=True)
    else:
        torch.onnx.export(decoder, (example, ), path,
                          input_names=['heatmaps'],
                          output_names=['keypoints', 'scores'],
                          dynamic_axes={'heatmaps': {0: 'b'},
                                        'keypoints': {0: 'b'},
                                        'scores': {0: 'b'}},
                          opset_version=17, dynamo=False)
