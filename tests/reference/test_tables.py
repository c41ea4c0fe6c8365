"""The reference tables: FIPS 10-4 to ISO, CAMEO event codes and CAMEO actor codes."""

import pycountry
import pytest

from app.models import EventType, ParticipantKind
from app.reference import cameo, cameo_actors, fips

PLOVER = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip


def is_iso(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country (XK, Kosovo, included)."""
    return code == "XK" or pycountry.countries.get(alpha_2=code) is not None


class TestFips:
    @pytest.mark.parametrize(
        ("code", "iso"),
        [("AS", "AU"), ("CH", "CN"), ("GM", "DE"), ("NI", "NG"), ("RS", "RU"), ("KV", "XK"),
         ("UK", "GB"), ("SZ", "CH"), ("SF", "ZA"), ("JA", "JP"), ("IS", "IL"), ("EI", "IE"),
         ("RI", "RS"), ("NU", "NI"), ("GA", "GM"), ("AQ", "AS"), ("WE", "PS"), ("gm", "DE")],
    )  # fmt: skip
    def test_traps(self, code: str, iso: str) -> None:
        assert fips.iso_country(code) == iso

    @pytest.mark.parametrize("code", ["OS", "ZN", "XO", "PF", "PG", "AX", "DX", "NT", "YI"])
    def test_codes_without_a_country(self, code: str) -> None:
        assert fips.iso_country(code) is None

    def test_an_unknown_code_is_an_error(self) -> None:
        with pytest.raises(fips.UnknownFipsCode):
            fips.iso_country("QQ")

    def test_every_value_is_iso_and_nearly_every_country_is_reached(self) -> None:
        assert [v for v in fips.FIPS_TO_ISO.values() if not is_iso(v)] == []
        assert not set(fips.FIPS_TO_ISO) & set(fips.NO_ISO_COUNTRY)
        reached = set(fips.FIPS_TO_ISO.values())
        # Åland is part of Finland in FIPS, and FIPS never split Bonaire, Sint Eustatius, Saba.
        assert {c.alpha_2 for c in pycountry.countries} - reached == {"AX", "BQ"}


class TestCameoEvents:
    def test_counts_and_leading_zeros(self) -> None:
        codes = cameo.event_codes()
        assert len([c for c in codes if len(c) == 2]) == 20
        assert len(codes) == 316
        assert codes["010"].description == "Make statement, not specified below"
        assert codes["0233"].description == "Appeal for humanitarian aid"
        assert cameo.event_code("10") is not None
        assert cameo.event_code("010") is not None
        assert cameo.event_code("999") is None

    def test_every_code_has_its_root_and_base(self) -> None:
        codes = cameo.event_codes()
        for code in codes:
            assert code[:2] in codes
            assert code[:3] in codes or len(code) == 2

    @pytest.mark.parametrize(
        ("code", "event_type", "plover"),
        [("042", "visit", "CONSULT"), ("043", "visit", "CONSULT"), ("046", "meeting", "CONSULT"),
         ("057", "agreement", "AGREE"), ("0871", "agreement", "RETREAT"),
         ("026", "invitation", "REQUEST"), ("010", "statement", None), ("090", "other", None),
         ("129", "legislative_action", "REJECT"), ("154", "military_operation", "MOBILIZE"),
         ("183", "attack", "ASSAULT"), ("195", "strike", "ASSAULT"),
         ("1951", "strike", "ASSAULT"), ("193", "military_operation", "ASSAULT"),
         ("074", "intervention", "AID"), ("2042", "attack", "ASSAULT")],
    )  # fmt: skip
    def test_mapping(self, code: str, event_type: str, plover: str | None) -> None:
        entry = cameo.event_code(code)
        assert entry is not None
        assert (entry.event_type, entry.plover_type) == (EventType(event_type), plover)

    def test_every_plover_type_is_one_of_the_sixteen(self) -> None:
        found = {e.plover_type for e in cameo.event_codes().values()} - {None}
        assert found == PLOVER


class TestCameoActors:
    @pytest.mark.parametrize(
        ("code", "iso"),
        [("USA", "US"), ("RUS", "RU"), ("DEU", "DE"), ("GBR", "GB"), ("CHN", "CN"),
         ("KOS", "XK"), ("PSE", "PS"), ("ROM", "RO"), ("ZAR", "CD")],
    )  # fmt: skip
    def test_countries(self, code: str, iso: str) -> None:
        assert cameo_actors.actor_country(code) == iso

    @pytest.mark.parametrize("code", ["AFR", "EUR", "WST", "SAS", "SEA", "CRB", "PGS", "NMR"])
    def test_regions_are_not_countries(self, code: str) -> None:
        assert cameo_actors.actor_country(code) is None

    def test_an_unknown_code_is_an_error(self) -> None:
        with pytest.raises(cameo_actors.UnknownCameoCode):
            cameo_actors.actor_country("XYZ")

    def test_tables_do_not_overlap_and_name_iso_countries(self) -> None:
        assert not set(cameo_actors.COUNTRIES) & set(cameo_actors.REGIONS)
        assert [v for v in cameo_actors.COUNTRIES.values() if not is_iso(v)] == []

    @pytest.mark.parametrize(
        ("types", "country", "code", "group", "kind"),
        [(["GOV"], "RUS", "RUSGOV", "", "government"), (["MIL"], "", "MIL", "", "military"),
         (["REB"], "", "REB", "", "armed_group"), (["COP"], "", "COP", "", "government"),
         (["JUD"], "", "JUD", "", "government"), (["LEG"], "", "LEG", "", "legislature"),
         (["MED"], "QAT", "QATMED", "", "media_outlet"),
         (["", "EDU"], "", "EDU", "", "organization"),
         ([], "USA", "USA", "", "state"), ([], "AFR", "AFR", "", "other"),
         ([], "", "IGOUNO", "UNO", "organization"), (["XYZ"], "", "XYZ", "", "other")],
    )  # fmt: skip
    def test_kinds(self, types: list[str], country: str, code: str, group: str, kind: str) -> None:
        found = cameo_actors.participant_kind(types, country, code, group)
        assert found == ParticipantKind(kind)
