"""Parameters of the synthetic world (the ``generate`` section of ``params.yaml``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from risico.params import BAD_VALUE, ParamError, SectionReader
# The world draws the contract's default codes; the contract owns them (the core never imports the generator).
from risico.vocabularies import DISTRICTS, GENDERS, HOUSEHOLD_TYPES, MIGRATION_GROUPS, SCHEMES

__all__ = [
    "ROUTES",
    "GenerateParams",
    "parse_generate_params",
]

SECTION = "generate"


#: Non-random investigation routes (``random`` is set by ``random_share``).
ROUTES: tuple[str, ...] = ("caseworker", "risk_rule", "tip")


@dataclasses.dataclass(frozen=True)
class PopulationParams:
    migration_shares: Mapping[str, float]
    gender_shares: Mapping[str, float]
    household_type_shares: Mapping[str, float]


@dataclasses.dataclass(frozen=True)
class ProxyParams:
    strength: float
    concentrated_districts: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ApplicationParams:
    per_household: float
    scheme_mix: Mapping[str, float]
    intermediary_share_pgb: float


@dataclasses.dataclass(frozen=True)
class ViolationParams:
    base_rate: float
    protected_effect: float
    hidden_noise: float


@dataclasses.dataclass(frozen=True)
class InvestigationParams:
    rate: float
    random_share: float
    route_mix: Mapping[str, float]
    caseworker_ratio_non_western: float
    caseworker_ratio_targeted_district: float
    targeted_districts: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class DetectionParams:
    rate: float
    ratio_non_western: float
    false_finding_rate: float


@dataclasses.dataclass(frozen=True)
class ProviderParams:
    persons_per_provider: float
    malafide_director_share: float
    base_rate: float
    investigation_rate: float
    small_provider_ratio: float
    doorstart_share: float


@dataclasses.dataclass(frozen=True)
class AbsenceParams:
    hospital_rate: float
    hospital_mean_days: float
    abroad_rate: float
    abroad_mean_days: float
    abroad_ratio_non_western: float
    honest_error_rate: float
    violating_share: float


@dataclasses.dataclass(frozen=True)
class GenerateParams:
    """Everything the generator needs; see ``docs/synthetic-world.md``."""

    seed: int
    n_persons: int
    start_date: dt.date
    n_years: int
    fair_world: bool
    population: PopulationParams
    proxies: ProxyParams
    applications: ApplicationParams
    violation: ViolationParams
    investigation: InvestigationParams
    detection: DetectionParams
    providers: ProviderParams
    absences: AbsenceParams

    @property
    def end_date(self) -> dt.date:
        """First day after the observed period."""
        return add_years(self.start_date, self.n_years)

    def effective(self) -> GenerateParams:
        """The parameters as the generator applies them.

        With ``fair_world`` the biasing mechanisms are switched off: no
        selection bias by group or district, equal detection, no proxies, no
        bias against small providers, and stays abroad as frequent for every
        migration background.
        """
        if not self.fair_world:
            return self
        return dataclasses.replace(
            self,
            proxies=dataclasses.replace(self.proxies, strength=0.0),
            investigation=dataclasses.replace(
                self.investigation, caseworker_ratio_non_western=1.0,
                caseworker_ratio_targeted_district=1.0),
            detection=dataclasses.replace(self.detection, ratio_non_western=1.0),
            providers=dataclasses.replace(self.providers, small_provider_ratio=1.0),
            absences=dataclasses.replace(self.absences, abroad_ratio_non_western=1.0),
        )


def add_years(date: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def parse_generate_params(values: Mapping[str, Any]) -> GenerateParams:
    """Parse and check the ``generate`` section.

    Raises
    ------
    risico.params.ParamError
        On the first missing, unknown or out-of-range value.
    """
    r = SectionReader(values, SECTION)
    params = GenerateParams(
        seed=r.int("seed", minimum=0),
        n_persons=r.int("n_persons", minimum=100, maximum=50_000_000),
        start_date=r.date("start_date"),
        n_years=r.int("n_years", minimum=3, maximum=20),
        fair_world=r.bool("fair_world"),
        population=_population(r.sub("population")),
        proxies=_proxies(r.sub("proxies")),
        applications=_applications(r.sub("applications")),
        violation=_violation(r.sub("violation")),
        investigation=_investigation(r.sub("investigation")),
        detection=_detection(r.sub("detection")),
        providers=_providers(r.sub("providers")),
        absences=_absences(r.sub("absences")),
    )
    r.finish()
    return params


def _population(r: SectionReader) -> PopulationParams:
    p = PopulationParams(
        migration_shares=r.weights("migration_shares", MIGRATION_GROUPS),
        gender_shares=r.weights("gender_shares", GENDERS),
        household_type_shares=r.weights("household_type_shares", HOUSEHOLD_TYPES),
    )
    r.finish()
    return p


def _proxies(r: SectionReader) -> ProxyParams:
    p = ProxyParams(strength=r.share("strength"),
                    concentrated_districts=r.subset("concentrated_districts", DISTRICTS))
    r.finish()
    return p


def _applications(r: SectionReader) -> ApplicationParams:
    p = ApplicationParams(
        per_household=r.float("per_household", 0.0, 20.0, exclusive_minimum=True),
        scheme_mix=r.weights("scheme_mix", SCHEMES),
        intermediary_share_pgb=r.share("intermediary_share_pgb"),
    )
    r.finish()
    return p


def _violation(r: SectionReader) -> ViolationParams:
    p = ViolationParams(
        base_rate=r.float("base_rate", 0.0, 0.9, exclusive_minimum=True),
        protected_effect=r.float("protected_effect", -5.0, 5.0),
        hidden_noise=r.float("hidden_noise", 0.0, 5.0),
    )
    r.finish()
    return p


def _investigation(r: SectionReader) -> InvestigationParams:
    p = InvestigationParams(
        rate=r.float("rate", 0.0, 0.5, exclusive_minimum=True),
        random_share=r.share("random_share"),
        route_mix=r.weights("route_mix", ROUTES),
        caseworker_ratio_non_western=r.float("caseworker_ratio_non_western", 0.0, 20.0, exclusive_minimum=True),
        caseworker_ratio_targeted_district=r.float("caseworker_ratio_targeted_district", 0.0, 20.0,
                                                   exclusive_minimum=True),
        targeted_districts=r.subset("targeted_districts", DISTRICTS),
    )
    r.finish()
    return p


def _detection(r: SectionReader) -> DetectionParams:
    p = DetectionParams(
        rate=r.share("rate"),
        ratio_non_western=r.float("ratio_non_western", 0.0, 10.0, exclusive_minimum=True),
        false_finding_rate=r.share("false_finding_rate"),
    )
    if p.rate * p.ratio_non_western > 1:
        raise ParamError(BAD_VALUE.format(
            key="detection.ratio_non_western", section=SECTION, value=p.ratio_non_western,
            allowed=f"a number in (0, {1 / p.rate:.4g}] (detection.rate times it must stay <= 1)"))
    r.finish()
    return p


def _providers(r: SectionReader) -> ProviderParams:
    p = ProviderParams(
        persons_per_provider=r.float("persons_per_provider", 10.0, 100_000.0),
        malafide_director_share=r.share("malafide_director_share"),
        base_rate=r.float("base_rate", 0.0, 0.9, exclusive_minimum=True),
        investigation_rate=r.share("investigation_rate"),
        small_provider_ratio=r.float("small_provider_ratio", 0.0, 20.0, exclusive_minimum=True),
        doorstart_share=r.share("doorstart_share"),
    )
    r.finish()
    return p


def _absences(r: SectionReader) -> AbsenceParams:
    p = AbsenceParams(
        hospital_rate=r.float("hospital_rate", 0.0, 10.0),
        hospital_mean_days=r.float("hospital_mean_days", 1.0, 365.0),
        abroad_rate=r.float("abroad_rate", 0.0, 10.0),
        abroad_mean_days=r.float("abroad_mean_days", 1.0, 365.0),
        abroad_ratio_non_western=r.float("abroad_ratio_non_western", 0.0, 20.0, exclusive_minimum=True),
        honest_error_rate=r.share("honest_error_rate"),
        violating_share=r.share("violating_share"),
    )
    r.finish()
    return p
