"""Is a sentence a reported fact, or rhetoric and commentary?"""

from __future__ import annotations

import re

_QUOTES = '"“”'
_PERSONAL = re.compile(r"\b(?:I|we|you|my|our|your|us)\b", re.I)


def rhetoric(text: str) -> float:
    """1 for a line that is mostly a direct quote, a question or first/second-person talk; 0 for reporting."""
    inside = False
    quoted = 0
    for ch in text:
        if ch in _QUOTES:
            inside = not inside
        elif inside:
            quoted += 1
    outside = "".join(re.split(r"[\"“][^\"“”]*[\"”]", text))
    if quoted > 0.6 * len(text) or text.rstrip().endswith("?"):
        return 1.0
    return 0.5 if _PERSONAL.search(outside) else 0.0
