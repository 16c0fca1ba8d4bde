from notifications.segments import GSM7, UCS2, segment_count


def test_plain_text_up_to_160_characters_is_one_gsm7_segment():
    assert segment_count("a" * 160) == (GSM7, 1)


def test_161_gsm7_characters_need_two_parts_of_153():
    assert segment_count("a" * 161) == (GSM7, 2)
    assert segment_count("a" * 306) == (GSM7, 2)
    assert segment_count("a" * 307) == (GSM7, 3)


def test_italian_accents_in_the_gsm7_table_keep_gsm7():
    assert segment_count("Ciao Giulia, è già partito: arriverà più tardi, perché c'è traffico.")[0] == GSM7


def test_extension_characters_cost_two_septets():
    assert segment_count("€" * 80) == (GSM7, 1)
    assert segment_count("€" * 81) == (GSM7, 2)


def test_an_extension_character_is_never_split_across_parts():
    # 152 plain characters then "€": the escape and the euro sign move together to part two.
    assert segment_count("a" * 152 + "€" + "a" * 152) == (GSM7, 3)


def test_one_character_outside_gsm7_switches_the_whole_text_to_ucs2():
    assert segment_count("Ciao\u00a0Giulia") == (UCS2, 1)  # a non-breaking space
    assert segment_count("L’operaio") == (UCS2, 1)  # a curly apostrophe


def test_ucs2_holds_70_single_then_67_per_part():
    assert segment_count("ò" * 69 + "’") == (UCS2, 1)
    assert segment_count("’" * 71) == (UCS2, 2)
    assert segment_count("’" * 134) == (UCS2, 2)
    assert segment_count("’" * 135) == (UCS2, 3)


def test_characters_beyond_the_bmp_count_as_two_utf16_code_units():
    assert segment_count("🚜" * 35) == (UCS2, 1)
    assert segment_count("🚜" * 36) == (UCS2, 2)


def test_a_surrogate_pair_is_never_split_across_parts():
    assert segment_count("’" * 66 + "🚜" + "’" * 66) == (UCS2, 3)


def test_an_empty_text_is_one_segment():
    assert segment_count("") == (GSM7, 1)
