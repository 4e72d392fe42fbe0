"""arXiv's subject classes per archive, so an archive subscription (``cs``) is polled as its
categories one by one (a joined request is capped at 2000 items)."""

from __future__ import annotations

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
