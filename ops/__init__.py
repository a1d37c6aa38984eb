"""Operations: health checks, request ids and structured logs, log redaction, rate limits.

Infrastructure only: nothing here imports the shop's models at module level, so logging can be
configured (and the health checks answer) before anything else is ready.
"""
