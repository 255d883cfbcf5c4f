"""newsfuse: what news sources agree on, and exactly where they disagree."""

__version__ = "0.1.0"
