"""Events between services: versioned schemas, a transactional outbox, durable idempotent consumers."""
