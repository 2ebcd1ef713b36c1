if x:
    y = 1
    # comment
  
    z = f(1,
          2)