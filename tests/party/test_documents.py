"""Identity documents: resident ID, unified social credit code, passport, masking.

The tests compute check characters with their own implementation of each
standard (the ISO 7064 / GB 32100 / GB 11714 definitions, written differently
from the module) so a wrong table in the module cannot pass by agreeing with
itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from babel import Locale
from babel.core import get_global
from hypothesis import assume, given
from hypothesis import strategies as st

from openboss.kit.clock import FrozenClock, set_clock
from openboss.kit.errors import ValidationFailed
from openboss.party.documents import (
    ISO_COUNTRIES,
    ORGANISATION_CODE_WEIGHTS,
    PROVINCES,
    RESIDENT_ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_CATEGORIES,
    USCC_WEIGHTS,
    CreditCode,
    ResidentId,
    mask,
    organisation_code_check_char,
    resident_id_check_char,
    uscc_check_char,
    validate_credit_code,
    validate_passport,
    validate_resident_id,
)

TODAY = date(2025, 6, 30)

# --- independent reference implementations -------------------------------------


def ref_id_check(body: str) -> str:
    """ISO 7064 MOD 11-2 as a pure system: the check value c makes
    sum(a_i * 2^(18-i)) over all 18 positions (i = 1..18) equal to 1 mod 11."""
    partial = 0
    for ch in body:  # Horner: multiply the running sum by 2 for each further position
        partial = (partial + int(ch)) * 2
    c = next(c for c in range(11) if (partial + c) % 11 == 1)
    return "X" if c == 10 else str(c)


def ref_id_ok(number: str) -> bool:
    """Whether the 18 characters satisfy the MOD 11-2 check (X counts 10)."""
    if any(not ch.isdigit() for ch in number[:17]):
        return False
    return ref_id_check(number[:17]) == number[17]


def ref_uscc_check(body: str) -> str:
    """GB 32100: weights W_i = 3^(i-1) mod 31; C18 = 31 - (sum mod 31), 31 → 0."""
    total, weight = 0, 1
    for ch in body:
        total += USCC_ALPHABET.index(ch) * weight
        weight = weight * 3 % 31
    return USCC_ALPHABET[(31 - total % 31) % 31]


def ref_org_check(body: str) -> str:
    """GB 11714: A=10 … Z=35, weights 3 7 9 10 5 8 4 2, C9 = 11 - (sum mod 11)."""
    values = [int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10 for ch in body]
    c = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_id(division: str, birth: str, sequence: str) -> str:
    body = division + birth + sequence
    return body + ref_id_check(body)


def make_uscc(prefix: str, division: str, org_body: str) -> str:
    body = prefix + division + org_body + ref_org_check(org_body)
    return body + ref_uscc_check(body)


def rejection(fn: object, *args: object, **kwargs: object) -> ValidationFailed:
    assert callable(fn)
    with pytest.raises(ValidationFailed) as info:
        fn(*args, **kwargs)
    assert info.value.status == 400
    return info.value


# --- resident identity card ------------------------------------------------------


def test_gb11643_example_validates_and_yields_its_facts() -> None:
    result = validate_resident_id("11010519491231002X", today=TODAY)
    assert result == ResidentId(
        number="11010519491231002X",
        division_code="110105",
        province_code="11",
        province="Beijing",
        birth_date=date(1949, 12, 31),
        sex="female",
    )


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_resident_id_input_is_normalised(raw: str) -> None:
    assert validate_resident_id(raw, today=TODAY).number == "11010519491231002X"


def test_weights_are_those_of_the_standard() -> None:
    # GB 11643-1999 table 1, and 2^(17-i) mod 11 derived step by step.
    assert RESIDENT_ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    weights, w = [], 2  # the check character has weight 2^0; the last body digit 2^1
    for _ in range(17):
        weights.append(w)
        w = w * 2 % 11
    assert tuple(reversed(weights)) == RESIDENT_ID_WEIGHTS
    assert resident_id_check_char("11010519491231002") == "X"


def test_gb11643_example_born_1880_has_a_good_check_digit_but_is_too_early() -> None:
    assert resident_id_check_char("44052418800101001") == "4" == ref_id_check("44052418800101001")
    err = rejection(validate_resident_id, "440524188001010014", today=TODAY)
    assert err.code == "ID_BIRTH_TOO_EARLY"
    assert err.message == "birth date 18800101 is before 1900"


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "ID_REQUIRED", "a resident identity number is required"),
        (
            "110105491231002",
            "ID_LEGACY_15",
            "15-digit resident identity numbers are no longer valid; "
            "the 18-digit number is required",
        ),
        ("1101051949123100", "ID_LENGTH", "a resident identity number has 18 characters, not 16"),
        ("11010519491231002X1", "ID_LENGTH", "has 18 characters, not 19"),
        ("1101051949123100AX", "ID_FORMAT", "character 17 ('A') of a resident identity"),
        ("11010519491231002Y", "ID_FORMAT", "is a digit or X, not 'Y'"),
        ("11010519491231012X", "ID_CHECK_DIGIT", "check digit should be 6, not X"),
        ("110105194912310021", "ID_CHECK_DIGIT", "check digit should be X, not 1"),
    ],
)
def test_resident_id_rejections_name_the_problem(raw: str, code: str, message: str) -> None:
    err = rejection(validate_resident_id, raw, today=TODAY)
    assert err.code == code
    assert message in err.message
    assert err.field == "identificationId"


def test_check_digit_error_carries_expected_and_actual() -> None:
    err = rejection(validate_resident_id, "110105194912310021", today=TODAY)
    assert err.details == {"expected": "X", "actual": "1"}


@pytest.mark.parametrize(
    ("division", "birth", "code", "message"),
    [
        ("990105", "19491231", "ID_REGION", "division code 990105 does not start with a province"),
        ("720105", "19491231", "ID_REGION", "(72 is none)"),
        ("110105", "19990231", "ID_BIRTH_DATE", "birth date 19990231 is not a date"),
        ("110105", "19991301", "ID_BIRTH_DATE", "birth date 19991301 is not a date"),
        ("110105", "18991231", "ID_BIRTH_TOO_EARLY", "birth date 18991231 is before 1900"),
        ("110105", "20250701", "ID_BIRTH_FUTURE", "birth date 20250701 is in the future"),
    ],
)
def test_numbers_with_good_check_digit_but_bad_content_are_rejected(
    division: str, birth: str, code: str, message: str
) -> None:
    number = make_id(division, birth, "123")
    err = rejection(validate_resident_id, number, today=TODAY)
    assert err.code == code
    assert message in err.message


def test_boundaries_of_the_birth_date() -> None:
    assert validate_resident_id(make_id("110105", "19000101", "001"), today=TODAY)
    born_today = validate_resident_id(make_id("110105", "20250630", "001"), today=TODAY)
    assert born_today.birth_date == TODAY
    assert validate_resident_id(make_id("310101", "20000229", "001"), today=TODAY)


# The province-level codes of GB/T 2260, written out independently of the module.
_PROVINCE_TEXT = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82"
GB_T_2260_PROVINCES = _PROVINCE_TEXT.split()


@pytest.mark.parametrize("province", GB_T_2260_PROVINCES)
def test_every_province_level_code_is_accepted(province: str) -> None:
    result = validate_resident_id(make_id(province + "0102", "19800101", "001"), today=TODAY)
    assert result.province_code == province
    assert validate_credit_code(make_uscc("91", province + "0102", "MA5FAJ7K"))
    assert set(PROVINCES) == set(GB_T_2260_PROVINCES)


def test_taiwan_residence_permit_prefix_and_special_regions_are_accepted() -> None:
    assert validate_resident_id(make_id("830000", "19800101", "001"), today=TODAY).province == (
        "Taiwan"
    )
    assert validate_resident_id(make_id("810000", "19800101", "001"), today=TODAY).province == (
        "Hong Kong"
    )


@pytest.fixture
def beijing_new_year() -> Iterator[None]:
    # 16:30 UTC on 1 January is already 2 January in Beijing.
    set_clock(FrozenClock(datetime(2024, 1, 1, 16, 30, tzinfo=UTC)))
    yield
    set_clock(None)


@pytest.mark.usefixtures("beijing_new_year")
def test_default_today_is_the_beijing_date_of_the_injected_clock() -> None:
    assert validate_resident_id(make_id("110105", "20240102", "001")).birth_date == date(2024, 1, 2)
    err = rejection(validate_resident_id, make_id("110105", "20240103", "001"))
    assert err.code == "ID_BIRTH_FUTURE"


def test_field_name_is_passed_through() -> None:
    err = rejection(validate_resident_id, "1", field="individualIdentification.identificationId")
    assert err.field == "individualIdentification.identificationId"


def test_sex_comes_from_the_17th_digit() -> None:
    for digit in "0123456789":
        result = validate_resident_id(make_id("440305", "19900515", "12" + digit), today=TODAY)
        assert result.sex == ("male" if int(digit) % 2 else "female")


resident_ids = st.builds(
    make_id,
    st.builds(
        lambda p, rest: p + rest,
        st.sampled_from(sorted(PROVINCES)),
        st.text("0123456789", min_size=4, max_size=4),
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY).map(lambda d: d.strftime("%Y%m%d")),
    st.text("0123456789", min_size=3, max_size=3),
)


@given(resident_ids)
def test_generated_resident_ids_validate_and_round_trip(number: str) -> None:
    result = validate_resident_id(number.lower(), today=TODAY)
    assert result.number == number
    assert result.division_code == number[:6]
    assert result.birth_date.strftime("%Y%m%d") == number[6:14]
    assert result.sex == ("male" if int(number[16]) % 2 else "female")
    assert validate_resident_id(result.number, today=TODAY) == result


@given(resident_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_substitution_is_rejected(number: str, position: int, char: str) -> None:
    assume(char != number[position])
    assume(position == 17 or char != "X")  # X is not allowed in the body at all
    corrupted = number[:position] + char + number[position + 1 :]
    # The claim itself: MOD 11-2 alone detects the substitution ...
    assert not ref_id_ok(corrupted)
    # ... so the validator rejects it whatever else it checks first.
    rejection(validate_resident_id, corrupted, today=TODAY)


@given(resident_ids, st.integers(0, 16))
def test_every_adjacent_transposition_is_rejected(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not ref_id_ok(swapped)
    rejection(validate_resident_id, swapped, today=TODAY)


def test_mod_11_2_guarantees_single_and_adjacent_transposition_detection() -> None:
    # Full weights including the check character's weight 1 (ISO 7064 pure system).
    weights = [*RESIDENT_ID_WEIGHTS, 1]
    # Substitution changes the sum by w*d; 11 is prime so it is never 0 mod 11.
    assert all((w * d) % 11 for w in weights for d in range(1, 11))
    # Swapping a, b at i, i+1 changes it by (a-b)(w_i - w_{i+1}); adjacent weights differ.
    assert all((weights[i] - weights[i + 1]) % 11 for i in range(17))


# --- unified social credit code -------------------------------------------------


def test_standard_example_validates_and_yields_its_facts() -> None:
    assert validate_credit_code("91350100m000100y43") == CreditCode(
        code="91350100M000100Y43",
        registration_authority="9",
        registration_authority_name="industry and commerce",
        category="1",
        category_name="enterprise",
        division_code="350100",
        organisation_code="M000100Y4",
    )


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert all(USCC_WEIGHTS[i + 1] == USCC_WEIGHTS[i] * 3 % 31 for i in range(16))
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_organisation_code_check_matches_gb11714_examples() -> None:
    assert ORGANISATION_CODE_WEIGHTS == (3, 7, 9, 10, 5, 8, 4, 2)
    assert organisation_code_check_char("D2143569") == "X"  # GB 11714 example D2143569-X
    assert organisation_code_check_char("M000100Y") == "4"
    # 11 - 0 = 11 is written 0.
    assert organisation_code_check_char("00000000") == "0"


def test_national_level_registration_is_accepted() -> None:
    code = make_uscc("11", "100000", "00001312")
    result = validate_credit_code(code)
    assert result.division_code == "100000"
    assert result.registration_authority_name == "institutional establishment"
    assert result.category_name == "government body"


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "USCC_REQUIRED", "a unified social credit code is required"),
        ("91350100M000100Y4", "USCC_LENGTH", "has 18 characters, not 17"),
        ("91350100M000100I43", "USCC_CHARACTER", "character 16 ('I') is not allowed"),
        ("91350100M0001O0Y43", "USCC_CHARACTER", "character 14 ('O') is not allowed"),
        ("9135010SM000100Y43", "USCC_CHARACTER", "character 8 ('S') is not allowed"),
        ("91350100M000100Y4V", "USCC_CHARACTER", "character 18 ('V') is not allowed"),
        ("Z1350100M000100Y43", "USCC_CHARACTER", "character 1 ('Z') is not allowed"),
        ("91350100M000100Y44", "USCC_CHECK_CHAR", "check character should be 3, not 4"),
    ],
)
def test_credit_code_rejections_name_the_problem(raw: str, code: str, message: str) -> None:
    err = rejection(validate_credit_code, raw)
    assert err.code == code
    assert message in err.message
    assert err.field == "identificationId"


@pytest.mark.parametrize(
    ("prefix", "division", "code", "message"),
    [
        ("B1", "350100", "USCC_AUTHORITY", "'B' is not a registration authority code"),
        ("94", "350100", "USCC_CATEGORY", "'4' is not an organisation category of registration"),
        ("99", "350100", "USCC_CATEGORY", "authority '9' (industry and commerce: 1, 2, 3)"),
        ("Y2", "350100", "USCC_CATEGORY", "'2' is not an organisation category"),
        ("91", "35A100", "USCC_REGION", "characters 3-8 (35A100) must be the digits"),
        ("91", "990100", "USCC_REGION", "division code 990100 does not start with a province"),
    ],
)
def test_codes_with_good_check_but_bad_structure_are_rejected(
    prefix: str, division: str, code: str, message: str
) -> None:
    uscc = make_uscc(prefix, division, "M000100Y")
    err = rejection(validate_credit_code, uscc)
    assert err.code == code
    assert message in err.message


def test_bad_organisation_code_check_is_rejected_even_with_a_good_final_check() -> None:
    body = "91350100" + "M000100Y" + "5"  # GB 11714 wants 4
    err = rejection(validate_credit_code, body + ref_uscc_check(body))
    assert err.code == "USCC_ORG_CHECK_CHAR"
    assert err.message == (
        "the organisation code M000100Y5 (characters 9-17) should end in 4, not 5"
    )


def test_every_pair_of_the_table_is_accepted_and_named() -> None:
    for authority, (authority_name, categories) in USCC_CATEGORIES.items():
        for category, category_name in categories.items():
            result = validate_credit_code(make_uscc(authority + category, "440300", "MA5FAJ7K"))
            assert (result.registration_authority_name, result.category_name) == (
                authority_name,
                category_name,
            )
    # The pairs named in GB 32100 Appendix A, including the later amendments.
    assert {a: "".join(c) for a, (_, c) in USCC_CATEGORIES.items()} == {
        "1": "1239",
        "2": "19",
        "3": "123459",
        "4": "19",
        "5": "1239",
        "6": "129",
        "7": "129",
        "8": "19",
        "9": "123",
        "A": "19",
        "N": "1239",
        "Y": "1",
    }


usccs = st.builds(
    make_uscc,
    st.sampled_from(sorted(a + c for a, (_, cats) in USCC_CATEGORIES.items() for c in cats)),
    st.builds(
        lambda p, rest: p + rest,
        st.sampled_from([*sorted(PROVINCES), "10"]),
        st.text("0123456789", min_size=4, max_size=4),
    ),
    st.text(USCC_ALPHABET, min_size=8, max_size=8),
)


@given(usccs)
def test_generated_credit_codes_validate_and_round_trip(code: str) -> None:
    result = validate_credit_code(code.lower())
    assert result.code == code
    assert result.registration_authority + result.category == code[:2]
    assert result.division_code == code[2:8]
    assert result.organisation_code == code[8:17]
    assert validate_credit_code(result.code) == result


@given(usccs, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_every_single_substitution_in_a_credit_code_is_rejected(
    code: str, position: int, char: str
) -> None:
    assume(char != code[position])
    corrupted = code[:position] + char + code[position + 1 :]
    assert ref_uscc_check(corrupted[:17]) != corrupted[17]
    # The final check character is verified first, so the message points at it.
    assert rejection(validate_credit_code, corrupted).code != "USCC_ORG_CHECK_CHAR"


@given(usccs, st.integers(0, 16))
def test_every_adjacent_transposition_in_a_credit_code_is_rejected(
    code: str, position: int
) -> None:
    a, b = code[position], code[position + 1]
    assume(a != b)
    swapped = code[:position] + b + a + code[position + 2 :]
    assert ref_uscc_check(swapped[:17]) != swapped[17]
    rejection(validate_credit_code, swapped)


def test_mod_31_guarantees_single_and_adjacent_transposition_detection() -> None:
    # The code sums to 0 mod 31 with weight 1 for the check character.
    weights = [*USCC_WEIGHTS, 1]
    assert all((w * d) % 31 for w in weights for d in range(1, 31))
    assert all((weights[i] - weights[i + 1]) % 31 for i in range(17))


# --- passports ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("E12345678", "E12345678"), ("g 1234 5678", "G12345678"), ("ea1234567", "EA1234567")],
)
def test_chinese_passports(raw: str, normalised: str) -> None:
    result = validate_passport(raw, "chn")
    assert (result.number, result.issuing_country) == (normalised, "CHN")


@pytest.mark.parametrize("raw", ["E1234567", "P12345678", "EA12345678", "123456789", "GA1234567"])
def test_malformed_chinese_passports_are_rejected(raw: str) -> None:
    err = rejection(validate_passport, raw, "CHN")
    assert err.code == "PASSPORT_FORMAT"
    assert "is not a Chinese passport number" in err.message


@pytest.mark.parametrize(
    ("raw", "country"), [("X1234567", "usa"), ("K12345678", "HKG"), ("C01X00T47", "DEU")]
)
def test_foreign_passports(raw: str, country: str) -> None:
    result = validate_passport(raw, country)
    assert result.issuing_country == country.upper()
    assert result.number == raw.upper()


@pytest.mark.parametrize(
    ("raw", "country", "code", "field", "message"),
    [
        ("X1234567", "", "PASSPORT_COUNTRY", "issuingAuthority", "issuing country"),
        ("X1234567", "US", "PASSPORT_COUNTRY", "issuingAuthority", "'US' is not an ISO 3166-1"),
        ("X1234567", "XYZ", "PASSPORT_COUNTRY", "issuingAuthority", "'XYZ' is not an ISO"),
        ("", "USA", "PASSPORT_REQUIRED", "identificationId", "a passport number is required"),
        ("1234", "DEU", "PASSPORT_LENGTH", "identificationId", "5 to 20 letters and digits, not 4"),
        ("A" * 21, "DEU", "PASSPORT_LENGTH", "identificationId", "not 21"),
        ("AB-123456", "FRA", "PASSPORT_CHARACTER", "identificationId", "character 3 ('-')"),
    ],
)
def test_passport_rejections(raw: str, country: str, code: str, field: str, message: str) -> None:
    err = rejection(validate_passport, raw, country)
    assert (err.code, err.field) == (code, field)
    assert message in err.message


def test_country_list_is_iso_3166_alpha_3_as_cldr_knows_it() -> None:
    # An independent source (CLDR in Babel) maps each alpha-3 code to one current territory.
    aliases = get_global("territory_aliases")
    territories = Locale("en").territories
    assert len(ISO_COUNTRIES) == 249
    alpha2 = set()
    for code in ISO_COUNTRIES:
        target = aliases[code]
        assert len(target) == 1 and target[0] in territories, code
        alpha2.add(target[0])
    assert len(alpha2) == 249


# --- masking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        ("91350100M000100Y43", "913***********0Y43"),
        ("13800138000", "138****8000"),
        ("E12345678", "E1*****78"),
        ("AB12", "A**2"),
        ("", ""),
    ],
)
def test_mask(raw: str, masked: str) -> None:
    assert mask(raw) == masked


@given(st.text("0123456789ABCDEFGHJKX", max_size=30))
def test_mask_keeps_length_and_ends_and_hides_at_least_a_third(value: str) -> None:
    masked = mask(value)
    assert len(masked) == len(value)
    shown = [ch for ch in masked if ch != "*"]
    assert len(shown) <= len(value) * 2 // 3
    if len(value) >= 11:
        assert masked[:3] == value[:3] and masked[-4:] == value[-4:]
