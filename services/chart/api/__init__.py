"""The gRPC edge of the chart service."""
