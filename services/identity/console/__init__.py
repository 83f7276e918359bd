"""The admin web console at ``/admin/``: sign-in, overview, users, leads, reports, Vedic cache, audit log."""
