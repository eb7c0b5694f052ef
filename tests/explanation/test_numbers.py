from benchmark.explanation import numbers as fmt

NB = "\u00a0"


def test_norwegian_grouping_and_decimal_comma():
    assert fmt.number(14000) == f"14{NB}000"
    assert fmt.number(1234567.891, 2) == f"1{NB}234{NB}567,89"
    assert fmt.number(-1599) == f"-1{NB}599"
    assert fmt.knok(81759) == f"81{NB}759{NB}kNOK"
    assert fmt.percent(0.072) == f"7,2{NB}%"
    assert fmt.fte(3.44) == f"3,4{NB}årsverk"


def test_english():
    assert fmt.number(14000, lang="en") == "14,000"
    assert fmt.percent(0.072, lang="en") == "7.2%"
    assert fmt.fte(3.44, lang="en") == f"3.4{NB}FTE"


def test_missing_and_signed_zero():
    assert fmt.number(float("nan")) == "–"
    assert fmt.knok(None) == "–"
    assert fmt.number(-0.04, 1) == "0,0"
    assert fmt.number(2.5, 1, signed=True) == "+2,5"
    assert fmt.percent(-0.013, signed=True) == f"-1,3{NB}%"


def test_intervals_keep_the_unit_once():
    assert fmt.interval(3.14, 5.81, fmt.fte) == f"3,1–5,8{NB}årsverk"
    assert fmt.rank_interval(12, 5, 21, 40) == "nr. 12 av 40 (mellom 5 og 21)"
    assert fmt.rank_interval(3, 1, 4, None, lang="en") == "no. 3 (between 1 and 4)"
    assert fmt.rank_interval(8, 8, 8, 8) == "nr. 8 av 8 (sikker plass)"
    assert fmt.rank_interval(1, 1, 1, 9, lang="en") == "no. 1 of 9 (a certain place)"


def test_value_formats():
    assert fmt.value(0.0834, "percent") == f"8,3{NB}%"
    assert fmt.value(1.0312, "index") == "1,03"
    assert fmt.value(5.678, "number") == "5,68"
    assert fmt.value(152.4, "number") == "152"
