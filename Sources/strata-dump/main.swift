print("strata-dump: not yet")
