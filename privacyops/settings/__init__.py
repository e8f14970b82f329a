"""Settings package: ``base`` holds everything; ``production`` and ``test`` only override."""
