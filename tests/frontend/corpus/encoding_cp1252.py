#!/usr/bin/env python
# vim: set fileencoding=cp1252 :
quotes = "“smart” ‘quotes’ – and — dashes… €100 ™ œuvre Šš"  # cp1252 0x80-0x9F
def f(œ, Ž=1):
    return œ, Ž, "‰"
