"""The unit tree's rule as a pure function: no database."""

from org.tree import find_loops


def test_it_finds_a_loop_made_in_one_go():
    assert find_loops({}, {"CYA": "CYB", "CYB": "CYA"}) == {"CYA", "CYB"}


def test_it_finds_a_unit_under_itself():
    assert find_loops({"A": None}, {"A": "A"}) == {"A"}


def test_it_finds_a_loop_through_stored_links():
    stored = {"P": None, "Q": "P"}
    assert find_loops(stored, {"N": "Q", "P": "N"}) == {"N", "P"}


def test_a_move_that_leaves_a_tree_is_fine():
    stored = {"P": None, "Q": "P", "R": "Q"}
    assert find_loops(stored, {"Q": None, "P": "R"}) == set()
    assert find_loops(stored, {"S": "R", "T": "S"}) == set()


def test_a_unit_below_a_loop_is_not_the_fault():
    assert find_loops({}, {"A": "B", "B": "A", "C": "A"}) == {"A", "B"}


def test_a_deep_chain_is_checked_in_linear_time():
    chain = {i: i - 1 if i else None for i in range(50_000)}
    assert find_loops({}, chain) == set()
    assert find_loops(chain, {0: 49_999}) == {0}
