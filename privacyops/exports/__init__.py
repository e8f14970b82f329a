"""Long exports as background jobs (issue 16): the desk starts a file, sees its progress, and
downloads it when it is ready; the web request never streams for minutes.

Apps register what can be exported (``registry.register``); ``services`` runs a job in a Celery
worker, seals the file in chunks (``privacyops.sealed_files``) into the ``exports`` storage and
deletes it after ``EXPORT_KEEP_DAYS``; ``views`` lists a user's own exports and serves the file.
"""
