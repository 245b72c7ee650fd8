// strata-bench: db_bench-style workloads on StrataStorage. Flags in StrataBench.swift, workloads in
// Workloads.swift; run with `swift build -c release --product strata-bench`.
StrataBench.main()
