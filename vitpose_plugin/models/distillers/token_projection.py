"""Map a teacher's knowledge token to the student's width."""
from torch import nn

#: ``token_projection`` choices of :class:`ViTPoseTokenDistiller`.
TOKEN_PROJECTIONS = ('auto', 'linear')


def build_token_projection(teacher_dims: int, student_dims: int,
                           kind: str = 'auto') -> nn.Module:
    """The map applied to t* before the student sees it.

    ``'auto'``: identity when the widths agree (the paper's frozen t*), a
    learned bias-free linear map otherwise; ``'linear'``: always that map.
    The map is trained with the student in stage 2 while t* stays frozen;
    extraction stores the projected token in the student checkpoint.

    Args:
        teacher_dims (int): Width of t*.
        student_dims (int): Width of the student's tokens.
        kind (str): ``'auto'`` or ``'linear'``. Defaults to ``'auto'``.
    """
    if kind not in TOKEN_PROJECTIONS:
        raise ValueError(f'token_projection must be one of '
                         f'{TOKEN_PROJECTIONS}, got {kind!r}')
    if kind == 'auto' and teacher_dims == student_dims:
        return nn.Identity()
    projection = nn.Linear(teacher_dims, student_dims, bias=False)
    # (Semi-)orthogonal: starts as t* seen in a random D_student-dim basis,
    # at t*'s scale rather than rescaled by a fan-in dependent init.
    nn.init.orthogonal_(projection.weight)
    return projection
