"""CAMEO actor codes: country codes to ISO 3166-1 alpha-2, regional codes, and actor types
to a participant `kind`.

CAMEO's country codes are ISO 3166-1 alpha-3 plus a few of its own (older or non-ISO codes for
Kosovo, Romania, the DR Congo, East Timor; the West Bank, Gaza and Baghdad). Its regional and
other group codes (AFR, EUR, WST, SAS, ...) name no country: they are kept as codes, never
turned into one.
"""

from app.models import ParticipantKind

# ISO 3166-1 alpha-3 to alpha-2.
_ISO_ALPHA3: dict[str, str] = {
    "ABW": "AW", "AFG": "AF", "AGO": "AO", "AIA": "AI", "ALA": "AX", "ALB": "AL", "AND": "AD",
    "ARE": "AE", "ARG": "AR", "ARM": "AM", "ASM": "AS", "ATA": "AQ", "ATF": "TF", "ATG": "AG",
    "AUS": "AU", "AUT": "AT", "AZE": "AZ", "BDI": "BI", "BEL": "BE", "BEN": "BJ", "BES": "BQ",
    "BFA": "BF", "BGD": "BD", "BGR": "BG", "BHR": "BH", "BHS": "BS", "BIH": "BA", "BLM": "BL",
    "BLR": "BY", "BLZ": "BZ", "BMU": "BM", "BOL": "BO", "BRA": "BR", "BRB": "BB", "BRN": "BN",
    "BTN": "BT", "BVT": "BV", "BWA": "BW", "CAF": "CF", "CAN": "CA", "CCK": "CC", "CHE": "CH",
    "CHL": "CL", "CHN": "CN", "CIV": "CI", "CMR": "CM", "COD": "CD", "COG": "CG", "COK": "CK",
    "COL": "CO", "COM": "KM", "CPV": "CV", "CRI": "CR", "CUB": "CU", "CUW": "CW", "CXR": "CX",
    "CYM": "KY", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DJI": "DJ", "DMA": "DM", "DNK": "DK",
    "DOM": "DO", "DZA": "DZ", "ECU": "EC", "EGY": "EG", "ERI": "ER", "ESH": "EH", "ESP": "ES",
    "EST": "EE", "ETH": "ET", "FIN": "FI", "FJI": "FJ", "FLK": "FK", "FRA": "FR", "FRO": "FO",
    "FSM": "FM", "GAB": "GA", "GBR": "GB", "GEO": "GE", "GGY": "GG", "GHA": "GH", "GIB": "GI",
    "GIN": "GN", "GLP": "GP", "GMB": "GM", "GNB": "GW", "GNQ": "GQ", "GRC": "GR", "GRD": "GD",
    "GRL": "GL", "GTM": "GT", "GUF": "GF", "GUM": "GU", "GUY": "GY", "HKG": "HK", "HMD": "HM",
    "HND": "HN", "HRV": "HR", "HTI": "HT", "HUN": "HU", "IDN": "ID", "IMN": "IM", "IND": "IN",
    "IOT": "IO", "IRL": "IE", "IRN": "IR", "IRQ": "IQ", "ISL": "IS", "ISR": "IL", "ITA": "IT",
    "JAM": "JM", "JEY": "JE", "JOR": "JO", "JPN": "JP", "KAZ": "KZ", "KEN": "KE", "KGZ": "KG",
    "KHM": "KH", "KIR": "KI", "KNA": "KN", "KOR": "KR", "KWT": "KW", "LAO": "LA", "LBN": "LB",
    "LBR": "LR", "LBY": "LY", "LCA": "LC", "LIE": "LI", "LKA": "LK", "LSO": "LS", "LTU": "LT",
    "LUX": "LU", "LVA": "LV", "MAC": "MO", "MAF": "MF", "MAR": "MA", "MCO": "MC", "MDA": "MD",
    "MDG": "MG", "MDV": "MV", "MEX": "MX", "MHL": "MH", "MKD": "MK", "MLI": "ML", "MLT": "MT",
    "MMR": "MM", "MNE": "ME", "MNG": "MN", "MNP": "MP", "MOZ": "MZ", "MRT": "MR", "MSR": "MS",
    "MTQ": "MQ", "MUS": "MU", "MWI": "MW", "MYS": "MY", "MYT": "YT", "NAM": "NA", "NCL": "NC",
    "NER": "NE", "NFK": "NF", "NGA": "NG", "NIC": "NI", "NIU": "NU", "NLD": "NL", "NOR": "NO",
    "NPL": "NP", "NRU": "NR", "NZL": "NZ", "OMN": "OM", "PAK": "PK", "PAN": "PA", "PCN": "PN",
    "PER": "PE", "PHL": "PH", "PLW": "PW", "PNG": "PG", "POL": "PL", "PRI": "PR", "PRK": "KP",
    "PRT": "PT", "PRY": "PY", "PSE": "PS", "PYF": "PF", "QAT": "QA", "REU": "RE", "ROU": "RO",
    "RUS": "RU", "RWA": "RW", "SAU": "SA", "SDN": "SD", "SEN": "SN", "SGP": "SG", "SGS": "GS",
    "SHN": "SH", "SJM": "SJ", "SLB": "SB", "SLE": "SL", "SLV": "SV", "SMR": "SM", "SOM": "SO",
    "SPM": "PM", "SRB": "RS", "SSD": "SS", "STP": "ST", "SUR": "SR", "SVK": "SK", "SVN": "SI",
    "SWE": "SE", "SWZ": "SZ", "SXM": "SX", "SYC": "SC", "SYR": "SY", "TCA": "TC", "TCD": "TD",
    "TGO": "TG", "THA": "TH", "TJK": "TJ", "TKL": "TK", "TKM": "TM", "TLS": "TL", "TON": "TO",
    "TTO": "TT", "TUN": "TN", "TUR": "TR", "TUV": "TV", "TWN": "TW", "TZA": "TZ", "UGA": "UG",
    "UKR": "UA", "UMI": "UM", "URY": "UY", "USA": "US", "UZB": "UZ", "VAT": "VA", "VCT": "VC",
    "VEN": "VE", "VGB": "VG", "VIR": "VI", "VNM": "VN", "VUT": "VU", "WLF": "WF", "WSM": "WS",
    "YEM": "YE", "ZAF": "ZA", "ZMB": "ZM", "ZWE": "ZW",}  # fmt: skip

# CAMEO's own country codes, outside ISO's alpha-3 list.
_CAMEO_COUNTRIES: dict[str, str] = {
    "KOS": "XK", "KSV": "XK", "XKX": "XK", "ROM": "RO", "ZAR": "CD", "TMP": "TL",
    "WSB": "PS", "GZS": "PS", "BAG": "IQ",
}  # fmt: skip

COUNTRIES: dict[str, str] = {**_ISO_ALPHA3, **_CAMEO_COUNTRIES}

# Regions and other groupings that are not countries.
REGIONS: dict[str, str] = {
    "AFR": "Africa", "ASA": "Asia", "BLK": "Balkans", "CRB": "Caribbean", "CAU": "Caucasus",
    "CFR": "Central Africa", "CAS": "Central Asia", "CEU": "Central Europe",
    "EIN": "East Indies", "EAF": "Eastern Africa", "EEU": "Eastern Europe", "EUR": "Europe",
    "LAM": "Latin America", "MEA": "Middle East", "MDT": "Mediterranean",
    "NAF": "North Africa", "NMR": "North America", "PGS": "Persian Gulf",
    "SCN": "Scandinavia", "SAM": "South America", "SAS": "South Asia",
    "SEA": "Southeast Asia", "SAF": "Southern Africa", "WAF": "West Africa", "WST": "The West",
    "SCG": "Serbia and Montenegro", "YUG": "Yugoslavia", "CSK": "Czechoslovakia",
    "SUN": "Soviet Union",
}  # fmt: skip

# Actor type codes (CAMEO's role and sector codes) to the project's participant kinds.
TYPES: dict[str, ParticipantKind] = {
    "GOV": ParticipantKind.government, "COP": ParticipantKind.government,
    "JUD": ParticipantKind.government, "SPY": ParticipantKind.government,
    "UIS": ParticipantKind.government, "MIL": ParticipantKind.military,
    "REB": ParticipantKind.armed_group, "INS": ParticipantKind.armed_group,
    "SEP": ParticipantKind.armed_group, "UAF": ParticipantKind.armed_group,
    "IMG": ParticipantKind.armed_group, "LEG": ParticipantKind.legislature,
    "MED": ParticipantKind.media_outlet, "PTY": ParticipantKind.political_party,
    "OPP": ParticipantKind.political_party, "ELI": ParticipantKind.person,
    "BUS": ParticipantKind.organization, "MNC": ParticipantKind.organization,
    "EDU": ParticipantKind.organization, "HLH": ParticipantKind.organization,
    "HRI": ParticipantKind.organization, "IGO": ParticipantKind.organization,
    "NGO": ParticipantKind.organization, "NGM": ParticipantKind.organization,
    "INT": ParticipantKind.organization, "LAB": ParticipantKind.organization,
    "AGR": ParticipantKind.organization, "DEV": ParticipantKind.organization,
    "ENV": ParticipantKind.organization, "REL": ParticipantKind.organization,
    "AMN": ParticipantKind.organization, "CVL": ParticipantKind.other,
    "CRM": ParticipantKind.other, "REF": ParticipantKind.other,
    "RAD": ParticipantKind.other, "MOD": ParticipantKind.other,
    "SET": ParticipantKind.other,
}  # fmt: skip


class UnknownCameoCode(ValueError):
    """An actor country code that CAMEO does not define."""


def actor_country(code: str) -> str | None:
    """ISO alpha-2 for a CAMEO actor country code; None for a region or group code."""
    if code in COUNTRIES:
        return COUNTRIES[code]
    if code in REGIONS:
        return None
    raise UnknownCameoCode(f"'{code}' is not a CAMEO country or region code")


def participant_kind(
    types: list[str], country_code: str, actor_code: str, known_group: str
) -> ParticipantKind:
    """The kind of an actor from its type codes, else from what its code names."""
    for code in types:
        if code in TYPES:
            return TYPES[code]
    if known_group:
        return ParticipantKind.organization
    # An actor coded only as a country (`USA`) is that state in CAMEO's coding.
    if actor_code and actor_code == country_code and country_code in COUNTRIES:
        return ParticipantKind.state
    return ParticipantKind.other
