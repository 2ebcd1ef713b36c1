x = """unterminated
