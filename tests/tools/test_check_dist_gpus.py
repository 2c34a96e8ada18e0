"""tools/check_dist_gpus.py: dist_train.sh / dist_test.sh refuse more
processes than visible GPUs before launching torchrun."""
import subprocess

import pytest

from .helpers import REPO_ROOT, load_tool, tool_env

check = load_tool('check_dist_gpus')


def test_more_processes_than_gpus_is_refused_with_the_fix():
    problem = check.dist_gpus_problem('2', 1, 'tools/dist_train.sh')
    assert problem.startswith('tools/dist_train.sh: 2 processes per node, '
                              'but 1 GPU is visible')
    assert 'Lower the number of processes to 1 or fewer' in problem
    assert "CUDA_VISIBLE_DEVICES='' tools/dist_train.sh" in problem
    assert '8 processes per node, but 4 GPUs are visible' in \
        check.dist_gpus_problem('8', 4)


@pytest.mark.parametrize('nproc,num_gpus', [
    ('2', 0),  # no GPU: CPU processes with gloo, any number
    ('1', 1), ('4', 8), ('8', 8),
    ('auto', 1), ('gpu', 2),  # torchrun's named values are left to it
])
def test_launch_goes_ahead(nproc, num_gpus):
    assert check.dist_gpus_problem(nproc, num_gpus) is None


def test_no_process_is_refused():
    assert 'must be at least 1, got 0' in check.dist_gpus_problem('0', 0)


@pytest.mark.parametrize('script,args', [
    ('dist_train.sh', ['missing_config.py', '0']),
    ('dist_test.sh', ['missing_config.py', 'missing.pth', '0']),
])
def test_scripts_check_before_torchrun(script, args):
    """The launchers run the check: a refused count stops them before
    torchrun (which would report its own, different error)."""
    proc = subprocess.run(['bash', f'tools/{script}', *args], cwd=REPO_ROOT,
                          env=tool_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout.strip() == (f'tools/{script}: the number of processes '
                                   f'must be at least 1, got 0')
