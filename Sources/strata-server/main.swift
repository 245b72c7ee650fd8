print("strata-server: not yet")
