"""The web page served at ``/``: paste or upload articles, see consensus and disagreements, click quotes."""
