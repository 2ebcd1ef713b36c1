class A(B, metaclass=M):
  @d
  @e(f)
  async def m(self, /, a, *b: int, c: "x" = 1, **d) -> None: ...
