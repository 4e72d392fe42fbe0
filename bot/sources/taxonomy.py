"""arXiv's subject classes per archive, so an archive subscription (``cs``) is polled as its
categories one by one (a joined request is capped at 2000 items)."""

from __future__ import annotations

import re

_CLASSES = {
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA "
    "NE NI OH OS PF PL RO SC SD SE SI SY",
    "stat": "AP CO ME ML OT TH",
    "eess": "AS IV SP SY",
    "econ": "EM GN TH",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA "
    "RT SG SP ST",
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an "
    "ed-ph flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
    "nlin": "AO CD CG PS SI",
}


def expand(category: str) -> list[str]:
    """``cs`` → ``cs.AI``, ``cs.AR``, …; a category or a plain archive (``hep-th``) → itself."""
    classes = _CLASSES.get(category)
    if classes is None:
        return [category]
    return [f"{category}.{c}" for c in classes.split()]


# Archives without subject classes (hep-th); legacy ones are still valid ids.
_ARCHIVES_PLAIN = frozenset(
    {"gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th", "quant-ph"}
    | {"acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an", "chao-dyn", "chem-ph"}
    | {"cmp-lg", "comp-gas", "dg-ga", "funct-an", "mtrl-th", "patt-sol", "plasm-ph", "q-alg"}
    | {"solv-int", "supr-con"}
)
# arXiv writes these archives' subject classes in lower case (cond-mat.mes-hall, physics.optics).
_LOWERCASE_CLASSES = frozenset({"cond-mat", "physics"})
_CLASS_RE = re.compile(r"[a-z]{2,}(?:-[a-z]{2,})?")


def normalize_category(value: str) -> str:
    """Return the canonical form of an arXiv category or archive (``CS.lg`` -> ``cs.LG``).

    Accepts ``archive.CLASS`` (``cs.LG``, ``astro-ph.CO``, ``cond-mat.mes-hall``) or a bare
    archive (``cs``, ``hep-th``). Raises :class:`ValueError` with a user-facing message.
    """
    text = value.strip()
    if not text:
        raise ValueError("Empty category: give one like cs.LG, hep-th or cs.")
    archive, dot, subject = text.lower().partition(".")
    if archive not in _CLASSES and archive not in _ARCHIVES_PLAIN:
        raise ValueError(
            f"Unknown arXiv archive {archive!r} in {text!r}: expected e.g. cs.LG, math.AG, "
            "hep-th, astro-ph.CO or a whole archive such as cs."
        )
    if not dot:
        return archive
    if archive in _ARCHIVES_PLAIN:
        raise ValueError(f"{archive} has no subject classes: subscribe to {archive!r} itself.")
    if not _CLASS_RE.fullmatch(subject):
        raise ValueError(f"Malformed subject class {subject!r} in {text!r}: expected e.g. cs.LG.")
    canonical = f"{archive}.{subject if archive in _LOWERCASE_CLASSES else subject.upper()}"
    known = expand(archive)
    if known != [archive] and canonical not in known:
        # An unknown class would be polled (and fail) forever.
        raise ValueError(
            f"Unknown subject class {canonical!r}: {archive} has "
            f"{', '.join(k.partition('.')[2] for k in known)}."
        )
    return canonical
