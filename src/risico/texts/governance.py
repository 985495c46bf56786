"""Texts of the governance commands: ``approve`` (demo decision), ``worklist`` (inspectors),
``feedback`` (outcome summary) and ``where`` (after ``make run``).

``check.<feature>`` says what to check first, per feature behind a case's first reason;
``outcome.<code>`` is written by the worklist and read back by ``feedback``.
"""

from __future__ import annotations

from risico.texts import Catalog
from risico.texts.network import ENTRIES as NETWORK

__all__ = ["ENTRIES", "TEXTS", "text"]

ENTRIES: dict[str, dict[str, str]] = {
    # -- worklist (inspectors) ---------------------------------------------------
    "worklist.title": {"nl": "Werklijst vooronderzoek aanvragen, {month}", "en": "Pre-award worklist, {month}"},
    "worklist.disclaimer": {
        "nl": "Een selectie is een reden om beter te kijken of om hulp aan te bieden, nooit een bewijs. "
              "Het besluit blijft bij u als toezichthouder.",
        "en": "A selection is a reason to look closer or to offer help, never proof. "
              "The decision stays with you, the inspector."},
    "worklist.random_note": {
        "nl": "Een deel van deze lijst is willekeurig gekozen, zodat blijft te toetsen of de selectie klopt. "
              "Welke zaken dat zijn staat niet op de lijst: behandel elke zaak op dezelfde manier.",
        "en": "Part of this list was drawn at random, so that the selection can keep being tested. "
              "Which cases those are is not on the list: treat every case the same way."},
    "worklist.basis": {
        "nl": "Model {model}, goedgekeurd door {committee} op {date} (besluit {decision_id}), geldig tot {valid}.",
        "en": "Model {model}, approved by {committee} on {date} (decision {decision_id}), valid until {valid}."},
    "worklist.no_end": {"nl": "nader besluit", "en": "a further decision"},
    "worklist.counts": {
        "nl": "{scored} aanvragen beoordeeld, {listed} op deze lijst; {rejected} niet beoordeeld wegens "
              "ongeldige gegevens (zie {rejected_file}).",
        "en": "{scored} applications scored, {listed} on this list; {rejected} not scored because of "
              "invalid data (see {rejected_file})."},
    "worklist.outcome_hint": {
        "nl": "Vul per zaak de uitkomst in en lever het bestand in met: python -m risico feedback --file <bestand>",
        "en": "Fill in the outcome per case and hand the file in with: python -m risico feedback --file <file>"},
    "worklist.demo": {
        "nl": "DEMO OP SYNTHETISCHE GEGEVENS: NIET GEBRUIKEN VOOR ECHTE BESLUITEN",
        "en": "DEMO ON SYNTHETIC DATA: NOT FOR REAL DECISIONS"},
    "demo.committee": {"nl": "DEMO (geen commissie: synthetische gegevens)",
                       "en": "DEMO (no committee: synthetic data)"},
    "demo.conditions": {
        "nl": "Alleen een demonstratie op synthetische gegevens. Alles wat hieruit volgt is als demo gemarkeerd; "
              "niet voor besluiten over mensen.",
        "en": "Demonstration on synthetic data only. Every output is watermarked as a demo; not for decisions "
              "about people."},
    "worklist.sheet": {"nl": "Werklijst", "en": "Worklist"},
    "worklist.col.case_id": {"nl": "Zaaknummer", "en": "Case id"},
    "worklist.col.provider_id": {"nl": "Zorgaanbieder", "en": "Provider"},
    "worklist.title.providers": {"nl": "Werklijst zorgaanbieders (contractering en toezicht), {quarter}",
                                 "en": "Care-provider worklist (contracting and supervision), {quarter}"},
    "network.sheet": {"nl": "Netwerk", "en": "Network"},
    "worklist.counts.providers": {
        "nl": "{scored} zorgaanbieders beoordeeld (actief in dit kwartaal), {listed} op deze lijst.",
        "en": "{scored} care providers scored (active this quarter), {listed} on this list."},
    "worklist.col.rank": {"nl": "Rang", "en": "Rank"},
    "worklist.col.band": {"nl": "Risicoband", "en": "Risk band"},
    "worklist.col.reason_1": {"nl": "Reden 1", "en": "Reason 1"},
    "worklist.col.reason_2": {"nl": "Reden 2", "en": "Reason 2"},
    "worklist.col.reason_3": {"nl": "Reden 3", "en": "Reason 3"},
    "worklist.col.check": {"nl": "Eerst controleren", "en": "Check first"},
    "worklist.col.outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "worklist.col.notes": {"nl": "Toelichting", "en": "Notes"},
    "band.very_high": {"nl": "zeer hoog", "en": "very high"},
    "band.high": {"nl": "hoog", "en": "high"},
    "band.elevated": {"nl": "verhoogd", "en": "elevated"},
    "band.low": {"nl": "laag", "en": "low"},
    "outcome.nothing": {"nl": "Niets gevonden", "en": "Nothing found"},
    "outcome.error_corrected": {"nl": "Fout hersteld", "en": "Error corrected"},
    "outcome.help_offered": {"nl": "Hulp aangeboden", "en": "Help offered"},
    "outcome.fraud": {"nl": "Fraude", "en": "Fraud"},
    "worklist.no_reason": {"nl": "geen verdere reden", "en": "no further reason"},
    # what to check first, per feature behind the case's first reason
    "check.scheme": {"nl": "Bespreek met de aanvrager of de gekozen regeling past bij de situatie",
                     "en": "Discuss with the applicant whether the scheme fits the situation"},
    "check.amount_monthly": {"nl": "Controleer de berekening van het maandbedrag",
                             "en": "Check how the monthly amount was calculated"},
    "check.authorised_hours_month": {"nl": "Controleer de indicatie: past het aantal uren bij de zorgvraag?",
                                     "en": "Check the assessment: do the hours fit the care need?"},
    "check.declared_income_monthly": {"nl": "Controleer het opgegeven inkomen met de loongegevens (Polis/UWV)",
                                      "en": "Check the declared income against payroll data (Polis/UWV)"},
    "check.declared_assets": {"nl": "Controleer het opgegeven vermogen met bankafschriften",
                              "en": "Check the declared assets against bank statements"},
    "check.cost_sharers": {"nl": "Controleer in de BRP wie er op het adres woont en of de kostendelers kloppen",
                           "en": "Check in the BRP who lives at the address and whether the cost-sharers are right"},
    "check.previous_applications": {"nl": "Bekijk de eerdere aanvragen van het huishouden",
                                    "en": "Look at the household's earlier applications"},
    "check.previous_awards": {"nl": "Bekijk de lopende en eerdere toekenningen van het huishouden",
                              "en": "Look at the household's current and earlier awards"},
    "check.days_since_relocation": {"nl": "Controleer de nieuwe adresgegevens in de BRP en de woonsituatie",
                                    "en": "Check the new address in the BRP and the living situation"},
    "check.appointment_no_shows": {"nl": "Maak een nieuwe afspraak en vraag de ontbrekende gegevens op",
                                   "en": "Make a new appointment and ask for the missing information"},
    "check.income_changes_12m": {"nl": "Loop de inkomenswijzigingen van het afgelopen jaar na met de aanvrager",
                                 "en": "Go through last year's income changes with the applicant"},
    "check.has_intermediary": {"nl": "Vraag de aanvrager zelf of de aanvraag en de bemiddelaar kloppen",
                               "en": "Ask the applicant directly whether the application and the intermediary are right"},
    "check.intermediary_prior_clients": {"nl": "Bekijk de andere aanvragen van dezelfde bemiddelaar",
                                         "en": "Look at the intermediary's other applications"},
    "check.household_pw_awards": {"nl": "Stem af met de collega's van de Participatiewet (kleine driehoek)",
                                  "en": "Consult the Participatiewet colleagues (small triangle)"},
    "check.household_wmo_awards": {"nl": "Stem af met de Wmo-consulent die het huishouden kent",
                                   "en": "Consult the Wmo caseworker who knows the household"},
    "check.household_jw_awards": {"nl": "Stem af met het jeugdteam dat het huishouden kent",
                                  "en": "Consult the youth team that knows the household"},
    "check.household_has_pgb": {"nl": "Bekijk het lopende pgb: budgetplan en declaraties",
                                "en": "Look at the current pgb: budget plan and claims"},
    "check.household_n_laws": {"nl": "Bespreek het huishouden in het overleg van de drie wetten (kleine driehoek)",
                               "en": "Discuss the household with the three laws' teams (small triangle)"},
    "check.floor_area_m2": {"nl": "Controleer de oppervlakte van het adres in de BAG",
                            "en": "Check the address's floor area in the BAG"},
    "check.persons_registered": {"nl": "Controleer het aantal ingeschreven bewoners op het adres in de BRP",
                                 "en": "Check the number of residents registered at the address in the BRP"},
    "check.households_registered": {"nl": "Controleer de ingeschreven huishoudens op het adres in de BRP",
                                    "en": "Check the households registered at the address in the BRP"},
    "check.persons_per_10m2": {"nl": "Controleer het aantal bewoners op het adres met de BRP en de BAG",
                               "en": "Check the number of residents at the address with the BRP and the BAG"},
    "check.other_adults_at_address": {"nl": "Controleer in de BRP welke volwassenen op het adres wonen",
                                      "en": "Check in the BRP which adults live at the address"},
    "check.undeclared_cost_sharer_gap": {
        "nl": "Controleer met de BRP wie op het adres woont: zijn alle kostendelers opgegeven?",
        "en": "Check with the BRP who lives at the address: are all cost-sharers declared?"},
    "check.room_rental_permit": {"nl": "Controleer de kamerverhuurvergunning en de bewoning (grote driehoek)",
                                 "en": "Check the room-rental permit and the occupancy (large triangle)"},
    "check.fire_safety_findings": {"nl": "Vraag de brandveiligheidsbevindingen op bij de veiligheidsregio",
                                   "en": "Ask the safety region for the fire-safety findings"},
    "check.is_care_location": {"nl": "Controleer of de zorglocatie geregistreerd is en past bij de zorg",
                               "en": "Check that the care location is registered and fits the care"},
    "check.has_provider": {"nl": "Controleer de gekozen zorgaanbieder en het contract",
                           "en": "Check the chosen care provider and its contract"},
    "check.provider_days_registered": {"nl": "Controleer de KvK-inschrijving en de contractvereisten van de zorgaanbieder",
                                       "en": "Check the provider's KvK registration and contracting requirements"},
    "check.n_staff": {"nl": "Controleer of de zorgaanbieder genoeg personeel heeft voor de zorg",
                      "en": "Check that the provider has enough staff for the care"},
    "check.legal_form": {"nl": "Controleer de KvK-gegevens van de zorgaanbieder",
                         "en": "Check the provider's KvK details"},
    "check.has_quality_certificate": {"nl": "Vraag het kwaliteitscertificaat van de zorgaanbieder op",
                                      "en": "Ask the provider for its quality certificate"},
    "check.vog_coverage": {"nl": "Vraag de VOG's van het personeel van de zorgaanbieder op",
                           "en": "Ask for the certificates of conduct (VOG) of the provider's staff"},
    "check.bank_guarantee": {"nl": "Controleer de bankgarantie van de zorgaanbieder",
                             "en": "Check the provider's bank guarantee"},
    "check.staff_trained_share": {"nl": "Vraag de scholing van het personeel van de zorgaanbieder op",
                                  "en": "Ask for the training records of the provider's staff"},
    "check.director_failed_before": {"nl": "Bekijk de eerdere ondernemingen van de bestuurder (KvK)",
                                     "en": "Look at the director's earlier companies (KvK)"},
    "check.location_fire_safety_findings": {"nl": "Vraag de brandveiligheid van de zorglocatie na bij de veiligheidsregio",
                                            "en": "Ask the safety region about the care location's fire safety"},
    "check.billing_ratio_prior": {"nl": "Vergelijk de declaraties van de zorgaanbieder met de toegekende uren",
                                  "en": "Compare the provider's claims with the authorised hours"},
    "check.provider_client_growth": {"nl": "Bekijk waar de nieuwe cliënten van de zorgaanbieder vandaan komen",
                                     "en": "Look at where the provider's new clients come from"},
    "check.days_registered": {"nl": "Controleer de KvK-inschrijving en de contractvereisten van de zorgaanbieder",
                              "en": "Check the provider's KvK registration and contracting requirements"},
    "check.has_billing_history": {"nl": "Vraag na waarom de zorgaanbieder (niet) declareerde",
                                  "en": "Ask why the provider did (not) bill"},
    "check.clients_billed_prev_quarter": {"nl": "Vergelijk het aantal gedeclareerde cliënten met de toekenningen",
                                          "en": "Compare the number of clients billed with the awards"},
    "check.billing_ratio": {"nl": "Vergelijk de declaraties met de toegekende uren en vraag de urenregistratie op",
                            "en": "Compare the claims with the authorised hours and ask for the time records"},
    "check.hours_per_client_month": {"nl": "Vraag de urenregistratie per cliënt op en bezoek een cliënt",
                                     "en": "Ask for the time records per client and visit a client"},
    "check.hours_vs_norm": {"nl": "Vraag de urenregistratie per cliënt op en bezoek een cliënt",
                            "en": "Ask for the time records per client and visit a client"},
    "check.client_growth": {"nl": "Bekijk waar de nieuwe cliënten vandaan komen en wie ze aanbracht",
                            "en": "Look at where the new clients come from and who brought them"},
    "check.clients_per_address": {"nl": "Controleer de woonadressen van de cliënten (BRP) en de huisvesting",
                                  "en": "Check the clients' addresses (BRP) and their housing"},
    "check.max_clients_one_address": {"nl": "Bezoek het adres met de meeste cliënten: woonsituatie en veiligheid",
                                      "en": "Visit the address with the most clients: living conditions and safety"},
    "check.absence_client_months": {"nl": "Vergelijk de declaraties met de gemelde ziekenhuisopnames en verblijven in "
                                          "het buitenland",
                                    "en": "Compare the claims with the reported hospital stays and stays abroad"},
    "check.absence_billing_share": {"nl": "Vraag de urenregistratie op voor de dagen dat de cliënt afwezig was en "
                                          "vraag de cliënt zelf",
                                    "en": "Ask for the time records of the days the client was away, and ask the "
                                          "client directly"},
    "check.location_room_rental_permit": {"nl": "Controleer de kamerverhuurvergunning van de zorglocatie",
                                          "en": "Check the care location's room-rental permit"},
    "check.location_persons_per_10m2": {"nl": "Bezoek de zorglocatie: aantal bewoners en brandveiligheid",
                                        "en": "Visit the care location: number of residents and fire safety"},
    "check.director_other_providers": {"nl": "Bekijk de andere ondernemingen van de bestuurder (KvK, tabblad Netwerk)",
                                       "en": "Look at the director's other companies (KvK, Network sheet)"},
    "check.address_failed_before": {"nl": "Bekijk welke aanbieder eerder op dit adres zat (tabblad Netwerk)",
                                    "en": "Look at which provider was at this address before (Network sheet)"},
    "check.client_applications": {"nl": "Bekijk de aanvragen van de cliënten van deze zorgaanbieder",
                                  "en": "Look at the applications of this provider's clients"},
    "check.intermediary_client_share": {"nl": "Vraag cliënten zelf hoe ze bij deze aanbieder kwamen (bemiddelaar)",
                                        "en": "Ask clients directly how they came to this provider (intermediary)"},
    "check.n_intermediaries": {"nl": "Bekijk welke bemiddelaars cliënten aanbrachten (tabblad Netwerk)",
                               "en": "Look at which intermediaries brought clients (Network sheet)"},
    "check.clients_from_failed_share": {"nl": "Bekijk van welke aanbieder de cliënten overkwamen (tabblad Netwerk)",
                                        "en": "Look at which provider the clients came from (Network sheet)"},
    "check.none": {"nl": "Bespreek de aanvraag met de aanvrager", "en": "Discuss the application with the applicant"},
    # -- feedback (the summary after recording inspectors' outcomes) ------------------
    "feedback.counts": {
        "nl": "Uitkomsten uit {file}: {recorded} nu vastgelegd, {already} al eerder vastgelegd, "
              "{empty} zonder uitkomst (nog niet afgehandeld, overgeslagen).",
        "en": "Outcomes from {file}: {recorded} recorded now, {already} already recorded, "
              "{empty} without an outcome (not yet handled, skipped).",
    },
    "feedback.total": {"nl": "Stand over alle werklijsten (bevinding = fout hersteld of fraude):",
                       "en": "All worklists so far (finding = error corrected or fraud):"},
    "feedback.route": {"nl": "{name}: {handled} afgehandeld, {findings} bevindingen ({rate}), {help} keer hulp aangeboden",
                       "en": "{name}: {handled} handled, {findings} findings ({rate}), help offered {help} time(s)"},
    "feedback.route.risk": {"nl": "Risicoselectie", "en": "Risk selection"},
    "feedback.route.random": {"nl": "Willekeurige steekproef", "en": "Random sample"},
    "feedback.no_rate": {"nl": "–", "en": "–"},
    # -- make run ---------------------------------------------------------------
    "where.done": {"nl": "Klaar. De pijplijn heeft het volgende gemaakt:", "en": "Done. The pipeline produced:"},
    "where.open_first": {"nl": "Open eerst: {path}", "en": "Open first: {path}"},
}

TEXTS = Catalog("governance", NETWORK, ENTRIES)
text = TEXTS.text
