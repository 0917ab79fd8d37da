"""The values matching compares meet where Spanish records of one person differ."""

from __future__ import annotations

from ventanilla.identity.features import identifier_number, prepare, spanish_phonetic


def test_two_surnames_in_either_order_or_one_missing_share_a_key() -> None:
    one = prepare({"family_name_1": "García", "family_name_2": "López"})
    other = prepare({"family_name_1": "LOPEZ", "family_name_2": "garcia"})

    assert one["surnames_sorted"] == other["surnames_sorted"] == "garcia lopez"
    assert prepare({"family_name_1": "de la Fuente"})["family_name_1"] == "fuente"


def test_a_wrong_check_letter_keeps_the_number_but_is_not_valid() -> None:
    assert identifier_number("12345678Z") == ("12345678", True)
    assert identifier_number("12345678A") == ("12345678", False)
    assert identifier_number("X1234567L")[0] == identifier_number("01234567L")[0]


def test_spellings_that_sound_alike_in_spanish_meet() -> None:
    assert spanish_phonetic("Vázquez") == spanish_phonetic("Basquez")
    assert spanish_phonetic("Hernández") == spanish_phonetic("Ernandez")
    assert spanish_phonetic("Llorente") == spanish_phonetic("Yorente")
    assert spanish_phonetic("Jiménez") == spanish_phonetic("Gimenez")
    assert spanish_phonetic("Pérez") != spanish_phonetic("Ruiz")


def test_day_and_month_swapped_give_the_same_key() -> None:
    assert (
        prepare({"birth_date": "1978-04-11"})["birth_day_month"]
        == prepare({"birth_date": "1978-11-04"})["birth_day_month"]
    )


def test_a_compound_name_is_called_by_its_second_half_after_maria() -> None:
    record = prepare({"given_name": "María Isabel"})

    assert record["given_name_first"] == "maria"
    assert record["given_name_called"] == "isabel"
    assert prepare({"given_name": "Isabel"})["given_name_called"] == "isabel"


def test_phone_numbers_with_and_without_the_country_code_meet() -> None:
    assert (
        prepare({"phone": "+34 612 34 56 78"})["phone"] == prepare({"phone": "612345678"})["phone"]
    )
