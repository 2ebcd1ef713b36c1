# CRLF line endings, a form feed and a lone CR-free continuation.
def f(a,
      b):
    x = """line1
line2\
line3"""
    y = f"""{a
}"""
    return a + \
        b

class C:
    pass
s = 'a\
b'
