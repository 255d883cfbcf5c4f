"""Disagreement detectors on small clusters: real conflicts found, paraphrase and detail left alone."""

from __future__ import annotations

from datetime import date

from service.engine import Engine
from service.pipeline.align import build_table
from service.pipeline.clean import clean_article
from service.pipeline.consensus import mark_contested
from service.pipeline.disagreements import find_disagreements
from service.pipeline.sentences import split_sentences
from service.pipeline.summarize import summary_inputs
from service.pipeline.types import ArticleInput, CleanArticle, ConsensusPoint, Disagreement, Position, Support


def _analyse(engine: Engine, *reports: tuple[str, str, date | None]) -> list[Disagreement]:
    articles: list[CleanArticle] = [
        clean_article(ArticleInput(id=f"a{k}", text=text, source=source, published_at=published))
        for k, (source, text, published) in enumerate(reports)
    ]
    sentences = [s for a in articles for s in split_sentences(a)]
    table = build_table(articles, sentences, engine.embedder)
    return find_disagreements(
        table, engine.linguist, topic_threshold=engine.settings.topic_similarity, min_confidence=0.0
    )


def test_conflicting_troop_numbers_are_a_number_disagreement(engine: Engine) -> None:
    found = _analyse(
        engine,
        ("Reuters", "Russia has massed 100,000 troops near the border with Ukraine, officials in Kyiv said.", None),
        ("AP", "Russia has massed 130,000 troops near the border with Ukraine, officials in Kyiv said.", None),
    )
    [dis] = [d for d in found if d.kind == "number"]
    assert "troop" in dis.aspect
    claims = {p.claim for p in dis.positions}
    assert any("100,000" in c for c in claims) and any("130,000" in c for c in claims)
    assert {s.source for p in dis.positions for s in p.support} == {"Reuters", "AP"}


def test_approximate_figures_that_overlap_agree(engine: Engine) -> None:
    found = _analyse(
        engine,
        ("Reuters", "Russia has deployed over 100,000 troops near the border with Ukraine.", None),
        ("AP", "Russia has deployed more than 100,000 troops near the border with Ukraine.", None),
        ("AFP", "Russia has deployed about 100,000 troops near the border with Ukraine.", None),
    )
    assert [d for d in found if d.kind == "number"] == []


def test_a_round_figure_is_read_as_rounded(engine: Engine) -> None:
    """ "$700 billion" is how a speaker rounds "$716 billion": no conflict. A round figure keeps 5%, so "$200
    million" against "$184 million" is still two sums, and small written numbers ("20" against "23", "$80 million"
    against "$82 million") are exact."""
    cut = "The new budget law cuts {} from the regional health fund over ten years, the auditors said."
    assert _figure_conflicts(engine, cut.format("$700 billion"), cut.format("$716 billion")) == []
    assert _figure_conflicts(engine, cut.format("$200 million"), cut.format("$184 million")) == [
        {"$200 million", "$184 million"}
    ]
    assert _figure_conflicts(engine, cut.format("$80 million"), cut.format("$82 million")) == [
        {"$80 million", "$82 million"}
    ]  # "80" is written to the unit
    died = "{} people died when the ferry capsized off the northern coast, the coast guard said."
    assert _figure_conflicts(engine, died.format("20"), died.format("23")) == [{"20", "23"}]


def test_figures_of_different_parties_are_not_one_slot(engine: Engine) -> None:
    """Two teams' offers to one player are two figures, not a conflict (the subjects of the clauses name different
    parties); one team's offer reported with two sums is."""
    nationals = (
        "Last week the Washington Nationals made Mark Teixeira an eight-year, ${} million offer, according to ESPN."
    )
    red_sox = "The Boston Red Sox have made Mark Teixeira an eight-year offer worth $200 million, ESPN reported."
    found = _analyse(engine, ("Reuters", nationals.format(160), None), ("AP", red_sox, None))
    assert [d for d in found if d.kind in ("number", "reported_claim")] == []
    found = _analyse(engine, ("Reuters", nationals.format(160), None), ("AP", nationals.format(200), None))
    [dis] = [d for d in found if d.kind == "number"]
    assert {p.claim for p in dis.positions} == {"$160 million", "$200 million"}


def test_the_named_owner_of_a_figure_says_whose_it_is(engine: Engine) -> None:
    """ "Rejected the Nationals' offer" and "rejected the Orioles' offer": the possessor, not the subject of the
    clause (the player in both), says whose offer the figure is."""
    rejected = "Mark Teixeira rejected the {} ${} million offer on Monday, his agent said."
    assert _figure_conflicts(engine, rejected.format("Nationals'", 160), rejected.format("Orioles'", 150)) == []
    assert _figure_conflicts(engine, rejected.format("Nationals'", 160), rejected.format("Nationals'", 150)) == [
        {"$160 million", "$150 million"}
    ]


def test_ages_of_different_people_are_not_one_slot(engine: Engine) -> None:
    """The driver's age and the victim's age are two figures; one person's age given two ways is a conflict."""
    driver = "Police said {}-year-old Daniel Mercer struck Ruth Alvarez with his car on Friday night."
    victim = "Police said Daniel Mercer struck Ruth Alvarez, a 59-year-old grandmother, with his car on Friday night."
    found = _analyse(engine, ("Reuters", driver.format(23), None), ("AP", victim, None))
    assert [d for d in found if d.kind in ("number", "reported_claim")] == []
    found = _analyse(engine, ("Reuters", driver.format(23), None), ("AP", driver.format(25), None))
    [dis] = [d for d in found if d.kind == "number"]
    assert {p.claim for p in dis.positions} == {"23-year-old", "25-year-old"}


def _claims(found: list[Disagreement], *kinds: str) -> list[set[str]]:
    """The claims of each disagreement of these kinds."""
    return [{p.claim for p in d.positions} for d in found if d.kind in kinds]


def _figure_conflicts(engine: Engine, first: str, second: str) -> list[set[str]]:
    return _claims(_analyse(engine, ("Reuters", first, None), ("AP", second, None)), "number", "reported_claim")


def _date_conflicts(engine: Engine, *reports: tuple[str, str, date | None]) -> list[set[str]]:
    return _claims(_analyse(engine, *reports), "date")


def test_amounts_in_different_currencies_are_not_compared(engine: Engine) -> None:
    plan = "The austerity plan announced on Sunday aims to save {} over three years, the finance ministry said."
    assert _figure_conflicts(engine, plan.format("$40 billion"), plan.format("euro30 billion")) == []
    assert _figure_conflicts(engine, plan.format("$40 billion"), plan.format("$30 billion")) == [
        {"$40 billion", "$30 billion"}
    ]


def test_records_of_different_fighters_are_not_one_slot(engine: Engine) -> None:
    """A win-loss record belongs to the fighter it is attached to: the champion's and the challenger's are two
    figures; one fighter's record given two ways is a conflict."""
    champion = "Champion Marek Dvorak ({}, 51 KOs) knocked out Leon Hartley in the sixth round in Bern on Saturday."
    challenger = "Leon Hartley, the challenger, fell to 36-3 after Dvorak knocked him out in Bern on Saturday."
    assert _figure_conflicts(engine, champion.format("58-3"), challenger) == []
    assert _figure_conflicts(engine, champion.format("58-3"), champion.format("57-3")) == [{"58-3", "57-3"}]


def test_figures_dated_to_different_periods_are_not_compared(engine: Engine) -> None:
    season = "In {}, coach Dana Whitfield rallied the Harbor City Hawks from a {} start to reach the playoffs."
    assert _figure_conflicts(engine, season.format("2006-07", "5-19"), season.format("2008-09", "9-14")) == []
    assert _figure_conflicts(engine, season.format("2008-09", "5-19"), season.format("2008-09", "9-14")) == [
        {"5-19", "9-14"}
    ]


def test_a_converted_figure_is_as_rounded_as_its_conversion(engine: Engine) -> None:
    metric = "The survey put the epicentre of Sunday's quake at about 58km (36 miles) south-west of Bandar Abbas."
    miles = "The survey put the epicentre of Sunday's quake at {} miles south-west of Bandar Abbas."
    assert _figure_conflicts(engine, metric, miles.format(35)) == []
    assert {"36 miles", "50 miles"} in _figure_conflicts(engine, metric, miles.format(50))


def test_a_multiple_of_a_limit_is_not_a_count(engine: Engine) -> None:
    level = "Prosecutors say his blood alcohol level was 0.29, more than three times the legal limit."
    limit = "Prosecutors say the driver had a blood alcohol level more than three times the legal limit."
    assert _figure_conflicts(engine, level, limit) == []


def test_one_persons_years_in_office_given_two_ways_conflict(engine: Engine) -> None:
    """The same named senator's span of years is one slot, whatever verb each outlet uses."""
    first = (
        "Cowley will become the second black senator from the state after Walter Greene, who served from 1967 to 1979."
    )
    second = "Walter Greene, a Republican, held the seat from 1966 to 1978, before Cowley."
    assert _figure_conflicts(engine, first, second) == [{"from 1967 to 1979", "from 1966 to 1978"}]


def test_since_a_name_is_no_running_total(engine: Engine) -> None:
    first = "She is the first black senator since Walter Greene, who served from 1967 to 1979."
    second = "She is the first black senator since Walter Greene, who served from 1966 to 1978."
    assert _figure_conflicts(engine, first, second) == [{"from 1967 to 1979", "from 1966 to 1978"}]


def test_records_written_with_and_without_draws_are_not_compared(engine: Engine) -> None:
    record = "Dvorak floored Hartley ({}) once before the referee stopped the fight in the seventh round."
    assert _figure_conflicts(engine, record.format("45-7-2"), record.format("45-7")) == []
    assert _figure_conflicts(engine, record.format("45-7-2"), record.format("45-8-2")) == [{"45-7-2", "45-8-2"}]


def test_hyphenated_scales_are_read_as_scales(engine: Engine) -> None:
    bailout = "The government agreed a {} debt bailout from the EU and the IMF at the weekend."
    assert _figure_conflicts(engine, bailout.format("$143 billion"), bailout.format("$143-billion")) == []


def test_two_dozen_is_twenty_four(engine: Engine) -> None:
    signed = "After his remarks the president signed {} executive actions on gun violence at the White House."
    assert _figure_conflicts(engine, signed.format("23"), signed.format("nearly two dozen")) == []
    assert _figure_conflicts(engine, signed.format("30"), signed.format("two dozen")) == [{"30", "two dozen"}]


def test_a_range_agrees_with_a_figure_inside_it(engine: Engine) -> None:
    offer = "The Hawks made the free agent an eight-year offer worth {}, the team confirmed on Monday."
    assert (
        _figure_conflicts(engine, offer.format("$140 million to $160 million"), offer.format("about $155 million"))
        == []
    )
    assert _figure_conflicts(engine, offer.format("between $140 and $150 million"), offer.format("$200 million")) == [
        {"between $140 and $150 million", "$200 million"}
    ]
    assert _figure_conflicts(engine, offer.format("$27.5MM"), offer.format("$27.5 million")) == []


def test_a_rate_is_not_compared_with_a_total(engine: Engine) -> None:
    yearly = "The Hawks offered the free agent $25 million a season over eight years, the team confirmed."
    total = "The Hawks offered the free agent $200 million over eight years, the team confirmed."
    assert _figure_conflicts(engine, yearly, total) == []
    assert _figure_conflicts(engine, yearly, yearly.replace("$25", "$30")) == [{"$25 million", "$30 million"}]


def test_people_are_one_count_only_when_the_same_thing_happened_to_them(engine: Engine) -> None:
    """A count of people is tied to what they did: those at a vigil and those who later marched from it are
    two counts, though the rare word "vigil" is near both. And "another five" pirates are some more, not the
    total."""
    attended = "About 300 people attended the vigil on Friday night, organisers said."
    marched = "Later, nearly 100 people set off from the vigil site to march on the precinct."
    assert _figure_conflicts(engine, attended, marched) == []
    assert _figure_conflicts(engine, attended, attended.replace("About 300", "Nearly 100")) == [
        {"About 300", "Nearly 100"}
    ]
    captured = "The navy said it had captured {} pirates in the Gulf of Aden on Saturday."
    assert _figure_conflicts(engine, captured.format(23), captured.format("another five")) == []


def test_weekdays_are_compared_as_dates_of_each_articles_own_day(engine: Engine) -> None:
    # Both papers of Wednesday 2 February 2022: "Tuesday" in both is the same day, so no conflict...
    same = _analyse(
        engine,
        ("A", "Blinken and Lavrov held a phone call on Tuesday about Ukraine.", date(2022, 2, 2)),
        ("B", "Blinken and Lavrov held a telephone conversation Tuesday about Ukraine.", date(2022, 2, 2)),
    )
    assert [d for d in same if d.kind == "date"] == []
    # ...nor "Wednesday" in both, in a Monday and a Wednesday paper: they wrote the same day, whichever week each
    # date puts it in...
    written_alike = _analyse(
        engine,
        ("A", "The committee held the hearing on Wednesday in Washington.", date(2013, 5, 20)),
        ("B", "The committee held the hearing on Wednesday in Washington.", date(2013, 5, 22)),
    )
    assert [d for d in written_alike if d.kind == "date"] == []
    # ...while "Tuesday" from a Wednesday paper and "yesterday" from a Tuesday paper are different days.
    differ = _analyse(
        engine,
        ("A", "Blinken and Lavrov held a phone call on Tuesday about Ukraine.", date(2022, 2, 2)),
        ("B", "Blinken and Lavrov held a phone call yesterday about Ukraine.", date(2022, 2, 1)),
    )
    [dis] = [d for d in differ if d.kind == "date"]
    assert dis.aspect == "day of the phone call"
    assert 0.0 < dis.confidence < 1.0
    assert {p.claim for p in dis.positions} == {"Tuesday 1 February 2022", "Monday 31 January 2022"}


def test_a_month_without_its_day_is_compared_with_a_full_date(engine: Engine) -> None:
    found = _date_conflicts(
        engine,
        ("A", "Both parties will hold their special-election primaries in mid May.", date(2013, 1, 30)),
        ("B", "The special-election primaries would be held on April 30, officials said.", date(2013, 1, 30)),
    )
    assert found == [{"mid May", "Tuesday 30 April 2013"}]


def test_had_to_is_past_not_future(engine: Engine) -> None:
    """ "had to apologize Saturday" happened, like "apologized on Friday": two days for one apology."""
    found = _date_conflicts(
        engine,
        ("A", "The aide had to apologize Saturday for the post about the two girls.", date(2014, 11, 30)),
        ("B", "The aide apologized on Friday for the post about the two girls.", date(2014, 11, 29)),
    )
    assert found == [{"Saturday 29 November 2014", "Friday 28 November 2014"}]


def test_an_earlier_event_of_the_same_kind_is_background_not_another_date(engine: Engine) -> None:
    day = date(2005, 11, 28)
    background = ("A", "In December 2003, an earthquake razed the city of Bam in southern Iran.", day)
    news = ("B", "On Sunday, an earthquake razed mud-brick villages on an island in southern Iran.", day)
    assert _date_conflicts(engine, background, news) == []
    # Months before this week's news is background too, not another day for this week's quake.
    earlier = ("A", "In February, an earthquake razed a town in southern Iran, killing hundreds.", day)
    assert _date_conflicts(engine, earlier, news) == []
    # Two outlets that date one past event differently still disagree, however long ago it was.
    hearings = "The senate hearings that called the model to testify were held in {}."
    found = _date_conflicts(engine, ("A", hearings.format(1955), day), ("B", hearings.format(1995), day))
    assert found == [{"in 1955", "in 1995"}]
    # A year dates one of a life's many events: the same verb is not the same event.
    emmy = ("A", "He won an Emmy in 2005 for hosting the Tony Awards, where he also took a Tony himself.", day)
    tony = ("B", "He won a Tony Award in 2004 for his role in a musical about a singer.", day)
    assert _date_conflicts(engine, emmy, tony) == []


def test_a_date_that_agrees_with_one_of_two_dated_events_is_no_conflict(engine: Engine) -> None:
    """One report dates an earlier quake to December 2003; another dates that quake to 2003 and a second one, in
    the same sentence, to February. December 2003 agrees with the first: the February one is another quake."""
    day = date(2005, 11, 28)
    first = "An earthquake killed more than 26,000 people in the old city of Ravel in December 2003."
    both = (
        "An earthquake killed more than 26,000 people in the old city of Ravel in 2003,"
        " and 600 were killed in February."
    )
    assert _date_conflicts(engine, ("Reuters", first, day), ("AP", both, day)) == []
    alone = "An earthquake killed more than 26,000 people in the old city of Ravel in February 2003."
    assert len(_date_conflicts(engine, ("Reuters", first, day), ("AP", alone, day))) == 1


def test_two_events_each_named_by_its_date_are_not_one_event(engine: Engine) -> None:
    """ "Friday night's 88-72 loss" and "Wednesday's home loss": a date written as the event's possessor names
    which game is meant, so two such dates are two games; "lost on Friday" and "lost on Wednesday" conflict."""
    day = date(2008, 12, 14)
    friday = "Friday night's 88-72 loss to the Comets was the last straw for the owners."
    wednesday = "The team heard boos in Wednesday's home loss to the Comets."
    assert _date_conflicts(engine, ("Reuters", friday, day), ("AP", wednesday, day)) == []
    lost = "The team lost 88-72 to the Comets on {}, and the owners fired the coach."
    assert (
        len(_date_conflicts(engine, ("Reuters", lost.format("Friday"), day), ("AP", lost.format("Wednesday"), day)))
        == 1
    )


def test_a_date_after_another_event_of_the_verb_is_not_compared(engine: Engine) -> None:
    """ "Charged with murder after a shooting at an office party on Friday": Friday may date the shooting or
    the charge, so it is no conflict with "charged on Saturday"; "charged with murder on Friday" is."""
    day = date(2008, 12, 14)
    saturday = "The gunman was charged with first-degree murder on Saturday, police said."
    after = "The gunman has been charged with first-degree murder after a shooting at an office party on Friday."
    assert _date_conflicts(engine, ("Reuters", after, day), ("AP", saturday, day)) == []
    friday = "The gunman was charged with first-degree murder on Friday, police said."
    assert len(_date_conflicts(engine, ("Reuters", friday, day), ("AP", saturday, day))) == 1


def test_the_day_of_an_announcement_is_not_the_day_of_the_event(engine: Engine) -> None:
    found = _analyse(
        engine,
        (
            "A",
            "The State Department said on Tuesday, following a phone call between Blinken and Lavrov, "
            "that talks would continue.",
            date(2022, 2, 2),
        ),
        ("B", "Blinken and Lavrov held a phone call on Monday about Ukraine.", date(2022, 2, 2)),
    )
    assert [d for d in found if d.kind == "date"] == []


def test_a_claim_and_its_negation_are_a_polarity_disagreement(engine: Engine) -> None:
    found = _analyse(
        engine,
        ("A", "The German chancellor will attend the summit in Brussels next week.", None),
        ("B", "The German chancellor will not attend the summit in Brussels next week.", None),
    )
    [dis] = [d for d in found if d.kind == "polarity"]
    sides = {p.claim: {s.source for s in p.support} for p in dis.positions}
    assert sides == {"affirms": {"A"}, "denies": {"B"}}


def test_paraphrase_and_extra_detail_are_not_disagreements(engine: Engine) -> None:
    found = _analyse(
        engine,
        ("A", "Blinken urged Russia to de-escalate tensions on its border with Ukraine.", None),
        (
            "B",
            "The US secretary of state called on Moscow to reduce tensions at the Ukrainian border and to "
            "withdraw troops and equipment.",
            None,
        ),
    )
    assert found == []


def test_one_source_has_no_disagreements(engine: Engine) -> None:
    found = _analyse(
        engine,
        ("A", "Russia has massed 100,000 troops near the border. Later it said 130,000 troops were there.", None),
    )
    assert found == []


def test_a_consensus_point_worded_with_a_disputed_detail_is_marked_contested() -> None:
    def support(article: str, start: int, quote: str) -> Support:
        return Support(article_id=article, source=article.upper(), quote=quote, start=start, end=start + len(quote))

    monday = support("a", 0, "The ministers spoke by phone on Monday.")
    tuesday = support("b", 40, "The ministers held a phone call Tuesday.")
    other = support("b", 0, "They discussed the crisis in Ukraine.")
    points = [
        ConsensusPoint(text=monday.quote, support=(monday, tuesday), independent_sources=2, score=3.0),
        ConsensusPoint(text=other.quote, support=(other, tuesday), independent_sources=2, score=2.0),
    ]
    day = Disagreement(
        aspect="day of the call",
        kind="date",
        confidence=0.9,
        positions=(Position(claim="Monday", support=(monday,)), Position(claim="Tuesday", support=(tuesday,))),
    )
    marked = mark_contested(points, [day])
    assert [p.contested for p in marked] == [("day of the call",), ()]
    assert mark_contested(points, []) == points
    assert [p.text for p in summary_inputs(marked)] == [other.quote, monday.quote]


def test_a_figure_in_a_list_is_compared_only_with_the_same_item(engine: Engine) -> None:
    """A sentence giving several sums of one kind is a list: each sum belongs to the item beside it, not to
    every sum another outlet gives."""
    listed = (
        "Records show the committee paid $1,210.50 at the Copper Kettle Inn and $3,400.25 at the Lakeview Marina"
        " Club in 2019."
    )
    assert _figure_conflicts(
        engine, listed, "The committee also paid $3,480.25 at the Lakeview Marina Club in 2019, records show."
    ) == [{"$3,400.25", "$3,480.25"}]  # the dollar sign kept, though the entity recognizer leaves it out
    assert (
        _figure_conflicts(
            engine, listed, "The committee paid $3,400.25 at the Lakeview Marina Club in 2019, records show."
        )
        == []
    )


def test_shares_in_a_poll_list_are_not_one_candidates_share(engine: Engine) -> None:
    listed = "In the poll, Mayor Ruth Calloway leads with 34 percent, followed by Dean Ostrander at 21 percent."
    named = "The poll has Dean Ostrander (21 percent) second, behind Ruth Calloway."
    assert _figure_conflicts(engine, listed, named) == []


def test_counts_of_different_charges_are_not_one_count(engine: Engine) -> None:
    charged = "Prosecutors charged her with two counts of murder and one count of attempted murder on Monday."
    assert (
        _figure_conflicts(
            engine, charged, "Prosecutors charged her with two counts of murder on Monday, the court said."
        )
        == []
    )
    assert _figure_conflicts(
        engine, charged, "Prosecutors charged her with three counts of murder on Monday, the court said."
    ) == [{"two", "three"}]


def test_a_count_in_a_clause_describing_a_noun_shares_that_noun(engine: Engine) -> None:
    """ "a lawsuit involving as many as 1.5 million women" and "a lawsuit on behalf of up to 1.6 million women"
    count the lawsuit's women, though their verbs differ."""
    assert _figure_conflicts(
        engine,
        "The justices doubted a lawsuit involving as many as 1.2 million women.",
        "The court heard a lawsuit on behalf of up to 1.9 million women.",
    ) == [{"as many as 1.2 million", "up to 1.9 million"}]


def test_the_whole_of_a_part_is_not_a_count_of_what_the_part_did(engine: Engine) -> None:
    """ "two of the three victims died": three were shot, two died; neither is a count of the deaths to set
    against another outlet's."""
    assert (
        _figure_conflicts(
            engine,
            "Local television first reported that two of the three victims died at the office.",
            "One victim died at the office on Monday morning, police said.",
        )
        == []
    )
    total = "On May 5, a total of {} people died in the warehouse fire, officials said."
    assert _figure_conflicts(engine, total.format(20), total.format(25)) == [{"20", "25"}]  # "of" a total: no part


def test_an_annual_value_is_a_rate_not_the_total(engine: Engine) -> None:
    assert (
        _figure_conflicts(
            engine,
            "The Rangers offered Dale Ostrowski a contract with an average annual value of more than the $21 million"
            " his agent asked for.",
            "The Rangers offered Dale Ostrowski a contract worth $168 million, his agent said.",
        )
        == []
    )


def test_the_same_event_of_two_named_people_is_two_events(engine: Engine) -> None:
    """ "Delano was hired on April 21, 2004" and "Vickers was hired on June 27, 2001": two hirings, not two
    dates for one."""
    day = date(2008, 12, 14)
    hired = "{} was hired as head coach of the Harbor City Hawks on {}."
    assert (
        _date_conflicts(
            engine,
            ("Reuters", hired.format("Rick Delano", "April 21, 2004"), day),
            ("AP", hired.format("Tom Vickers", "June 27, 2001"), day),
        )
        == []
    )
    assert (
        len(
            _date_conflicts(
                engine,
                ("Reuters", hired.format("Rick Delano", "April 21, 2004"), day),
                ("AP", hired.format("Rick Delano", "June 27, 2001"), day),
            )
        )
        == 1
    )


def test_a_past_seasons_record_is_not_the_current_record(engine: Engine) -> None:
    past = "In 2006-07, coach Dana Whitfield rallied the Harbor City Hawks from a 5-19 start to reach the playoffs."
    now = "Coach Dana Whitfield was fired with the Harbor City Hawks at 9-14 and out of the playoffs."
    assert _figure_conflicts(engine, past, now) == []
    assert _figure_conflicts(engine, now, now.replace("9-14", "9-13")) == [{"9-14", "9-13"}]
    # A clause of time dates the record as well: "as December started" the team stood at 7-6, now at 9-14.
    then = "The Harbor City Hawks were on the verge of a turnaround as December started, improving their record to 7-6."
    current = "The Harbor City Hawks have a record of 9-14 and were expected to be a playoff contender."
    assert _figure_conflicts(engine, then, current) == []


def test_records_bounded_to_different_spans_are_two_records(engine: Engine) -> None:
    """ "A 135-156 record at the collegiate level in 10 seasons" and "a 162-139 record" (the team's under its
    coach) are two records, as are a career record "as an NBA head coach" and a season's; two reports of one
    bounded record with two values conflict."""
    college = "The new coach owns a 135-156 record at the collegiate level in 10 seasons."
    team = "The new coach led the Harbor City Hawks to a 162-139 record."
    assert _figure_conflicts(engine, college, team) == []
    assert _figure_conflicts(engine, college, college.replace("135-156", "136-155")) == [{"135-156", "136-155"}]


def test_counts_with_different_verbs_are_two_counts(engine: Engine) -> None:
    """A count is tied to what happened to what is counted. "N times" counts the verb's event: "toured the
    region five times" and "chaired the summit three times" are two counts; so are the people who died in a
    building and those who had been inside it, and boats spotted and boats seized. The same verb with two
    figures is still a conflict, and a figure describing a place ("an island, home to N people") is compared
    whatever verb its sentence has."""
    toured = "The former envoy toured the coastal region five times during the crisis."
    chaired = "The former envoy chaired the coastal region's summit three times during the crisis."
    assert _figure_conflicts(engine, toured, chaired) == []
    assert _figure_conflicts(engine, toured, toured.replace("five", "three")) == [{"five", "three"}]
    died = "Four people died in the burning warehouse on the edge of the port, firefighters said."
    inside = "Firefighters said as many as 30 people had been inside the burning warehouse on the edge of the port."
    assert _figure_conflicts(engine, died, inside) == []
    assert _figure_conflicts(engine, died, died.replace("Four", "Nine")) == [{"Four", "Nine"}]
    spotted = "The frigate spotted five small boats approaching the tanker before dawn."
    seized = "The frigate seized three small boats approaching the tanker before dawn."
    assert _figure_conflicts(engine, spotted, seized) == []
    # An amount is one sum whatever the verb: what the campaign costs and what it has paid for it.
    cost = "The television campaign is costing the advocacy group $2 million, its director said."
    paid = "The advocacy group has paid $700,000 for the television campaign, its director said."
    assert _figure_conflicts(engine, cost, paid) == [{"$2 million", "$700,000"}]
    struck = "The storm struck Lorvan island, home to 80,000 people, late on Sunday."
    centred = "The storm was centred near Lorvan island, home to 150,000 people, forecasters said."
    assert _figure_conflicts(engine, struck, centred) == [{"80,000", "150,000"}]


def test_counts_of_two_nations_forces_are_two_counts(engine: Engine) -> None:
    """ "The Dutch navy captured eight" and "the Indian navy captured 23" are two navies' captures (a nationality
    in the subject tells the parties apart as a name does); one navy's capture given as 23 and 25 conflicts."""
    captured = "The {} navy captured {} pirates off the coast of Somalia."
    assert _figure_conflicts(engine, captured.format("Indian", 23), captured.format("Dutch", "eight")) == []
    assert _figure_conflicts(engine, captured.format("Indian", 23), captured.format("Indian", 25)) == [{"23", "25"}]


def test_two_named_forces_that_share_a_word_are_two_parties(engine: Engine) -> None:
    """ "The Indian Navy" and "the British Royal Navy" share the word "Navy", not a party: their captures are two
    counts even when one report's clause has only a pronoun for its subject. A name and a longer form of it ("the
    Royal Navy", "the British Royal Navy") are one party."""
    indian = "Officials said the Indian Navy announced that it had captured 23 pirates during the past week."
    british = "Officials said the British Royal Navy announced that it had captured {} pirates during the past week."
    assert _figure_conflicts(engine, indian, british.format("eight")) == []
    # "it" in what the Indian navy said is the Indian navy (a nationality and a common noun: no name near the figure)
    said = "The {} said it had captured {} pirates who attacked a merchant vessel last week."
    assert _figure_conflicts(engine, said.format("Indian navy", 23), said.format("British Royal Navy", "eight")) == []
    royal = british.replace("British Royal Navy", "Royal Navy")
    assert _figure_conflicts(engine, royal.format(23), british.format("eight")) == [{"23", "eight"}]


def test_a_number_set_off_after_a_dash_is_not_an_age(engine: Engine) -> None:
    """ "19-year-old Daniel Reyes" is an age; "struck by nine bullets — four to the chest" is not Reyes's age of
    four."""
    found = _figure_conflicts(
        engine,
        "A coroner's report showed 19-year-old Daniel Reyes was struck by nine bullets fired by officers.",
        "Anger on the block grew Monday when a coroner's report showed Reyes was struck by nine bullets — four to "
        "the chest.",
    )
    assert found == []


def test_counts_of_a_group_take_the_groups_verb(engine: Engine) -> None:
    """ "spotted a group of five boats" is five boats spotted, not a count of the boats later seized."""
    assert (
        _figure_conflicts(
            engine,
            "Lookouts on the frigate spotted a group of five small boats approaching the tanker.",
            "The frigate seized three small boats approaching the tanker.",
        )
        == []
    )


def test_an_amount_before_a_converted_dollar_figure_is_not_in_dollars(engine: Engine) -> None:
    """ "110 billion ($158 billion)": the first amount is in some other currency (its sign may be lost in the
    feed's encoding), so it is no conflict with "$144 billion"."""
    loan = "The government agreed a {} rescue loan with its lenders over the weekend."
    assert _figure_conflicts(engine, loan.format("110 billion ($158 billion)"), loan.format("$144 billion")) == []
    assert _figure_conflicts(engine, loan.format("$110 billion"), loan.format("$144 billion")) == [
        {"$110 billion", "$144 billion"}
    ]


def test_distances_from_different_places_are_two_figures(engine: Engine) -> None:
    """ "150 miles from the port" and "13 miles from the destroyer" measure from two places; two distances from
    the port conflict."""
    attacked = "The tanker was {} miles from {} when the gunmen opened fire on it."
    assert _figure_conflicts(engine, attacked.format(150, "the port"), attacked.format(13, "the destroyer")) == []
    assert _figure_conflicts(engine, attacked.format(150, "the port"), attacked.format(90, "the port")) == [
        {"150 miles", "90 miles"}
    ]


def test_one_named_persons_event_is_dated_across_unalike_sentences(engine: Engine) -> None:
    """Sentences too unalike to be compared as a whole still date one event of one named person: "Mara Lind
    checked into a clinic on Tuesday" and a line about her fans that has her checking in on Friday. A state
    ("was abroad in January" / "was abroad in November") is no event."""
    found = _date_conflicts(
        engine,
        ("Reuters", "Mara Lind checked into a treatment clinic in Malibu on Tuesday, her publicist said.", None),
        (
            "AP",
            "Fans of the comedies and the travel show cheered online as Lind checked in on Friday without saying why.",
            None,
        ),
    )
    assert found == [{"Tuesday", "Friday"}]
    assert (
        _date_conflicts(
            engine,
            ("Reuters", "Dan Corrow was abroad in January after a row with a reporter.", date(2024, 12, 2)),
            (
                "AP",
                "Ticket sales at the stadium rose sharply, though Corrow was abroad in November.",
                date(2024, 12, 2),
            ),
        )
        == []
    )


def test_a_count_within_a_numbered_part_is_not_the_whole_count(engine: Engine) -> None:
    """ "In the fourth, the challenger landed two punches" counts one round; "landed 95 punches" the bout.
    Counts of the same round conflict."""
    bout = "The challenger landed 95 punches before the referee stopped the bout, ringside statistics showed."
    round_ = "In the fourth, the challenger landed two punches before the referee stopped the bout, statistics showed."
    assert _figure_conflicts(engine, bout, round_) == []
    assert _figure_conflicts(engine, round_, round_.replace("two", "six")) == [{"two", "six"}]


def test_a_lower_bound_and_an_upper_figure_in_one_sentence_are_one_range(engine: Engine) -> None:
    """ "at least $60 million and possibly as much as $75 million" states $60-75 million: no conflict with a
    $50-60 million range that meets it; one with a $90 million offer, reported once."""
    ranged = (
        "The club's offer to the striker is believed to be worth at least $60 million and possibly as much as "
        "$75 million."
    )
    assert (
        _figure_conflicts(
            engine, ranged, "The club's offer to the striker is believed to be in the $50 million to $60 million range."
        )
        == []
    )
    assert _figure_conflicts(
        engine, ranged, "The club's offer to the striker is believed to be worth $90 million."
    ) == [{"at least $60 million, as much as $75 million", "$90 million"}]


def test_a_partitive_count_takes_the_verb_of_its_number(engine: Engine) -> None:
    """ "seven of its villages were badly damaged" says what happened to the seven: not a count of the villages
    "flattened" in another report; two partitive counts of one verb still conflict."""
    damaged = "The island of Lorvan and seven of its villages were badly damaged by the tremor, officials said."
    flattened = "Officials said the tremor flattened three villages on the island of Lorvan."
    assert _figure_conflicts(engine, damaged, flattened) == []
    assert _figure_conflicts(engine, damaged, damaged.replace("seven", "four")) == [{"seven", "four"}]


def test_a_verb_with_opposite_particles_is_two_events(engine: Engine) -> None:
    """Checking into a clinic and checking out of it are two events of one person: their days do not conflict;
    "checked in" and "checked into" are one event, and two days for it do."""
    day = date(2013, 6, 15)
    out = ("A", "The singer checked out of the rehab clinic in Malibu on Thursday, her spokesman said.", day)
    into = ("B", "The singer checked into the rehab clinic in Malibu on Monday, her spokesman said.", day)
    assert _date_conflicts(engine, out, into) == []
    checked_in = ("C", "The singer checked in at the rehab clinic in Malibu on Tuesday, her spokesman said.", day)
    assert _date_conflicts(engine, into, checked_in) == [{"Monday 10 June 2013", "Tuesday 11 June 2013"}]


def test_a_time_of_day_is_part_of_the_date_not_its_event(engine: Engine) -> None:
    """ "Monday night" and "Saturday night" date what happened on those nights: a vigil that turned violent and a
    shooting are two events, not one night given two days."""
    day = date(2013, 3, 14)
    vigil = ("A", "A candlelight vigil for the teenager turned violent on Monday night in the neighbourhood.", day)
    shot = ("B", "Crowds gathered at a vigil for the teenager, who was shot by police on Saturday night.", day)
    assert _date_conflicts(engine, vigil, shot) == []
    fired = ("C", "The club fired its coach on Saturday morning after a poor start to the season.", day)
    let_go = ("D", "The club fired its coach on Friday morning after a poor start to the season.", day)
    assert _date_conflicts(engine, fired, let_go) == [{"Saturday 9 March 2013", "Friday 8 March 2013"}]


def test_a_date_in_what_is_expected_is_future(engine: Engine) -> None:
    """ "is expected to plead guilty to filing false returns ... on Wednesday" dates the expected plea, not a past
    filing: it is no other day for the court papers filed on Friday."""
    day = date(2013, 2, 20)
    filed = (
        "A",
        "In court papers filed against Senator Hale on Friday, prosecutors said that upon conviction he must forfeit "
        "$300,000.",
        day,
    )
    plea = (
        "B",
        "His wife, Ann Hale, is expected to plead guilty to filing false tax returns before the same judge on "
        "Wednesday.",
        day,
    )
    assert _date_conflicts(engine, filed, plea) == []


def test_a_count_so_far_at_this_point_is_a_running_count(engine: Engine) -> None:
    """ "At this point, there has been one arrest" is a count so far (a live report's running figure), not the
    night's final count: it does not contradict a later report's total, as "so far" does not. Two final counts
    still conflict."""
    interim = "At this point, the police said the crowd had scattered and that there was one arrest on the avenue."
    final = (
        "By the end of the night the crowd had scattered from the avenue, and there were 38 arrests, the police said."
    )
    assert _figure_conflicts(engine, interim, final) == []
    assert _figure_conflicts(engine, final, final.replace("38", "52")) == [{"38", "52"}]


def test_a_figure_that_agrees_with_an_elliptic_count_of_the_other_is_not_a_conflict(engine: Engine) -> None:
    """ "Shot four passers-by, killing three" gives two counts of one noun, the second elliptic (its noun left
    out). "The deaths of three passers-by" agrees with the elliptic one: the outlets count different things, and
    four shot against three dead is no conflict. Without the elliptic count, four shot against six shot still
    conflict, and so does an elliptic count whose verb is not the other figure's ("injured ... and arrested
    five" against "five were injured")."""
    shot = "The gunman shot four passers-by on the bridge, killing three, before he was stopped."
    deaths = "The gunman is charged with murder over the deaths of three passers-by on the bridge."
    assert _figure_conflicts(engine, shot, deaths) == []
    alone = "The gunman shot four passers-by on the bridge before he was stopped."
    assert _figure_conflicts(engine, alone, alone.replace("four", "six")) == [{"four", "six"}]
    # An elliptic count with another verb ("arrested five") is not the other outlet's count of the injured.
    injured = "Police said 12 people were injured in the clashes and arrested five."
    assert _figure_conflicts(engine, injured, "Five people were injured in the clashes, police said.") == [
        {"12", "Five"}
    ]


def test_a_figure_of_an_unnamed_party_is_not_one_of_several_named_parties(engine: Engine) -> None:
    """ "The club was said to have bid at least $90 million" names no party; "Dayton matched the bid from Leeds,
    Portland has made a bid between $60 and $65 million" gives several named parties their own bids. Which of
    them "the club" is, nothing in the sentence says: the figures are not compared. Against a sentence about one
    named party they still are."""
    unnamed = "A columnist says the club was believed to have bid at least $90 million for the striker."
    several = (
        "Dayton matched the bid from Leeds, Portland has made a bid between $60 and $65 million for the striker,"
        " and nobody knows what Norwich has bid."
    )
    assert _figure_conflicts(engine, unnamed, several) == []
    single = "Portland has made a bid between $60 and $65 million for the striker, its chairman said."
    assert _figure_conflicts(engine, unnamed, single) == [{"at least $90 million", "between $60 and $65 million"}]


def test_a_figure_in_a_question_is_not_a_claim(engine: Engine) -> None:
    """ "Should Portland go higher than $90 million a season?" asks; it states no figure, so nothing in it
    conflicts with the bid another outlet reports. The same figure stated is compared."""
    question = "Should Portland go higher than $90 million a season for the striker?"
    stated = "Portland has offered the striker $70 million a season, its chairman said."
    assert _figure_conflicts(engine, question, stated) == []
    statement = "Portland will go higher than $90 million a season for the striker, its chairman said."
    assert _figure_conflicts(engine, statement, stated) != []


def test_a_persons_age_advances_between_reports_dated_apart(engine: Engine) -> None:
    """A person is a year older in a report a year later: "38" in April 2007 and "39" at the trial in April 2008
    agree. On one day the same two ages conflict, and so does an age three years more a year later."""
    charged = "Prosecutors said the 38-year-old Varga fired a shotgun inside the accounting office."
    convicted = "Prosecutors said the 39-year-old Varga fired a shotgun inside the accounting office."
    apart = (("Reuters", charged, date(2007, 4, 11)), ("AP", convicted, date(2008, 4, 30)))
    assert _claims(_analyse(engine, *apart), "number", "reported_claim") == []
    same_day = (("Reuters", charged, date(2007, 4, 11)), ("AP", convicted, date(2007, 4, 11)))
    assert _claims(_analyse(engine, *same_day), "number", "reported_claim") == [{"38-year-old", "39-year-old"}]
    older = (("Reuters", charged, date(2007, 4, 11)), ("AP", convicted.replace("39", "41"), date(2008, 4, 30)))
    assert _claims(_analyse(engine, *older), "number", "reported_claim") == [{"38-year-old", "41-year-old"}]


def test_a_month_or_weekday_near_a_figure_is_not_a_party(engine: Engine) -> None:
    """Names near a figure tell whose figure it is ("the Orioles' offer"); a month or a weekday names no party.
    "Proposed the rules in May and has since received nearly 90,000 letters" and "received nearly 60,000 letters
    on Thursday" are one count, whose two values conflict."""
    may = "The ministry proposed the fishing rules in May and has since received nearly 90,000 letters about them."
    thursday = "The ministry received nearly 60,000 letters on Thursday about the fishing rules."
    assert _figure_conflicts(engine, may, thursday) == [{"nearly 90,000", "nearly 60,000"}]


def test_a_figure_dated_to_a_period_is_not_one_dated_to_a_day(engine: Engine) -> None:
    """ "A 6.3 tremor in March" and "on Sunday a 5.4 tremor" are two tremors: a figure whose clause is dated to a
    month is not compared with one dated to a day outside it. Two figures of one day still conflict."""
    sunday = "Earlier on Sunday a 5.4 tremor shook the port town, officials said."
    march = "The port town was shaken by a 6.3 tremor in March."
    assert _figure_conflicts(engine, sunday, march) == []
    also_sunday = "The port town was shaken by a 5.9 tremor on Sunday."
    assert _figure_conflicts(engine, sunday, also_sunday) == [{"5.4", "5.9"}]


def test_a_count_without_a_noun_is_compared_by_what_happened_to_it(engine: Engine) -> None:
    """ "Injuring 80" and "injuring 60": a figure with no noun of its own counts what its verb did; two such
    figures of one verb are one slot (one such figure and a count of people are not: on the dev stories that was
    mostly another event's toll). The parser's NER often reads a bare figure
    at a clause's end as a date ("injuring 80."), and a figure with a participle after it ("50 injured", "the 80
    wounded") counts what the participle says."""
    storm = "The storm flattened three villages on the coast on Monday, killing 12 people and injuring {}."
    assert _figure_conflicts(engine, storm.format(80), storm.format(60)) == [{"80", "60"}]
    passive = "Twelve people were killed and at least {} injured when the storm hit the coast on Monday."
    assert _figure_conflicts(engine, passive.format(90), storm.format(60)) == [{"at least 90", "60"}]
    # Compatible ("at least 50" holds 60), and the dead are not the injured.
    assert _figure_conflicts(engine, passive.format(50), storm.format(60)) == []
    people = "The storm flattened three villages on the coast on Monday, and 60 people were injured."
    assert _figure_conflicts(engine, storm.format(80), people) == []
    arrested = "Police arrested {} after the match in the city centre on Saturday, a spokesman said."
    assert _figure_conflicts(engine, arrested.format(14), storm.format(14)) == []


def test_once_and_twice_are_counts_of_times(engine: Engine) -> None:
    """ "Married twice" and "married three times" count one thing; "twice as many" is a ratio, not a count."""
    twice = "The singer married twice and had no children, her publicist said on Friday."
    thrice = "The singer was married three times and had no children, her publicist said on Friday."
    assert _figure_conflicts(engine, twice, thrice) == [{"twice", "three"}]
    ratio = "The singer sold twice as many records as her rival in the decade, her publicist said on Friday."
    assert _figure_conflicts(engine, ratio, thrice) == []


def test_an_estimated_figure_counts_its_noun(engine: Engine) -> None:
    """ "An estimated 100,000 people": the parser may hang the entity on "estimated"; the figure still counts
    the people."""
    rally = "{} people marched through the capital on Wednesday against the spending cuts, police said."
    assert _figure_conflicts(engine, rally.format("An estimated 100,000"), rally.format("As many as 20,000")) == [
        {"An estimated 100,000", "As many as 20,000"}
    ]
    assert _figure_conflicts(engine, rally.format("An estimated 100,000"), rally.format("About 100,000")) == []


def test_a_named_persons_record_or_age_is_compared_across_unlike_sentences(engine: Engine) -> None:
    """A fighter's record or a person's age is given wherever the name comes up, in sentences about other
    things: one named person's two records (or ages) conflict however unlike the sentences are (down to the
    named-event floor); another person's do not."""
    training = "Former champion Gus Ferrante ({}, 33 KOs) had been training in Spain since March to lose weight."
    undercard = "On the undercard, Gus Ferrante (43-1) scored a unanimous decision over Dale Pickett."
    assert _figure_conflicts(engine, training.format("45-1"), undercard) == [{"45-1", "43-1"}]
    assert _figure_conflicts(engine, training.format("43-1"), undercard) == []
    other = "On the undercard, Dale Pickett (43-1) scored a unanimous decision over Tom Ruiz."
    assert _figure_conflicts(engine, training.format("45-1"), other) == []
    aged = "The {}-year-old Gus Ferrante had been training in Spain since March to get his weight down."
    older = "On the undercard, the 43-year-old Gus Ferrante scored a unanimous decision over Dale Pickett."
    assert _figure_conflicts(engine, aged.format(41), older) == [{"41-year-old", "43-year-old"}]
    assert _figure_conflicts(engine, aged.format(43), older) == []


def test_a_figure_in_a_with_phrase_is_not_what_the_verb_did(engine: Engine) -> None:
    """ "They are taking the ships to pirate-held ports, with an estimated 1,500 pirates": the figure after the
    comma describes the ports, not what was taken; it is not the count of pirates the navy took on board."""
    taken = "The 23 pirates were taken on board the frigate, which will resume its patrol on Friday."
    ports = "They are taking the ships to pirate-held ports on the coast, with an estimated 1,500 pirates."
    assert _figure_conflicts(engine, taken, ports) == []
    aboard = "The navy took 31 pirates on board the frigate, which will resume its patrol on Friday."
    assert _figure_conflicts(engine, taken, aboard) == [{"23", "31"}]


def test_counts_told_with_verbs_of_one_action_are_one_slot(engine: Engine) -> None:
    """ "Wounding 70 others" and "injuring 80": outlets tell one event in their own words, and verbs that share a
    common WordNet sense are one action; "others" is no noun of its own (others of what the sentence counts), and
    "another 70" after a count of the dead sets the wounded apart from them rather than adding to a total. Verbs
    of different actions ("killed" / "wounded") stay apart, and an elliptic count dated to another period ("in
    March, a storm ... wounding 300") is that storm's."""
    others = "The storm flattened three villages on the coast on Monday, killing 12 people and wounding 70 others."
    another = "The storm flattened three villages on the coast on Monday, killing 12 people and wounding another 70."
    injured = "The storm flattened three villages on the coast on Monday, killing 12 people and injuring 80."
    assert _figure_conflicts(engine, others, injured) == [{"70", "80"}]
    assert _figure_conflicts(engine, another, injured) == [{"70", "80"}]
    # 70 killed is no count of the injured; 80 wounded and 80 injured agree.
    killed = "The storm flattened three villages on the coast on Monday, killing 70 and wounding 80 others."
    assert _figure_conflicts(engine, killed, injured) == []
    earlier = "In March, a storm flattened three villages on the coast, killing 12 people and injuring 300."
    assert _figure_conflicts(engine, others, earlier) == []


def test_a_person_and_people_are_one_unit_and_shot_to_death_is_killed(engine: Engine) -> None:
    """ "Ten persons" and "ten people" count one thing; "shot one person to death" counts the dead, so it does not
    conflict with "shooting three people, killing one", and it does with "killed two people"."""
    persons = "The gunman shot to death one person at the office on Monday, police said."
    shot = "A man suspected of shooting three people at the office on Monday, killing one, was arrested."
    assert _figure_conflicts(engine, persons, shot) == []
    two = "The gunman killed two people at the office on Monday, police said."
    assert _figure_conflicts(engine, persons, two) == [{"one", "two"}]


def test_one_distance_from_one_place_in_opposite_directions_conflicts(engine: Engine) -> None:
    """ "150 nautical miles west of the port" and "150 nautical miles east of the port" place one event on
    opposite sides of it: the figures agree, the bearings do not. Bearings that share a point of the compass
    ("north" / "north-west") are not set against each other, and a distance from another place is another figure."""
    west = "Pirates attacked the tanker on Tuesday about 150 nautical miles west of the port, the navy said."
    east = "Pirates attacked the tanker on Tuesday about 150 nautical miles east of the port, the navy said."
    found = _figure_conflicts(engine, west, east)
    assert found == [{"about 150 nautical miles west", "about 150 nautical miles east"}]
    north = "Pirates attacked the tanker on Tuesday about 150 nautical miles north of the port, the navy said."
    northwest = "Pirates attacked the tanker on Tuesday about 150 nautical miles north-west of the port, the navy said."
    assert _figure_conflicts(engine, north, northwest) == []
    southwest = northwest.replace("north-west", "south-west")  # "south-west" is one bearing, though tokenized apart
    assert _figure_conflicts(engine, southwest, west) == []
    cape = "Pirates attacked the tanker on Tuesday about 150 nautical miles east of the cape, the navy said."
    assert _figure_conflicts(engine, west, cape) == []
