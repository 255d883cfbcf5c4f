"""The batch command: many articles in, one story per line out, in-process or on a Ray cluster."""
