"""Texts of the model card and the reasons (``evaluate`` stage, :mod:`risico.evaluate`).

``reason.<feature>`` (or ``reason.<feature>.true``/``.false`` for a flag, ``.missing`` for no value) is
one family per model feature; ``card.<key>.providers`` is the provider model's own wording.
"""

from __future__ import annotations

from risico.texts import Catalog
from risico.texts.common import ENTRIES as COMMON

__all__ = ["ENTRIES", "TEXTS", "text", "own_key"]

ENTRIES: dict[str, dict[str, str]] = {
    # -- model card -----------------------------------------------------------------
    "card.title": {"nl": "Modelkaart: risicomodel voor toezicht aan de voorkant",
                   "en": "Model card: risk model for pre-award supervision"},
    "card.use": {"nl": "Beoogd gebruik", "en": "Intended use"},
    "card.use_text": {
        "nl": "Het model rangschikt nieuwe aanvragen zodat de toezichthouder de beperkte uren voor controle aan de "
              "voorkant besteedt aan aanvragen waar een fout of overtreding waarschijnlijker is. Een selectie is een "
              "reden om beter te kijken of om hulp aan te bieden, nooit een bewijs. Het besluit blijft bij de "
              "toezichthouder. Het model mag pas gebruikt worden na een besluit van de ethische commissie over "
              "precies deze versie.",
        "en": "The model ranks new applications so that the inspector spends the few hours for pre-award checks on "
              "applications where an error or violation is more likely. A selection is a reason to look closer or to "
              "offer help, never proof. The decision stays with the inspector. The model may be used only after the "
              "ethics committee has decided on exactly this version.",
    },
    "card.data": {"nl": "Gegevens", "en": "Data"},
    "card.data_text": {
        "nl": "Trainen op aanvragen vóór {validation_start}, kalibreren op {validation_start} tot {test_start}, "
              "testen vanaf {test_start}. Een huishouden zit nooit aan twee kanten. Het model leert van {source}: "
              "{fit_rows} aanvragen (waarvan {positive_rate} met een bevinding), gewogen met inverse "
              "kansweging: {ipw}.",
        "en": "Trained on applications before {validation_start}, calibrated on {validation_start} to {test_start}, "
              "tested from {test_start}. A household never sits on two sides. The model learns from {source}: "
              "{fit_rows} applications ({positive_rate} with a finding), inverse-probability weighting: {ipw}.",
    },
    "card.source.investigated": {"nl": "onderzochte aanvragen (zoals een gemeente zou doen)",
                                 "en": "investigated applications (as a municipality would)"},
    "card.source.random_only": {"nl": "alleen aselect onderzochte aanvragen", "en": "randomly investigated applications only"},
    "card.bias": {
        "nl": "Let op: de labels komen uit eerdere onderzoeken, en wie er onderzocht werd was niet willekeurig. "
              "Een model dat op deze labels leert, leert ook wie er vroeger gecontroleerd werd. Daarom staat elke "
              "maat hieronder twee keer: tegen de waargenomen labels en tegen de werkelijkheid van de synthetische "
              "wereld.",
        "en": "Note: the labels come from past investigations, and who was investigated was not random. A model "
              "learning from these labels also learns who used to be checked. That is why every measure below "
              "appears twice: against the observed labels and against the truth of the synthetic world.",
    },
    "card.features": {"nl": "Kenmerken en hun rechtvaardiging", "en": "Features and their justification"},
    "card.features_text": {
        "nl": "{n} kenmerken in {groups} groepen; betekenis, bron en rechtvaardiging van elk staan in "
              "docs/features.md. Beschermde kenmerken ({protected}) zijn nooit invoer van het model.",
        "en": "{n} features in {groups} groups; the meaning, source and justification of each are in "
              "docs/features.md. Protected attributes ({protected}) are never model inputs.",
    },
    "card.age_justification": {"nl": "Leeftijd is invoer van het model. Rechtvaardiging: {text}",
                               "en": "Age is a model input. Justification: {text}"},
    "card.performance": {"nl": "Prestaties in de testperiode", "en": "Performance in the test period"},
    "card.performance_text": {
        "nl": "Capaciteit: {capacity} aanvragen per maand. 'Waargenomen' meet alleen op onderzochte aanvragen; "
              "'werkelijk' op alle aanvragen. Het orakel is de ware kans van de generator: beter kan geen model.",
        "en": "Capacity: {capacity} applications per month. 'Observed' measures on investigated applications only; "
              "'true' on all applications. The oracle is the generator's true probability: no model can do better.",
    },
    "card.vs_oracle": {
        "nl": "Het gekozen model ({model}) haalt {auc_ratio} van de ROC AUC van het orakel en {precision_ratio} van "
              "zijn precisie bij de capaciteit.",
        "en": "The selected model ({model}) reaches {auc_ratio} of the oracle's ROC AUC and {precision_ratio} of its "
              "precision at capacity.",
    },
    "card.unusable": {
        "nl": "Weggelaten vergelijkingsmodel(len): {names}. Hun kalibratie op de validatieperiode liep de verkeerde "
              "kant op: ze leerden niets bruikbaars uit de weinige gelabelde rijen (zie training.json, 'unusable'). "
              "Het model dat scoort mag dit nooit: dan stopt de training.",
        "en": "Comparator model(s) left out: {names}. Their calibration on the validation period ran the wrong way "
              "round: they learnt nothing usable from the few labelled rows (see training.json, 'unusable'). The "
              "model that scores may never do this: training then stops."},
    "card.ipw_gap": {
        "nl": "Verschil tussen de ROC AUC tegen waargenomen labels en tegen de werkelijkheid: {unweighted} zonder "
              "inverse kansweging, {weighted} met (ROC AUC tegen de werkelijkheid: {auc_unweighted} zonder, "
              "{auc_weighted} met). {verdict}",
        "en": "Gap between the ROC AUC against observed labels and against the truth: {unweighted} without "
              "inverse-probability weighting, {weighted} with it (ROC AUC against the truth: {auc_unweighted} "
              "without, {auc_weighted} with). {verdict}",
    },
    "card.ipw_shrinks": {"nl": "De weging verkleint het verschil.", "en": "Weighting shrinks the gap."},
    "card.ipw_does_not_shrink": {
        "nl": "De weging verkleint het verschil niet: de selectie liep (ook) via kenmerken die het model niet ziet.",
        "en": "Weighting does not shrink the gap: selection ran (also) through attributes the model does not see.",
    },
    "card.per_split": {"nl": "Prestaties per periode (gekozen model)", "en": "Performance per period (selected model)"},
    "card.explanations": {"nl": "Uitleg", "en": "Explanations"},
    "card.explanations_text": {
        "nl": "Globale uitleg staat hieronder; per aanvraag geeft het model de drie sterkste redenen in gewone taal.",
        "en": "Global explanations are below; for every application the model gives its three strongest reasons "
              "in plain language.",
    },
    "card.limits": {"nl": "Bekende beperkingen", "en": "Known limitations"},
    "card.limits_text": {
        "nl": "De trainingslabels zijn door selectie gekleurd; inverse kansweging corrigeert alleen voor selectie op "
              "kenmerken die het model ziet, niet voor selectie op beschermde kenmerken. Adresgegevens zijn een "
              "momentopname. Een eerlijke prestatie op synthetische gegevens is geen bewijs voor echte gegevens: "
              "herhaal de evaluatie en de audit op elke nieuwe periode. Eerlijkheid per groep staat in het "
              "auditrapport, niet hier.",
        "en": "The training labels are coloured by selection; inverse-probability weighting corrects only for "
              "selection on features the model sees, not for selection on protected attributes. Address data are "
              "a snapshot. Good performance on synthetic data is no evidence for real data: repeat the evaluation "
              "and the audit on every new period. Fairness by group is in the audit report, not here.",
    },
    "col.model": {"nl": "model", "en": "model"},
    "col.split": {"nl": "periode", "en": "period"},
    "col.feature": {"nl": "kenmerk", "en": "feature"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    # -- reasons (one per feature; {value} and other placeholders come from the application's features) -------
    "reason.scheme": {"nl": "regeling {scheme}", "en": "scheme {scheme}"},
    "reason.amount_monthly": {"nl": "maandbedrag van EUR {amount_monthly:.0f}", "en": "monthly amount of EUR {amount_monthly:.0f}"},
    "reason.authorised_hours_month": {"nl": "{authorised_hours_month:.0f} uur zorg per maand toegekend",
                                      "en": "{authorised_hours_month:.0f} hours of care per month authorised"},
    "reason.declared_income_monthly": {"nl": "opgegeven inkomen van EUR {declared_income_monthly:.0f} per maand",
                                       "en": "declared income of EUR {declared_income_monthly:.0f} a month"},
    "reason.declared_assets": {"nl": "opgegeven vermogen van EUR {declared_assets:.0f}",
                               "en": "declared assets of EUR {declared_assets:.0f}"},
    "reason.cost_sharers": {"nl": "{cost_sharers:.0f} kostendeler(s) opgegeven", "en": "{cost_sharers:.0f} cost-sharer(s) declared"},
    "reason.previous_applications": {"nl": "{previous_applications:.0f} eerdere aanvraag/aanvragen van het huishouden",
                                     "en": "{previous_applications:.0f} earlier application(s) by the household"},
    "reason.previous_awards": {"nl": "{previous_awards:.0f} eerdere toekenning(en) aan het huishouden",
                               "en": "{previous_awards:.0f} earlier award(s) to the household"},
    "reason.days_since_relocation": {"nl": "{days_since_relocation:.0f} dagen geleden verhuisd",
                                     "en": "moved {days_since_relocation:.0f} days ago"},
    "reason.appointment_no_shows": {"nl": "{appointment_no_shows:.0f} gemiste afspraak/afspraken in 12 maanden",
                                    "en": "{appointment_no_shows:.0f} missed appointment(s) in 12 months"},
    "reason.income_changes_12m": {"nl": "{income_changes_12m:.0f} inkomenswijziging(en) in 12 maanden",
                                  "en": "{income_changes_12m:.0f} income change(s) in 12 months"},
    "reason.has_intermediary.true": {"nl": "aanvraag ingediend via een bemiddelaar", "en": "application filed by an intermediary"},
    "reason.has_intermediary.false": {"nl": "aanvraag zonder bemiddelaar", "en": "application without an intermediary"},
    "reason.intermediary_prior_clients": {"nl": "de bemiddelaar diende eerder {intermediary_prior_clients:.0f} aanvragen in",
                                          "en": "the intermediary filed {intermediary_prior_clients:.0f} applications before"},
    "reason.household_pw_awards": {"nl": "{household_pw_awards:.0f} eerdere voorziening(en) Participatiewet in het huishouden",
                                   "en": "{household_pw_awards:.0f} earlier Participatiewet provision(s) in the household"},
    "reason.household_wmo_awards": {"nl": "{household_wmo_awards:.0f} eerdere Wmo-voorziening(en) in het huishouden",
                                    "en": "{household_wmo_awards:.0f} earlier Wmo provision(s) in the household"},
    "reason.household_jw_awards": {"nl": "{household_jw_awards:.0f} eerdere Jeugdwet-voorziening(en) in het huishouden",
                                   "en": "{household_jw_awards:.0f} earlier Jeugdwet provision(s) in the household"},
    "reason.household_has_pgb.true": {"nl": "het huishouden heeft al een pgb", "en": "the household already has a pgb"},
    "reason.household_has_pgb.false": {"nl": "het huishouden heeft nog geen pgb", "en": "the household has no pgb yet"},
    "reason.household_n_laws": {"nl": "voorzieningen onder {household_n_laws:.0f} verschillende wetten",
                                "en": "provisions under {household_n_laws:.0f} different laws"},
    "reason.floor_area_m2": {"nl": "adres van {floor_area_m2:.0f} m2", "en": "address of {floor_area_m2:.0f} m2"},
    "reason.persons_registered": {"nl": "{persons_registered:.0f} personen ingeschreven op een adres van {floor_area_m2:.0f} m2",
                                  "en": "{persons_registered:.0f} persons registered at an address of {floor_area_m2:.0f} m2"},
    "reason.households_registered": {"nl": "{households_registered:.0f} huishoudens ingeschreven op het adres",
                                     "en": "{households_registered:.0f} households registered at the address"},
    "reason.persons_per_10m2": {"nl": "{persons_registered:.0f} personen ingeschreven op een adres van {floor_area_m2:.0f} m2",
                                "en": "{persons_registered:.0f} persons registered at an address of {floor_area_m2:.0f} m2"},
    "reason.other_adults_at_address": {"nl": "{other_adults_at_address:.0f} andere volwassene(n) op het adres ingeschreven",
                                       "en": "{other_adults_at_address:.0f} other adult(s) registered at the address"},
    "reason.undeclared_cost_sharer_gap": {
        "nl": "{other_adults_at_address:.0f} andere volwassene(n) op het adres, {cost_sharers:.0f} kostendeler(s) opgegeven",
        "en": "{other_adults_at_address:.0f} other adult(s) at the address, {cost_sharers:.0f} cost-sharer(s) declared"},
    "reason.room_rental_permit.true": {"nl": "kamerverhuurvergunning op het adres", "en": "room-rental permit at the address"},
    "reason.room_rental_permit.false": {"nl": "geen kamerverhuurvergunning op het adres", "en": "no room-rental permit at the address"},
    "reason.fire_safety_findings": {"nl": "{fire_safety_findings:.0f} brandveiligheidsbevinding(en) op het adres",
                                    "en": "{fire_safety_findings:.0f} fire-safety finding(s) at the address"},
    "reason.is_care_location.true": {"nl": "het adres is een zorglocatie", "en": "the address is a care location"},
    "reason.is_care_location.false": {"nl": "het adres is geen zorglocatie", "en": "the address is not a care location"},
    "reason.has_provider.true": {"nl": "zorg via een zorgaanbieder", "en": "care through a provider"},
    "reason.has_provider.false": {"nl": "geen zorgaanbieder", "en": "no care provider"},
    "reason.provider_days_registered": {"nl": "zorgaanbieder {provider_days_registered:.0f} dagen ingeschreven bij de KvK",
                                        "en": "provider registered with the KvK {provider_days_registered:.0f} days ago"},
    "reason.n_staff": {"nl": "zorgaanbieder met {n_staff:.0f} medewerker(s)", "en": "provider with {n_staff:.0f} staff"},
    "reason.legal_form": {"nl": "rechtsvorm van de zorgaanbieder: {legal_form}", "en": "legal form of the provider: {legal_form}"},
    "reason.has_quality_certificate.true": {"nl": "zorgaanbieder met kwaliteitscertificaat", "en": "provider holds a quality certificate"},
    "reason.has_quality_certificate.false": {"nl": "zorgaanbieder zonder kwaliteitscertificaat", "en": "provider without a quality certificate"},
    "reason.vog_coverage": {"nl": "{vog_coverage:.0%} van het personeel van de zorgaanbieder heeft een VOG",
                            "en": "{vog_coverage:.0%} of the provider's staff hold a VOG"},
    "reason.bank_guarantee.true": {"nl": "zorgaanbieder gaf een bankgarantie", "en": "provider gave a bank guarantee"},
    "reason.bank_guarantee.false": {"nl": "zorgaanbieder gaf geen bankgarantie", "en": "provider gave no bank guarantee"},
    "reason.staff_trained_share": {"nl": "{staff_trained_share:.0%} van het personeel van de zorgaanbieder is geschoold",
                                   "en": "{staff_trained_share:.0%} of the provider's staff are trained"},
    "reason.director_failed_before.true": {"nl": "bestuurder van de zorgaanbieder leidde eerder een failliete of gesanctioneerde aanbieder",
                                           "en": "the provider's director earlier ran a provider that failed or was sanctioned"},
    "reason.director_failed_before.false": {"nl": "bestuurder zonder eerdere mislukte aanbieder",
                                            "en": "director without an earlier failed provider"},
    "reason.location_fire_safety_findings": {"nl": "{location_fire_safety_findings:.0f} brandveiligheidsbevinding(en) op de locatie van de zorgaanbieder",
                                             "en": "{location_fire_safety_findings:.0f} fire-safety finding(s) at the provider's location"},
    "reason.billing_ratio_prior": {"nl": "zorgaanbieder declareerde eerder {billing_ratio_prior:.0%} van de toegekende uren",
                                   "en": "provider previously billed {billing_ratio_prior:.0%} of the authorised hours"},
    "reason.provider_client_growth": {"nl": "aantal cliënten van de zorgaanbieder x{provider_client_growth:.1f} in drie maanden",
                                      "en": "provider's number of clients x{provider_client_growth:.1f} in three months"},
    # -- model card, provider variant (issue 7): the same keys with the suffix .providers -------------------
    "card.title.providers": {"nl": "Modelkaart: risicomodel voor zorgaanbieders (contractering en toezicht)",
                             "en": "Model card: risk model for care providers (contracting and supervision)"},
    "card.use_text.providers": {
        "nl": "Het model rangschikt zorgaanbieders per kwartaal, zodat contractmanagers en toezichthouders hun "
              "beperkte tijd besteden aan aanbieders waar een overtreding (declareren van zorg die niet geleverd is, "
              "onveilige huisvesting, een malafide bestuurder) waarschijnlijker is. Een selectie is een reden om "
              "beter te kijken, nooit een bewijs; het besluit blijft bij de mens. Nieuwe, kleine en eenmanszaken "
              "mogen niet alleen om hun omvang of leeftijd buiten de markt vallen: de audit per groep bewaakt dat. "
              "Het model mag pas gebruikt worden na een besluit van de ethische commissie over precies deze versie.",
        "en": "The model ranks care providers per quarter so that contract managers and inspectors spend their "
              "limited time on providers where a violation (billing care that was not given, unsafe housing, a "
              "malafide director) is more likely. A selection is a reason to look closer, never proof; the decision "
              "stays with a person. New, small and sole-trader providers must not be shut out of the market for "
              "their size or age alone: the audit per group watches that. The model may be used only after the "
              "ethics committee has decided on exactly this version.",
    },
    "card.data_text.providers": {
        "nl": "Een rij is een zorgaanbieder in een kwartaal, met alleen wat aan het begin van dat kwartaal bekend "
              "was. Trainen op kwartalen vóór {validation_start}, kalibreren op {validation_start} tot {test_start}, "
              "testen vanaf {test_start}. Dezelfde aanbieders komen in elke periode voor (zoals bij echt gebruik): "
              "de test meet hoe goed het model bekende aanbieders een jaar later rangschikt, niet nieuwe toetreders. "
              "Het model leert van {source}: {fit_rows} aanbieder-kwartalen (waarvan {positive_rate} met een "
              "bevinding), gewogen met inverse kansweging: {ipw}.",
        "en": "A row is a care provider in a quarter, with only what was known at the start of that quarter. "
              "Trained on quarters before {validation_start}, calibrated on {validation_start} to {test_start}, "
              "tested from {test_start}. The same providers appear in every period (as in real use): the test "
              "measures how well the model ranks known providers a year later, not new entrants. The model learns "
              "from {source}: {fit_rows} provider-quarters ({positive_rate} with a finding), inverse-probability "
              "weighting: {ipw}.",
    },
    "card.source.investigated.providers": {"nl": "onderzochte aanbieders (zoals een gemeente zou doen)",
                                           "en": "investigated providers (as a municipality would)"},
    "card.source.random_only.providers": {"nl": "alleen aselect onderzochte aanbieders",
                                          "en": "randomly investigated providers only"},
    "card.performance_text.providers": {
        "nl": "Capaciteit: {capacity} aanbieders per kwartaal. 'Waargenomen' meet alleen op onderzochte "
              "aanbieder-kwartalen; 'werkelijk' op alle. Het orakel is de kans op een overtreding die de generator "
              "trok vóórdat die plaatsvond. Een overtredende aanbieder declareert daarna meer dan hij levert, en "
              "dat zien de declaratiekenmerken: een model kan hier dus beter rangschikken dan het orakel. Een "
              "verhouding boven 100% betekent dan: de declaraties verraden de overtreding zelf.",
        "en": "Capacity: {capacity} providers per quarter. 'Observed' measures on investigated provider-quarters "
              "only; 'true' on all of them. The oracle is the generator's probability of a violation before it "
              "happened. A violating provider then bills more than it delivers, which the billing features see: a "
              "model can rank better than the oracle here. A ratio above 100% then means: the billing itself "
              "gives the violation away.",
    },
    "card.explanations_text.providers": {
        "nl": "Globale uitleg staat hieronder; per aanbieder-kwartaal geeft het model de drie sterkste redenen in "
              "gewone taal.",
        "en": "Global explanations are below; for every provider-quarter the model gives its three strongest "
              "reasons in plain language.",
    },
    "card.limits_text.providers": {
        "nl": "Met ongeveer 200 aanbieders en een onderzoek per aanbieder per jaar of minder zijn er weinig "
              "labels: elke maat heeft een groot onzekerheidsinterval. De trainingslabels zijn door selectie "
              "gekleurd (kleine aanbieders werden vaker onderzocht). De netwerkkenmerken (bestuurder of adres van "
              "een eerder mislukte aanbieder) gaan over de aanbieder, maar een kleine of nieuwe aanbieder kan er "
              "vaker door geraakt worden: de audit per groep toetst dat. Herhaal evaluatie en audit elke periode.",
        "en": "With about 200 providers and one investigation per provider per year or fewer, there are few "
              "labels: every measure has a wide uncertainty. The training labels are coloured by selection (small "
              "providers were investigated more often). The network features (a director or address of an earlier "
              "failed provider) are about the provider, but a small or new provider may be hit by them more often: "
              "the audit per group tests that. Repeat evaluation and audit every period.",
    },
    # provider-quarter features (issue 7); shared names (vog_coverage, n_staff, ...) use the texts above
    "reason.days_registered": {"nl": "zorgaanbieder {days_registered:.0f} dagen ingeschreven bij de KvK",
                               "en": "provider registered with the KvK for {days_registered:.0f} days"},
    "reason.has_billing_history.true": {"nl": "zorgaanbieder declareerde het afgelopen jaar",
                                        "en": "provider billed in the past year"},
    "reason.has_billing_history.false": {"nl": "zorgaanbieder declareerde het afgelopen jaar niet",
                                         "en": "provider did not bill in the past year"},
    "reason.clients_billed_prev_quarter": {"nl": "{clients_billed_prev_quarter:.0f} cliënten gedeclareerd in het vorige kwartaal",
                                           "en": "{clients_billed_prev_quarter:.0f} clients billed in the previous quarter"},
    "reason.billing_ratio": {"nl": "{billing_ratio:.0%} van de toegekende uren gedeclareerd",
                             "en": "{billing_ratio:.0%} of the authorised hours billed"},
    "reason.hours_per_client_month": {"nl": "gemiddeld {hours_per_client_month:.1f} uur per cliënt per maand gedeclareerd",
                                      "en": "on average {hours_per_client_month:.1f} hours billed per client per month"},
    "reason.hours_vs_norm": {"nl": "uren per cliënt {hours_vs_norm:.1f} keer het gemiddelde voor deze zorg",
                             "en": "hours per client {hours_vs_norm:.1f} times the average for this care"},
    "reason.client_growth": {"nl": "aantal cliënten x{client_growth:.1f} ten opzichte van het kwartaal ervoor",
                             "en": "number of clients x{client_growth:.1f} compared with the quarter before"},
    "reason.clients_per_address": {"nl": "{clients_per_address:.2f} cliënten per adres",
                                   "en": "{clients_per_address:.2f} clients per address"},
    "reason.max_clients_one_address": {"nl": "tot {max_clients_one_address:.0f} cliënten op één adres",
                                       "en": "up to {max_clients_one_address:.0f} clients at one address"},
    "reason.absence_client_months": {"nl": "{absence_client_months:.0f} cliëntmaanden met 7 of meer dagen afwezigheid "
                                           "(ziekenhuis of buitenland) gedeclareerd",
                                     "en": "{absence_client_months:.0f} client-months billed with 7 or more days away "
                                           "(hospital or abroad)"},
    "reason.absence_billing_share": {"nl": "in {absence_billing_share:.0%} van de cliëntmaanden met 7 of meer dagen "
                                           "afwezigheid meer uren gedeclareerd dan de dagen aanwezig toelaten",
                                     "en": "in {absence_billing_share:.0%} of the client-months with 7 or more days "
                                           "away, more hours billed than the days present allow"},
    "reason.absence_billing_share.missing": {"nl": "geen cliëntmaanden met 7 of meer dagen afwezigheid om te toetsen",
                                             "en": "no client-months with 7 or more days away to check"},
    "reason.location_room_rental_permit.true": {"nl": "kamerverhuurvergunning op de zorglocatie",
                                                "en": "room-rental permit at the care location"},
    "reason.location_room_rental_permit.false": {"nl": "geen kamerverhuurvergunning op de zorglocatie",
                                                 "en": "no room-rental permit at the care location"},
    "reason.location_persons_per_10m2": {"nl": "{location_persons_per_10m2:.1f} personen per 10 m2 op de zorglocatie",
                                         "en": "{location_persons_per_10m2:.1f} persons per 10 m2 at the care location"},
    "reason.director_other_providers": {"nl": "bestuurder leidde {director_other_providers:.0f} andere zorgaanbieder(s)",
                                        "en": "director ran {director_other_providers:.0f} other provider(s)"},
    "reason.address_failed_before.true": {"nl": "op hetzelfde adres zat eerder een failliete of gesanctioneerde aanbieder",
                                          "en": "a failed or sanctioned provider was at the same address before"},
    "reason.address_failed_before.false": {"nl": "geen eerdere mislukte aanbieder op het adres",
                                           "en": "no earlier failed provider at the address"},
    "reason.client_applications": {"nl": "{client_applications:.0f} aanvragen van cliënten voor deze zorgaanbieder",
                                   "en": "{client_applications:.0f} client applications for this provider"},
    "reason.intermediary_client_share": {"nl": "{intermediary_client_share:.0%} van de cliënten kwam via een bemiddelaar",
                                         "en": "{intermediary_client_share:.0%} of the clients came through an intermediary"},
    "reason.n_intermediaries": {"nl": "aantal verschillende bemiddelaars van de cliënten: {n_intermediaries:.0f}",
                                "en": "number of different intermediaries of the clients: {n_intermediaries:.0f}"},
    "reason.clients_from_failed_share": {"nl": "{clients_from_failed_share:.0%} van de cliënten kwam van een mislukte aanbieder",
                                         "en": "{clients_from_failed_share:.0%} of the clients came from a failed provider"},
}

TEXTS = Catalog("model", COMMON, ENTRIES)
text = TEXTS.text
own_key = TEXTS.own_key
