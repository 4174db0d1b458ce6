"""The slow upstream: a FastAPI "external API" with configurable latency and faults."""
