# UTF-8 BOM
x = "é"; y = 1
