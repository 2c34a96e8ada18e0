"""The transformer feed-forward network."""
from torch import Tensor, nn


class Mlp(nn.Module):
    """Two linear layers with a GELU in between (``fc1`` -> GELU -> ``fc2``).

    Args:
        in_dims (int): Input and output width.
        hidden_dims (int): Hidden width.
        drop (float): Dropout after each linear layer. Defaults to 0.
    """

    def __init__(self, in_dims: int, hidden_dims: int,
                 drop: float = 0.) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_dims, hidden_dims)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dims, in_dims)
        self.drop = nn.Dropout(drop)

    def forward(self, x: Tensor) -> Tensor:
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))
