f"{x!r:{width}.{prec}}" f"{{}}" f"{x=:>10}"
