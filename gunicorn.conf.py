"""gunicorn settings: `gunicorn wsgi:app` reads this file from the working directory."""

import sys

bind = "127.0.0.1:8000"
workers = 2
threads = 4


def on_starting(server):
    # Refuse to start with one readable line when the database or Redis is down, or when
    # several workers would each keep their own rate-limit counts.
    from campaign import create_app
    from campaign.startup import check_services

    fatal, warnings = check_services(create_app(), processes=server.cfg.workers)
    for line in warnings:
        server.log.warning(line)
    if fatal:
        sys.exit("; ".join(fatal))
