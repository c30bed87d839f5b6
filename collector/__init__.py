"""OTLP intake over HTTP and gRPC: decoding, validation, privacy guard, agent tokens,
cumulative→delta, batched durable writes; the SAMU traffic simulator.
"""
