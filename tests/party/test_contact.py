"""Contact media: mainland China phone numbers and e-mail addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.kit.errors import ValidationFailed
from openboss.party.contact import EmailAddress, PhoneNumber, validate_email, validate_phone


def rejection(fn: object, raw: str) -> ValidationFailed:
    assert callable(fn)
    with pytest.raises(ValidationFailed) as info:
        fn(raw)
    assert info.value.status == 400
    return info.value


# --- phone numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138-0013-8000",
        "138 0013 8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086 13800138000",
        "(+86) 138.0013.8000",
        "１３８００１３８０００",
    ],
)
def test_mobile_numbers_normalise_to_e164(raw: str) -> None:
    assert validate_phone(raw) == PhoneNumber(
        e164="+8613800138000", kind="mobile", national="138 0013 8000", area_code=None
    )


@pytest.mark.parametrize(
    ("raw", "e164", "national", "area"),
    [
        ("020-83456789", "+862083456789", "020-83456789", "20"),
        ("(020) 8345 6789", "+862083456789", "020-83456789", "20"),
        ("+86 20 83456789", "+862083456789", "020-83456789", "20"),
        ("+86 (0)20 8345 6789", "+862083456789", "020-83456789", "20"),
        ("010-62345678", "+861062345678", "010-62345678", "10"),
        ("+86 10 6234 5678", "+861062345678", "010-62345678", "10"),
        ("0755 2345 6789", "+8675523456789", "0755-23456789", "755"),
        ("0086 755 23456789", "+8675523456789", "0755-23456789", "755"),
        ("0571-8765432", "+865718765432", "0571-8765432", "571"),
    ],
)
def test_fixed_lines_normalise_to_e164(raw: str, e164: str, national: str, area: str) -> None:
    assert validate_phone(raw) == PhoneNumber(
        e164=e164, kind="fixed_line", national=national, area_code=area
    )


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "PHONE_REQUIRED", "a phone number is required"),
        ("  ", "PHONE_REQUIRED", "a phone number is required"),
        ("138 0013 8000 ext 12", "PHONE_CHARACTER", "character 'e' is not allowed"),
        ("+86 138/0013/8000", "PHONE_CHARACTER", "character '/' is not allowed"),
        ("+1 202 555 0100", "PHONE_COUNTRY", "only mainland China numbers (+86)"),
        ("+852 2345 6789", "PHONE_COUNTRY", "only mainland China numbers (+86)"),
        ("00852 2345 6789", "PHONE_COUNTRY", "only mainland China numbers (0086)"),
        ("+86", "PHONE_LENGTH", "no digits after +86"),
        ("1380013800", "PHONE_LENGTH", "a mobile number has 11 digits, not 10"),
        ("138001380001", "PHONE_LENGTH", "a mobile number has 11 digits, not 12"),
        ("12800138000", "PHONE_MOBILE_PREFIX", "mobile numbers start with 13-19, not 12"),
        ("10800138000", "PHONE_MOBILE_PREFIX", "mobile numbers start with 13-19, not 10"),
        ("020-8345678", "PHONE_LENGTH", "after area code 020 the local number has 8 digits, not 7"),
        ("0755-834567890", "PHONE_LENGTH", "has 7 or 8 digits, not 9"),
        ("0755", "PHONE_LENGTH", "0755 is too short"),
        ("011-23456789", "PHONE_AREA_CODE", "0112 is not an area code"),
        ("0", "PHONE_AREA_CODE", "has no area code"),
        ("0755-0234567", "PHONE_LOCAL_NUMBER", "local number 0234567 cannot start with 0"),
        ("020-12345678", "PHONE_LOCAL_NUMBER", "local number 12345678 cannot start with 1"),
        ("62345678", "PHONE_AREA_CODE_MISSING", "needs its area code, as in 020-62345678"),
        ("400-812-3123", "PHONE_SERVICE_NUMBER", "4008123123 is a 400/800 service number"),
        ("95588", "PHONE_FORMAT", "95588 is neither a mobile number"),
    ],
)
def test_phone_rejections_name_the_problem(raw: str, code: str, message: str) -> None:
    err = rejection(validate_phone, raw)
    assert err.code == code
    assert message in err.message
    assert err.field == "phoneNumber"


def test_phone_field_name_is_passed_through() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_phone("x", field="contactMedium[0].characteristic.phoneNumber")
    assert info.value.field == "contactMedium[0].characteristic.phoneNumber"


SEPARATORS = st.sampled_from(["", " ", "-", "."])


@st.composite
def formatted(draw: st.DrawFn, digits: str, prefixes: list[str]) -> str:
    """The digits with a random prefix and random separators between them."""
    out = [draw(st.sampled_from(prefixes))]
    for ch in digits:
        out.append(ch + draw(SEPARATORS))
    return "".join(out).rstrip(" -.")


mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)


@given(st.data(), mobiles)
def test_any_formatting_of_a_mobile_gives_one_e164(data: st.DataObject, mobile: str) -> None:
    raw = data.draw(formatted(mobile, ["", "+86", "+86 ", "0086", "0086-"]))
    result = validate_phone(raw)
    assert result.kind == "mobile"
    assert result.e164 == "+86" + mobile
    assert result.national.replace(" ", "") == mobile
    assert validate_phone(result.e164) == result
    assert validate_phone(result.national) == result


fixed_lines = st.one_of(
    st.tuples(
        st.sampled_from(["10", *(f"2{d}" for d in range(10))]),
        st.from_regex(r"[2-9][0-9]{7}", fullmatch=True),
    ),
    st.tuples(
        st.from_regex(r"[3-9][0-9]{2}", fullmatch=True),
        st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True),
    ),
)


@given(st.data(), fixed_lines)
def test_any_formatting_of_a_fixed_line_gives_one_e164(
    data: st.DataObject, line: tuple[str, str]
) -> None:
    area, local = line
    style = data.draw(st.sampled_from(["0{a}-{n}", "(0{a}) {n}", "+86 {a} {n}", "0086{a}{n}"]))
    result = validate_phone(style.format(a=area, n=local))
    assert result == PhoneNumber(
        e164=f"+86{area}{local}", kind="fixed_line", national=f"0{area}-{local}", area_code=area
    )
    assert validate_phone(result.e164) == result


# --- e-mail ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "address", "domain_unicode"),
    [
        ("Zhang.San@Example.COM", "Zhang.San@example.com", "example.com"),
        ("  li+si@mail.example.cn ", "li+si@mail.example.cn", "mail.example.cn"),
        ("o'brien_1@sub-domain.example.org", "o'brien_1@sub-domain.example.org", None),
        ("user@例子.测试", "user@xn--fsqu00a.xn--0zwm56d", "例子.测试"),
        ("user＠例子。测试", "user@xn--fsqu00a.xn--0zwm56d", "例子.测试"),
        ("user@XN--FSQU00A.xn--0zwm56d", "user@xn--fsqu00a.xn--0zwm56d", "例子.测试"),
        ("用户@example.com", "用户@example.com", "example.com"),
        ("a@München.DE", "a@xn--mnchen-3ya.de", "münchen.de"),
    ],
)
def test_valid_addresses_are_normalised(raw: str, address: str, domain_unicode: str | None) -> None:
    result = validate_email(raw)
    assert result.address == address
    assert result.domain == address.split("@")[1]
    if domain_unicode is not None:
        assert result.domain_unicode == domain_unicode
    assert validate_email(result.address) == result


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "EMAIL_REQUIRED", "an e-mail address is required"),
        ("zhang san@example.com", "EMAIL_FORMAT", "cannot contain spaces"),
        ("zhang\u200bsan@example.com", "EMAIL_FORMAT", "control characters"),
        ("example.com", "EMAIL_FORMAT", "exactly one @, not 0"),
        ("a@b@example.com", "EMAIL_FORMAT", "exactly one @, not 2"),
        ("@example.com", "EMAIL_LOCAL", "the part before @ is empty"),
        (".a@example.com", "EMAIL_LOCAL", "cannot start or end with a dot"),
        ("a.@example.com", "EMAIL_LOCAL", "cannot start or end with a dot"),
        ("a..b@example.com", "EMAIL_LOCAL", "two dots in a row"),
        ("a,b@example.com", "EMAIL_LOCAL", "character ',' is not allowed before @"),
        ('"a"@example.com', "EMAIL_LOCAL", "character '\"' is not allowed before @"),
        ("a" * 65 + "@example.com", "EMAIL_LOCAL", "more than 64 bytes"),
        ("用" * 22 + "@example.com", "EMAIL_LOCAL", "more than 64 bytes"),
        ("a@", "EMAIL_DOMAIN", "the domain after @ is empty"),
        ("a@localhost", "EMAIL_DOMAIN", "needs at least two parts"),
        ("a@example..com", "EMAIL_DOMAIN", "has an empty part between dots"),
        ("a@example.com.", "EMAIL_DOMAIN", "has an empty part between dots"),
        ("a@[192.0.2.1]", "EMAIL_DOMAIN", "IP addresses are not accepted"),
        ("a@192.0.2.1", "EMAIL_DOMAIN", "ends in a number"),
        ("a@exa_mple.com", "EMAIL_DOMAIN", "character '_' is not allowed in the domain"),
        ("a@-example.com", "EMAIL_DOMAIN", "cannot start or end with a hyphen"),
        ("a@example-.com", "EMAIL_DOMAIN", "cannot start or end with a hyphen"),
        ("a@" + "x" * 64 + ".com", "EMAIL_DOMAIN", "has more than 63 characters"),
        ("a@xn--zz.com", "EMAIL_DOMAIN", "is not a valid internationalised domain name"),
        ("a@例子\u2620.com", "EMAIL_DOMAIN", "is not a valid internationalised domain name"),
        ("a@" + ".".join(["x" * 60] * 5) + ".com", "EMAIL_DOMAIN", "at most 253 characters"),
        ("a" * 64 + "@" + ".".join(["x" * 46] * 4) + ".com", "EMAIL_LENGTH", "at most 254"),
    ],
)
def test_email_rejections_name_the_problem(raw: str, code: str, message: str) -> None:
    err = rejection(validate_email, raw)
    assert err.code == code
    assert message in err.message
    assert err.field == "emailAddress"


ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
atoms = st.text(ATEXT, min_size=1, max_size=10)
labels = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--"  # IDNA reserves hyphens at positions 3-4
)


@given(
    st.lists(atoms, min_size=1, max_size=3),
    st.lists(labels, min_size=1, max_size=3),
    st.from_regex(r"[a-zA-Z]{2,6}", fullmatch=True),
)
def test_generated_addresses_validate_with_a_lower_case_domain(
    local_atoms: list[str], domain_labels: list[str], tld: str
) -> None:
    local = ".".join(local_atoms)
    domain = ".".join([*domain_labels, tld])
    result = validate_email(f"{local}@{domain}")
    assert result == EmailAddress(
        address=f"{local}@{domain.lower()}",
        local_part=local,
        domain=domain.lower(),
        domain_unicode=domain.lower(),
    )
