"""gunicorn's access log with tokens and search terms masked (wired in config/gunicorn.conf.py
as `logger_class`). Kept apart from `portal.logmask` so Django's logging never imports gunicorn.
"""

from gunicorn.glogging import Logger

from portal.logmask import mask


class MaskingLogger(Logger):
    """Every access-log atom goes through `portal.logmask.mask`: the request line (%(r)s), path
    (%(U)s), query (%(q)s), Referer (%(f)s), and the header, response-header and environ atoms
    ({referer}i, {location}o, {raw_uri}e …) a custom access_log_format might use, so a resume
    link never reaches the log whichever format an operator chooses."""

    def atoms(self, resp, req, environ, request_time):
        return {key: mask(value) for key, value in super().atoms(resp, req, environ, request_time).items()}
