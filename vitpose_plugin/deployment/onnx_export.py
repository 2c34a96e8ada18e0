"""Export a top-down ViTPose model to ONNX and check it with onnxruntime."""
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from torch import nn

from ..checkpoints.files import staged_output
from .export_model import ViTPoseExportModel

INPUT_NAME = 'crops'
HEATMAPS, KEYPOINTS, SCORES = 'heatmaps', 'keypoints', 'scores'
#: Default opset per exporter (torch's dynamo exporter writes >= 18).
DEFAULT_OPSET = dict(torchscript=17, dynamo=18)


def input_hw(model: nn.Module) -> Tuple[int, int]:
    """(H, W) of the model input, from its backbone's ``img_size``."""
    size = getattr(model.backbone, 'img_size', None)
    if size is None:
        raise ValueError(f'{type(model.backbone).__name__} has no img_size; '
                         f'cannot tell the input size to export with')
    return tuple(size) if isinstance(size, (tuple, list)) else (size, size)


def output_names(decode: bool) -> List[str]:
    """Names of the exported outputs."""
    return [HEATMAPS, KEYPOINTS, SCORES] if decode else [HEATMAPS]


def default_opset(dynamo: bool) -> int:
    """The opset ``export_onnx`` writes when none is given: 17 with the
    TorchScript-based exporter, 18 with the dynamo one."""
    return DEFAULT_OPSET['dynamo' if dynamo else 'torchscript']


def external_data_path(output: str) -> str:
    """The file ``export_onnx`` keeps the weights of ``output`` in, where
    they are external (every dynamo export, models over 2 GB):
    ``<output>.data``."""
    return f'{output}.data'


def _one_external_data_file(path: str) -> None:
    """Gather the external tensors of the ONNX file ``path`` into
    :func:`external_data_path` (the TorchScript exporter writes one file per
    tensor, named after it, for models over 2 GB), so that an export's
    files are known before it runs. Other files in ``path``'s folder are
    removed: call it only in a folder of its own."""
    import onnx
    folder, name = osp.split(path)
    others = [entry for entry in os.listdir(folder)
              if entry not in (name, osp.basename(external_data_path(name)))]
    if not others:
        return
    model = onnx.load(path)  # with its external data
    for entry in others:
        os.remove(osp.join(folder, entry))
    onnx.save_model(model, path, save_as_external_data=True,
                    all_tensors_to_one_file=True,
                    location=osp.basename(external_data_path(name)))


def traced_batch_size(batch_size: int, dynamic_batch: bool,
                      dynamo: bool) -> int:
    """Batch of the example ``export_onnx`` traces with.

    ``batch_size``, except for a dynamic batch with the dynamo exporter:
    ``torch.export`` specialises a dimension of size 1 (the graph would
    then refuse every other batch), so the example has at least 2 crops.
    The graph still accepts batch 1.
    """
    return max(batch_size, 2) if dynamo and dynamic_batch else batch_size


def export_onnx(model: nn.Module,
                output: str,
                opset: Optional[int] = None,
                batch_size: int = 1,
                dynamic_batch: bool = True,
                decode: bool = False,
                fp16: bool = False,
                dynamo: bool = False) -> ViTPoseExportModel:
    """Trace ``model`` (a single-dataset top-down ViTPose, eval mode) into
    an ONNX file with input ``crops`` and outputs ``heatmaps`` (+
    ``keypoints``, ``scores``).

    Args:
        model (nn.Module): The model (``init_pose_model``), on the CPU.
        output (str): The .onnx file, replaced if it exists (models over
            2 GB and dynamo exports keep their weights next to it, in
            ``external_data_path(output)``). Both are written through a
            temporary folder beside them and moved into place only once
            the file passes ``onnx.checker``.
        opset (int, optional): ONNX opset, 14 to 20 (SDPA needs 14; the
            dynamo exporter needs 18). Defaults to None: 17 with the
            TorchScript-based exporter, 18 with the dynamo one.
        batch_size (int): Batch of the traced example (at least 2 with
            ``dynamo`` and a dynamic batch: ``traced_batch_size``).
            Defaults to 1.
        dynamic_batch (bool): Leave the batch dimension free. Defaults to
            True.
        decode (bool): Also output the keypoints and scores the head's
            codec decodes (UDP or MSRA heatmaps). Defaults to False.
        fp16 (bool): Network in float16 (I/O stay float32). Defaults to
            False.
        dynamo (bool): Use torch's ``torch.export``-based exporter (needs
            onnxscript and opset >= 18) instead of the TorchScript-based
            one. Defaults to False.

    Returns:
        ViTPoseExportModel: The traced module (for comparisons).
    """
    if opset is None:
        opset = default_opset(dynamo)
    if not 14 <= opset <= 20:
        raise ValueError(f'opset must be in [14, 20] (scaled dot-product '
                         f'attention needs 14), got {opset}')
    if dynamo and opset < 18:
        raise ValueError(f'the dynamo exporter writes opset >= 18, got '
                         f'{opset} (leave the opset out for 18)')
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    wrapper = ViTPoseExportModel(model, decode=decode, half=fp16).eval()
    height, width = input_hw(model)
    example = torch.rand(
        traced_batch_size(batch_size, dynamic_batch, dynamo), 3, height,
        width) * 255
    names = output_names(decode)
    # the two exporters name the dynamic batch dimension differently
    if dynamo:
        exporter_args = dict(dynamo=True, dynamic_shapes={
            INPUT_NAME: {0: torch.export.Dim('batch', min=1)}
        } if dynamic_batch else None)
    else:
        exporter_args = dict(
            dynamo=False,
            do_constant_folding=True,
            dynamic_axes={name: {0: 'batch'}
                          for name in [INPUT_NAME, *names]}
            if dynamic_batch else None)
    import onnx
    with staged_output(output) as staged, torch.no_grad():
        torch.onnx.export(
            wrapper, (example, ),
            staged,
            input_names=[INPUT_NAME],
            output_names=names,
            opset_version=opset,
            **exporter_args)
        _one_external_data_file(staged)
        onnx.checker.check_model(staged)
    return wrapper


def onnx_session(path: str, threads: Optional[int] = None):
    """An onnxruntime CPU session of ``path``.

    Args:
        path (str): The .onnx file.
        threads (int, optional): Intra-op threads; None lets onnxruntime
            choose. Defaults to None.
    """
    try:
        import onnxruntime as ort
    except ImportError as error:
        raise ImportError('onnxruntime is not installed: pip install '
                          'onnxruntime (requirements/deploy.txt)') from error
    if not osp.isfile(path):
        raise FileNotFoundError(f'no ONNX model at {osp.abspath(path)}')
    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(
        path, options, providers=['CPUExecutionProvider'])


def compare_with_onnxruntime(wrapper: nn.Module, path: str,
                             batch_size: int = 2,
                             seed: int = 0) -> Dict[str, float]:
    """Max |ONNX - PyTorch| per output on random crops of ``batch_size``.

    Returns:
        dict: output name -> max absolute difference (keypoints and
        scores only where the score is > 0).
    """
    session = onnx_session(path)
    names = [out.name for out in session.get_outputs()]
    shape = session.get_inputs()[0].shape
    generator = torch.Generator().manual_seed(seed)
    crops = torch.rand(batch_size, 3, shape[2], shape[3],
                       generator=generator) * 255
    with torch.no_grad():
        expected = wrapper(crops)
    if isinstance(expected, torch.Tensor):
        expected = (expected, )
    got = session.run(names, {INPUT_NAME: crops.numpy()})
    diffs = {}
    found = None
    for name, ref, out in zip(names, expected, got):
        ref = ref.float().numpy()
        if name == SCORES:
            found = ref > 0
        diffs[name] = ref, out
    result = {}
    for name, (ref, out) in diffs.items():
        if out.shape != ref.shape:
            raise AssertionError(f'{name}: ONNX shape {out.shape} vs '
                                 f'PyTorch {ref.shape}')
        if name in (KEYPOINTS, SCORES) and found is not None:
            mask = found if name == SCORES else found[..., None].repeat(
                2, axis=-1)
            ref, out = ref[mask], out[mask]
        result[name] = float(np.abs(out.astype(np.float64) - ref).max()) \
            if ref.size else 0.0
    return result


__all__ = [
    'HEATMAPS', 'INPUT_NAME', 'KEYPOINTS', 'SCORES',
    'compare_with_onnxruntime', 'default_opset', 'export_onnx',
    'external_data_path', 'input_hw',
    'onnx_session', 'output_names', 'traced_batch_size'
]
