def f(a, b=(yield)):
  return [*a, *b], {**a}, (x for x in a), -a ** -b, not a < b < c
