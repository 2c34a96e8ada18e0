"""The bad-sample policy of the loading transforms: fail, or skip and log."""
import logging
import os
from typing import Optional

from mmengine.logging import print_log

BAD_SAMPLE_POLICIES = ('error', 'skip')


def check_bad_sample_policy(policy: Optional[str], owner: str,
                            allow_none: bool = False) -> None:
    """Raise ``ValueError`` unless ``policy`` is ``'error'`` or ``'skip'``
    (or None where ``allow_none``).

    Args:
        policy (str, optional): The value given to ``owner``.
        owner (str): The transform's name, for the message.
        allow_none (bool): Accept None. Defaults to False.
    """
    if policy is None and allow_none:
        return
    if policy not in BAD_SAMPLE_POLICIES:
        raise ValueError(f'{owner}: bad_sample={policy!r}; use one of '
                         f'{BAD_SAMPLE_POLICIES}')


def describe_sample(results: dict) -> str:
    """``'annotation id 5, image id 7, file a.jpg'`` from what the sample
    has of ``id``, ``img_id`` and ``img_path``."""
    parts = []
    for key, label in (('id', 'annotation id'), ('img_id', 'image id'),
                       ('img_path', 'file')):
        if results.get(key) is not None:
            parts.append(f'{label} {results[key]}')
    return ', '.join(parts) or 'a sample without id, img_id or img_path'


def evaluation_advice(results: dict) -> str:
    """What to do about a bad sample of a ``test_mode`` (val/test) dataset,
    where ``bad_sample='skip'`` does not apply: fix or remove it in the
    file it comes from, the dataset's ``bbox_file`` (detected boxes) or its
    ``ann_file``, named with the sample's ids."""
    dataset = results.get('dataset')
    bbox_file = getattr(dataset, 'bbox_file', None)
    ann_file = getattr(dataset, 'ann_file', None)
    if bbox_file:
        where = (f'the box of image id {results.get("img_id")} in the '
                 f'detections file {bbox_file} (the dataset\'s bbox_file)')
    elif ann_file:
        where = (f'annotation id {results.get("id")} in {ann_file} (the '
                 "dataset's ann_file)")
    else:
        where = f'the annotation ({describe_sample(results)})'
    return ('validation and testing never skip a sample (a left-out '
            'ground truth would change the metrics; bad_sample=\'skip\' '
            f'applies to training only): fix or remove {where}')


def in_test_mode(results: dict) -> bool:
    """Whether the sample comes from a dataset with ``test_mode=True``
    (MMPose's datasets put themselves in ``results['dataset']``)."""
    return bool(getattr(results.get('dataset'), 'test_mode', False))


class BadSampleCounter:
    """Skips of one transform in one process, each logged with the running
    count.

    With data-loader workers every worker holds its own copy, so the count
    in a warning is that worker's (its pid is in the message); every bad
    sample is logged once per epoch by the worker that met it.

    Args:
        owner (str): The transform's name, for the messages.
    """

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.count = 0

    def skip(self, results: dict, reason: str) -> None:
        """Count and log one skipped sample (a warning via the current
        mmengine logger).

        Args:
            results (dict): The sample (for its ids and file).
            reason (str): What is wrong with it.
        """
        self.count += 1
        print_log(
            f'{self.owner}: skipped a bad sample ({describe_sample(results)})'
            f': {reason}; bad_sample=\'skip\', so the dataset draws another '
            f'sample instead [bad samples skipped: {self.count} by '
            f'{self.owner} in process {os.getpid()}]',
            logger='current',
            level=logging.WARNING)
