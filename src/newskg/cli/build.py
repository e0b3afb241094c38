"""CLI commands of the build pipeline: build, stats, explain, check."""
