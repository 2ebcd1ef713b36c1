def f(
  a,
  *,
  # comment
  b):
	if a:
		return (
  b)
