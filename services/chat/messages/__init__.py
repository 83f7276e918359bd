"""Messages between matched users: REST, WebSocket delivery, and the use-case that stores and announces one."""
