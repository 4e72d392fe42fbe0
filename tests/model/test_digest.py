"""The pure digest planner (bot/model/digest.py): order, groups and parts of held papers."""

from __future__ import annotations

from bot.model.digest import FULL_ENTRIES, HeldPaper, plan_digest


def held(alert: int, paper: str, announced: str, *subs: int) -> HeldPaper:
    return HeldPaper(alert, paper, announced, subs, tuple(f"topic: t{s}" for s in subs))


def test_groups_go_by_lowest_id_with_newest_first_and_papers_of_no_subscription_last() -> None:
    papers = [
        held(1, "2607.00001", "2026-07-13", 5),
        held(2, "2607.00002", "", 7),
        held(3, "2607.00003", "2026-07-14", 5),
        held(4, "2607.00004", "2026-07-13"),
        held(5, "2607.00005", "2026-07-13", 9, 3, 9),
        held(6, "2607.00006", "2026-07-13", 7),
    ]
    planned = plan_digest(papers, per_part_full=10, per_part_titles=50)
    assert [(e.paper_id, e.group_sub, e.group_label, e.also) for e in planned] == [
        ("2607.00005", 3, "#3 topic: t3", (9, 9)),
        ("2607.00003", 5, "#5 topic: t5", ()),
        ("2607.00001", 5, "#5 topic: t5", ()),
        ("2607.00006", 7, "#7 topic: t7", ()),
        ("2607.00002", 7, "#7 topic: t7", ()),
        ("2607.00004", None, "", ()),
    ]
    assert [e.position for e in planned] == list(range(6))


def test_full_entries_fill_their_parts_then_title_lines_start_a_new_part() -> None:
    papers = [held(i, f"2607.{i:05d}", "2026-07-13", 1) for i in range(FULL_ENTRIES + 7)]
    planned = plan_digest(papers, per_part_full=20, per_part_titles=5)
    sizes: dict[tuple[int, bool], int] = {}
    for e in planned:
        sizes[e.part, e.full] = sizes.get((e.part, e.full), 0) + 1
    assert sizes == {(1, True): 20, (2, True): 20, (3, True): 10, (4, False): 5, (5, False): 2}
