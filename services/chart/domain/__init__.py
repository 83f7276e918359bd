"""Pure calculation rules: no I/O, no gRPC, safe to run in any worker process."""
