"""Check that torchrun's processes per node fit the visible GPUs, before
tools/dist_train.sh or tools/dist_test.sh launch them.

    python tools/check_dist_gpus.py NPROC [--script NAME]

Each process of a GPU run takes the GPU of its local rank, so more processes
than visible GPUs fail inside torchrun with an invalid-device error. Without
a visible GPU the processes run on the CPU with the gloo backend (any count).
Exits 1 with a message naming the problem and the fix, 0 otherwise.
"""
import argparse
import sys
from typing import List, Optional


def dist_gpus_problem(nproc: str, num_gpus: int,
                      script: str = 'tools/dist_train.sh') -> Optional[str]:
    """What is wrong with ``nproc`` processes per node on ``num_gpus`` GPUs.

    Args:
        nproc (str): torchrun's ``--nproc_per_node`` as given; its named
            values (``auto``, ``gpu``, ...) are left to torchrun.
        num_gpus (int): GPUs visible to the processes.
        script (str): Launcher named in the message.
            Defaults to ``'tools/dist_train.sh'``.

    Returns:
        str | None: The message, or None if the launch can go ahead.
    """
    if not nproc.lstrip('-').isdigit():
        return None
    count = int(nproc)
    if count < 1:
        return (f'{script}: the number of processes must be at least 1, got '
                f'{count}')
    if num_gpus == 0 or count <= num_gpus:
        return None
    return (f'{script}: {count} processes per node, but {num_gpus} GPU'
            f'{"s are" if num_gpus > 1 else " is"} visible (each process '
            f'needs a GPU of its own). Lower the number of processes to '
            f'{num_gpus} or fewer, or run on the CPU with the gloo backend: '
            f"CUDA_VISIBLE_DEVICES='' {script} ...")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('nproc', help='processes per node')
    parser.add_argument('--script', default='tools/dist_train.sh',
                        help='launcher named in the message')
    args = parser.parse_args(argv)
    import torch  # after the arguments: --help without loading torch
    problem = dist_gpus_problem(args.nproc, torch.cuda.device_count(),
                                args.script)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
