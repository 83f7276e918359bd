"""Local run of the whole system on real Postgres, Redis, NATS and Traefik, all from PyPI packages
(no root, no Docker). Used by ``make run`` and by the integration and end-to-end tests."""
