"""``neuronxcc.nki.typing`` (``nt``): ``nt.tensor[[shape], dtype]`` annotations and placeholders (``nki.profile``
accepts them as arguments: only their shape and dtype matter), and ``nt.mutable_tensor`` for inputs the
kernel writes (2.21+: such an input must also be returned)."""

from nki.typing import tensor


class mutable_tensor(tensor):
    """An input the kernel may modify: ``def k(a: nt.mutable_tensor): ...; return a``."""

    __slots__ = ()


__all__ = ["tensor", "mutable_tensor"]
