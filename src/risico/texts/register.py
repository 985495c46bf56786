"""Texts of the algorithm register entry (``register``, :mod:`risico.governance.register`), per field;
``<key>.providers`` variants for providers."""

from __future__ import annotations

from risico.texts import Catalog
from risico.texts.common import ENTRIES as COMMON

__all__ = ["ENTRIES", "TEXTS", "text", "own_key"]

ENTRIES: dict[str, dict[str, str]] = {
    "title": {"nl": "Algoritmeregister", "en": "Algorithm register"},
    "intro": {
        "nl": "Concept voor het Algoritmeregister van de Nederlandse overheid (algoritmeregister.overheid.nl), "
              "gemaakt door de software zelf uit de modelkaart, de eerlijkheidsaudit, de parameters en het "
              "besluit van de ethische commissie. Velden met '{placeholder}' vult de gemeente zelf in.",
        "en": "Draft for the Dutch government's algorithm register (algoritmeregister.overheid.nl), made by the "
              "software itself from the model card, the fairness audit, the parameters and the ethics committee's "
              "decision. The municipality fills in the fields marked '{placeholder}'.",
    },
    # field headings
    "field.naam": {"nl": "Naam", "en": "Name"},
    "field.korte_omschrijving": {"nl": "Korte omschrijving", "en": "Short description"},
    "field.organisatie": {"nl": "Organisatie", "en": "Organisation"},
    "field.status": {"nl": "Status", "en": "Status"},
    "field.besluit": {"nl": "Besluit van de ethische commissie", "en": "Decision of the ethics committee"},
    "field.doel_en_impact": {"nl": "Doel en impact", "en": "Purpose and impact"},
    "field.afwegingen": {"nl": "Afwegingen", "en": "Considerations"},
    "field.menselijke_tussenkomst": {"nl": "Menselijke tussenkomst", "en": "Human intervention"},
    "field.risicobeheer": {"nl": "Risicobeheer", "en": "Risk management"},
    "field.wettelijke_basis": {"nl": "Wettelijke basis", "en": "Legal basis"},
    "field.impacttoetsen": {"nl": "Impacttoetsen", "en": "Impact assessments"},
    "field.gegevens": {"nl": "Gegevens", "en": "Data"},
    "field.technische_werking": {"nl": "Technische werking", "en": "Technical operation"},
    "field.broncode": {"nl": "Broncode", "en": "Source code"},
    "field.contactgegevens": {"nl": "Contactgegevens", "en": "Contact"},
    # naam, korte omschrijving, status
    "naam": {"nl": "Risicomodel voor toezicht aan de voorkant (bijstand, Wmo en jeugdhulp)",
             "en": "Risk model for pre-award supervision (social assistance, social support and youth care)"},
    "short": {
        "nl": "Als iemand bijstand, ondersteuning uit de Wmo of jeugdhulp aanvraagt, controleert de gemeente een "
              "deel van de aanvragen extra voordat zij worden toegekend. Dit algoritme zet nieuwe aanvragen op "
              "volgorde: bovenaan staan de aanvragen waarin een fout of overtreding waarschijnlijker is. Zo "
              "besteden toezichthouders hun beperkte tijd ({capacity} aanvragen per maand) gerichter.{random} "
              "Het algoritme beslist niets: een medewerker bekijkt elke geselecteerde aanvraag zelf, en een "
              "selectie is nooit een bewijs.",
        "en": "When someone applies for social assistance, social support (Wmo) or youth care, the municipality "
              "checks some applications more closely before they are granted. This algorithm puts new "
              "applications in order: at the top are those where an error or violation is more likely. This lets "
              "inspectors spend their limited time ({capacity} applications a month) where it matters most."
              "{random} The algorithm decides nothing: an employee looks at every selected application, and a "
              "selection is never proof.",
    },
    "short.random": {
        "nl": " Een deel van de werklijst ({share}) wordt door loting gekozen, zodat ook aanvragen buiten het "
              "beeld van het model gecontroleerd worden.",
        "en": " Part of the worklist ({share}) is drawn by lot, so that applications outside the model's view are "
              "checked too.",
    },
    "status.in_use": {"nl": "in gebruik", "en": "in use"},
    "status.in_development": {"nl": "in ontwikkeling", "en": "in development"},
    "status.demo": {"nl": "demonstratie op synthetische gegevens (niet in gebruik)",
                    "en": "demonstration on synthetic data (not in use)"},
    # besluit
    "decision.approved": {
        "nl": "Goedgekeurd door {committee} op {date} (besluit {record_id}){until}. Voorwaarden: {conditions}",
        "en": "Approved by {committee} on {date} (decision {record_id}){until}. Conditions: {conditions}",
    },
    "decision.until": {"nl": ", geldig tot en met {valid_until}", "en": ", valid until {valid_until}"},
    "decision.none": {
        "nl": "Er is nog geen besluit van de ethische commissie. Zonder goedkeuring maakt de software geen werklijst.",
        "en": "The ethics committee has not decided yet. Without its approval the software makes no worklist.",
    },
    "decision.rejected": {
        "nl": "Afgewezen door {committee} op {date} (besluit {record_id}): {conditions} Zonder een later besluit "
              "dat het model goedkeurt, maakt de software geen werklijst.",
        "en": "Rejected by {committee} on {date} (decision {record_id}): {conditions} Without a later decision "
              "that approves the model, the software makes no worklist.",
    },
    "decision.expired": {
        "nl": "Goedgekeurd door {committee} op {date} (besluit {record_id}), maar dit besluit is verlopen op "
              "{valid_until}. Zonder nieuw besluit maakt de software geen werklijst.",
        "en": "Approved by {committee} on {date} (decision {record_id}), but the decision expired on "
              "{valid_until}. Without a new decision the software makes no worklist.",
    },
    "decision.changed": {
        "nl": "Besluit {record_id} van {committee} op {date} keurde een andere versie goed van: {names}. De huidige "
              "versie wacht op een besluit; zonder goedkeuring maakt de software geen werklijst.",
        "en": "Decision {record_id} of {committee} on {date} approved another version of: {names}. The current "
              "version awaits a decision; without approval the software makes no worklist.",
    },
    "artifact.audit": {"nl": "de eerlijkheidsaudit", "en": "the fairness audit"},
    "artifact.params": {"nl": "de parameters", "en": "the parameters"},
    # doel en impact
    "impact": {
        "nl": "Wie geselecteerd wordt, krijgt vóór de toekenning een extra controle, bijvoorbeeld een vraag om "
              "bewijsstukken of een huisbezoek. Een terechte selectie voorkomt dat iemand te veel ontvangt en later "
              "moet terugbetalen; een onterechte selectie is een last voor de aanvrager. Daarom meet de "
              "eerlijkheidsaudit per groep hoe vaak mensen onterecht geselecteerd worden.",
        "en": "A selected applicant gets an extra check before the award, for example a request for documents or a "
              "home visit. A justified selection prevents someone from receiving too much and having to pay it "
              "back later; an unjustified selection is a burden on the applicant. That is why the fairness audit "
              "measures, per group, how often people are selected wrongly.",
    },
    # afwegingen
    "verdict": {"nl": "Oordeel van de eerlijkheidsaudit: {verdict}.",
                "en": "Verdict of the fairness audit: {verdict}."},
    "verdict.not_ready": {"nl": "niet klaar voor gebruik", "en": "not ready for use"},
    "verdict.committee_decision": {
        "nl": "alleen gebruiken na een besluit van de commissie over de dilemma's hieronder",
        "en": "use only after a committee decision on the dilemmas below"},
    "verdict.no_blocking_findings": {"nl": "geen blokkerende bevindingen", "en": "no blocking findings"},
    "dilemmas": {"nl": "Dilemma's die de ethische commissie moest afwegen:",
                 "en": "Dilemmas the ethics committee had to weigh:"},
    "no_dilemmas": {"nl": "De audit noemde geen dilemma's.", "en": "The audit listed no dilemmas."},
    "times": {"nl": " ({n} keer)", "en": " ({n} times)"},
    "performance": {
        "nl": "In de testperiode (aanvragen vanaf {test_start}) had het model bij een capaciteit van {capacity} "
              "aanvragen per maand een ROC AUC van {auc} tegen de uitkomsten van eerdere onderzoeken; van de "
              "geselecteerde aanvragen die onderzocht waren, had {precision} een bevinding. Deze uitkomsten zijn "
              "gekleurd door wie er vroeger gecontroleerd werd.",
        "en": "In the test period (applications from {test_start}) the model, at a capacity of {capacity} "
              "applications a month, had a ROC AUC of {auc} against the outcomes of earlier investigations; of the "
              "selected applications that had been investigated, {precision} had a finding. These outcomes are "
              "coloured by who was checked in the past.",
    },
    "performance.truth": {
        "nl": "Tegen de werkelijkheid van de synthetische gemeente: ROC AUC {auc}, en {precision} van de "
              "geselecteerde aanvragen bevatte echt een fout of overtreding.",
        "en": "Against the truth of the synthetic municipality: ROC AUC {auc}, and {precision} of the selected "
              "applications really contained an error or violation.",
    },
    "performance.oracle": {
        "nl": "Dat is {auc} van de ROC AUC en {precision} van de precisie van het orakel (de ware kans; beter kan "
              "geen model).",
        "en": "That is {auc} of the ROC AUC and {precision} of the precision of the oracle (the true probability; "
              "no model can do better).",
    },
    "random_tradeoff": {
        "nl": "Het aselecte deel van de werklijst kost controlecapaciteit, maar is de enige onbevooroordeelde meting "
              "van hoe vaak fouten en overtredingen echt voorkomen, en voorkomt dat het model alleen bevestigt wie "
              "het zelf al selecteerde.",
        "en": "The random part of the worklist costs inspection capacity, but it is the only unbiased measure of how "
              "often errors and violations really occur, and it keeps the model from only confirming whom it "
              "selected itself.",
    },
    # menselijke tussenkomst
    "human": {
        "nl": "Het algoritme neemt geen besluit over een aanvraag. Het maakt een werklijst van {capacity} aanvragen "
              "per maand; een toezichthouder beoordeelt elke aanvraag op die lijst zelf en besluit of er verder "
              "onderzoek of juist hulp nodig is. Bij elke aanvraag staan de drie sterkste redenen in gewone taal, "
              "zodat de toezichthouder de score kan controleren en kan tegenspreken.",
        "en": "The algorithm takes no decision on an application. It makes a worklist of {capacity} applications a "
              "month; an inspector assesses every application on that list and decides whether further "
              "investigation, or help, is needed. Every application comes with its three strongest reasons in "
              "plain language, so that the inspector can check the score and contradict it.",
    },
    "human.gate": {
        "nl": "De software maakt pas een werklijst na een goedkeurend besluit van de ethische commissie over precies "
              "deze versie van het model, de audit, de parameters en de trainingsgegevens.",
        "en": "The software makes a worklist only after an approving decision of the ethics committee on exactly "
              "this version of the model, the audit, the parameters and the training data.",
    },
    # risicobeheer
    "risk.audit": {
        "nl": "Vóór elk gebruik toetst een eerlijkheidsaudit het model per groep ({attributes}, en combinaties van "
              "tot {max_depth} kenmerken): hoe vaak mensen geselecteerd en onterecht geselecteerd worden, en hoe "
              "goed het model per groep werkt. Verhoudingen tussen groepen buiten de band {low}-{high} worden "
              "gemeld (correctie voor meervoudig toetsen: {correction}); groepen kleiner dan {min_group_size} "
              "worden niet getoond. De audit zoekt ook naar kenmerken die voor een beschermde grond staan.",
        "en": "Before any use a fairness audit tests the model per group ({attributes}, and combinations of up to "
              "{max_depth} attributes): how often people are selected and wrongly selected, and how well the model "
              "works per group. Ratios between groups outside the band {low}-{high} are reported (correction for "
              "multiple testing: {correction}); groups smaller than {min_group_size} are not shown. The audit also "
              "looks for features that stand in for a protected ground.",
    },
    "risk.gate": {
        "nl": "Een ethische commissie besluit over het gebruik. Het besluit is gebonden aan de hashes van model, "
              "audit, parameters en trainingsgegevens: na elke wijziging is een nieuw besluit nodig.",
        "en": "An ethics committee decides on the use. Its decision is bound to the hashes of the model, the audit, "
              "the parameters and the training data: every change needs a new decision.",
    },
    "risk.log": {
        "nl": "Elke werklijst wordt vastgelegd in een logboek (wie, wanneer, welk besluit, welk model, hoeveel "
              "aanvragen) dat als hashketen elke latere wijziging zichtbaar maakt (AI-verordening, artikel 12).",
        "en": "Every worklist is recorded in a log (who, when, which decision, which model, how many "
              "applications) kept as a hash chain that reveals any later change (AI Act, article 12).",
    },
    "risk.conditions": {"nl": "Voorwaarden van de commissie: {conditions}",
                        "en": "Conditions set by the committee: {conditions}"},
    # gegevens
    "data.tables": {
        "nl": "Het model gebruikt {n} tabellen uit de administratie van de gemeente: {tables}. Of er bij een "
              "aanvraag een fout of overtreding was, komt uit eerdere onderzoeken.",
        "en": "The model uses {n} tables from the municipality's records: {tables}. Whether an application had an "
              "error or violation comes from earlier investigations.",
    },
    "data.synthetic": {
        "nl": "Deze versie is gemaakt en getest op een synthetische gemeente: er staat geen echte persoon in.",
        "en": "This version was built and tested on a synthetic municipality: no real person appears in it.",
    },
    "data.groups": {"nl": "Kenmerkgroepen ({n} kenmerken in totaal):",
                    "en": "Feature groups ({n} features in all):"},
    "data.group": {"nl": "{label}: {n} kenmerken", "en": "{label}: {n} features"},
    "data.protected": {
        "nl": "Beschermde kenmerken ({attributes}) zijn nooit invoer van het model. Alleen de eerlijkheidsaudit "
              "leest ze, om te meten of groepen ongelijk behandeld worden.",
        "en": "Protected attributes ({attributes}) are never inputs of the model. Only the fairness audit reads "
              "them, to measure whether groups are treated unequally.",
    },
    "data.age": {
        "nl": "Leeftijd mag wel invoer van het model zijn. Rechtvaardiging: {text}",
        "en": "Age may be an input of the model. Justification: {text}",
    },
    "data.docs": {
        "nl": "Betekenis, bron en rechtvaardiging van elk kenmerk staan in docs/features.md.",
        "en": "The meaning, source and justification of every feature are in docs/features.md.",
    },
    "table.applications": {"nl": "aanvragen", "en": "applications"},
    "table.investigations": {"nl": "eerdere onderzoeken", "en": "earlier investigations"},
    "table.households": {"nl": "huishoudens (BRP)", "en": "households (BRP)"},
    "table.persons": {"nl": "personen (BRP)", "en": "persons (BRP)"},
    "table.addresses": {"nl": "adressen (BAG/BRP)", "en": "addresses (BAG/BRP)"},
    "table.providers": {"nl": "zorgaanbieders", "en": "care providers"},
    "table.declarations": {"nl": "declaraties van zorgaanbieders", "en": "care providers' billing"},
    "group.application": {"nl": "de aanvraag zelf", "en": "the application itself"},
    "group.small_triangle": {"nl": "andere voorzieningen van het huishouden", "en": "the household's other provisions"},
    "group.large_triangle": {"nl": "het adres en wie daar staat ingeschreven",
                             "en": "the address and who is registered there"},
    "group.provider": {"nl": "de zorgaanbieder", "en": "the care provider"},
    # technische werking
    "tech": {
        "nl": "Modelfamilie: {family}. Het model gebruikt {n_features} kenmerken. Het is getraind op aanvragen van "
              "vóór {validation_start}, gekalibreerd ({calibration}) op aanvragen van {validation_start} tot "
              "{test_start} en getest op aanvragen vanaf {test_start}; een huishouden zit nooit in twee van deze "
              "delen. Het leert van {labels}{ipw}. Ter vergelijking zijn ook getraind: {others}.",
        "en": "Model family: {family}. The model uses {n_features} features. It was trained on applications before "
              "{validation_start}, calibrated ({calibration}) on applications from {validation_start} to "
              "{test_start}, and tested on applications from {test_start}; a household is never in two of these "
              "parts. It learns from {labels}{ipw}. Also trained, for comparison: {others}.",
    },
    "tech.ipw": {"nl": ", gewogen met inverse kansweging", "en": ", weighted by inverse probability"},
    "tech.worklist": {"nl": "Werklijst: per maand de {capacity} aanvragen met de hoogste kans.",
                      "en": "Worklist: every month the {capacity} applications with the highest probability."},
    "tech.random": {"nl": "Aselect deel van de werklijst: {share}.", "en": "Random share of the worklist: {share}."},
    "tech.random_unknown": {"nl": "Aselect deel van de werklijst: niet vastgelegd in params.yaml "
                                  "(worklist.random_share).",
                            "en": "Random share of the worklist: not set in params.yaml (worklist.random_share)."},
    "labels.investigated": {"nl": "alle eerder onderzochte aanvragen",
                            "en": "all previously investigated applications"},
    "labels.random_only": {"nl": "alleen aselect onderzochte aanvragen",
                           "en": "randomly investigated applications only"},
    "family.ebm": {"nl": "Explainable Boosting Machine (ebm), een uitlegbaar model dat per kenmerk een eigen "
                         "bijdrage optelt",
                   "en": "Explainable Boosting Machine (ebm), an interpretable model that adds up one contribution "
                         "per feature"},
    "family.scorecard": {"nl": "scorekaart (scorecard): punten per kenmerk die worden opgeteld",
                         "en": "scorecard: points per feature that are added up"},
    "family.hgb": {"nl": "gradient boosting met beslisbomen (hgb), minder goed uitlegbaar",
                   "en": "gradient-boosted decision trees (hgb), less interpretable"},
    # -- care providers (--target providers): the variants of the keys above, and what only providers have ----
    "naam.providers": {"nl": "Risicomodel voor toezicht op zorgaanbieders (Wmo en jeugdhulp)",
                       "en": "Risk model for the supervision of care providers (social support and youth care)"},
    "short.providers": {
        "nl": "De gemeente koopt ondersteuning uit de Wmo en jeugdhulp in bij zorgaanbieders en houdt toezicht op "
              "hen. Dit algoritme zet de zorgaanbieders elk kwartaal op volgorde: bovenaan staan de aanbieders bij "
              "wie een overtreding waarschijnlijker is, zoals zorg declareren die niet geleverd is, onveilige "
              "huisvesting of een malafide bestuurder. Zo besteden contractmanagers en toezichthouders hun beperkte "
              "tijd ({capacity} aanbieders per kwartaal) gerichter.{random} Het algoritme beslist niets: een "
              "medewerker bekijkt elke geselecteerde aanbieder zelf, en een selectie is nooit een bewijs.",
        "en": "The municipality buys social support (Wmo) and youth care from care providers and supervises them. "
              "Every quarter this algorithm puts the care providers in order: at the top are those where a "
              "violation is more likely, such as billing for care that was not given, unsafe housing or a rogue "
              "director. This lets contract managers and inspectors spend their limited time ({capacity} "
              "providers a quarter) where it matters most.{random} The algorithm decides nothing: an employee "
              "looks at every selected provider, and a selection is never proof.",
    },
    "short.random.providers": {
        "nl": " Een deel van de werklijst ({share}) wordt door loting gekozen, zodat ook aanbieders buiten het "
              "beeld van het model bekeken worden.",
        "en": " Part of the worklist ({share}) is drawn by lot, so that providers outside the model's view are "
              "reviewed too.",
    },
    "impact.providers": {
        "nl": "Een geselecteerde aanbieder krijgt extra aandacht, bijvoorbeeld een gesprek, een controle van de "
              "declaraties of een bezoek aan de zorglocatie. Een terechte selectie beschermt kwetsbare cliënten "
              "tegen slechte of niet geleverde zorg en voorkomt dat zorggeld verdwijnt. Een onterechte selectie is "
              "een last voor de aanbieder, en kan nieuwe en kleine aanbieders buiten de markt houden. Daarom meet "
              "de eerlijkheidsaudit per groep van aanbieders hoe vaak zij onterecht geselecteerd worden.",
        "en": "A selected provider gets extra attention, for example a meeting, a check of its billing or a visit "
              "to its care location. A justified selection protects vulnerable clients from poor care or care that "
              "was never given, and keeps care money from disappearing. An unjustified selection is a burden on "
              "the provider, and can shut new and small providers out of the market. That is why the fairness "
              "audit measures, per group of providers, how often they are selected wrongly.",
    },
    "performance.providers": {
        "nl": "In de testperiode (kwartalen vanaf {test_start}) had het model bij een capaciteit van {capacity} "
              "aanbieders per kwartaal een ROC AUC van {auc} tegen de uitkomsten van eerdere onderzoeken; van de "
              "geselecteerde aanbieder-kwartalen die onderzocht waren, had {precision} een bevinding. Deze "
              "uitkomsten zijn gekleurd door wie er vroeger gecontroleerd werd.",
        "en": "In the test period (quarters from {test_start}) the model, at a capacity of {capacity} providers a "
              "quarter, had a ROC AUC of {auc} against the outcomes of earlier investigations; of the selected "
              "provider-quarters that had been investigated, {precision} had a finding. These outcomes are "
              "coloured by who was checked in the past.",
    },
    "performance.labelled.providers": {
        "nl": "Die cijfers rusten op weinig onderzoeken: {n} onderzochte aanbieder-kwartalen in de testperiode, "
              "waarvan {selected} geselecteerd. Ze zijn dus erg onzeker.",
        "en": "These figures rest on few investigations: {n} investigated provider-quarters in the test period, "
              "{selected} of them selected. They are therefore very uncertain.",
    },
    "performance.truth.providers": {
        "nl": "Tegen de werkelijkheid van de synthetische gemeente: ROC AUC {auc}, en {precision} van de "
              "geselecteerde aanbieder-kwartalen had echt een overtreding.",
        "en": "Against the truth of the synthetic municipality: ROC AUC {auc}, and {precision} of the selected "
              "provider-quarters really had a violation.",
    },
    "performance.oracle.providers": {
        "nl": "Dat is {auc} van de ROC AUC en {precision} van de precisie van het orakel (de kans op een "
              "overtreding vóórdat die plaatsvond). Een model kan hier beter zijn dan het orakel: een overtredende "
              "aanbieder declareert daarna meer dan hij levert, en dat is in de declaraties te zien.",
        "en": "That is {auc} of the ROC AUC and {precision} of the precision of the oracle (the chance of a "
              "violation before it happened). A model can beat the oracle here: a violating provider then bills "
              "more than it delivers, and the billing shows it.",
    },
    "random_tradeoff.providers": {
        "nl": "Het aselecte deel van de werklijst kost controlecapaciteit, maar is de enige onbevooroordeelde meting "
              "van hoe vaak aanbieders echt overtreden, en voorkomt dat het model alleen bevestigt welke aanbieders "
              "het zelf al selecteerde.",
        "en": "The random part of the worklist costs inspection capacity, but it is the only unbiased measure of how "
              "often providers really break the rules, and it keeps the model from only confirming which providers "
              "it selected itself.",
    },
    "human.providers": {
        "nl": "Het algoritme neemt geen besluit over een zorgaanbieder. Het maakt per kwartaal een werklijst van "
              "{capacity} aanbieders; een contractmanager of toezichthouder beoordeelt elke aanbieder op die lijst "
              "zelf en besluit of een gesprek, een controle of verder onderzoek nodig is. Bij elke aanbieder staan "
              "de drie sterkste redenen in gewone taal en de aanbieders waarmee hij verbonden is (zelfde "
              "bestuurder, zelfde adres, bemiddelaars, cliënten die samen overkwamen), zodat de medewerker de score "
              "kan controleren en kan tegenspreken.",
        "en": "The algorithm takes no decision on a care provider. It makes a worklist of {capacity} providers a "
              "quarter; a contract manager or inspector assesses every provider on that list and decides whether a "
              "meeting, a check or further investigation is needed. Every provider comes with its three strongest "
              "reasons in plain language and the providers it is linked to (same director, same address, "
              "intermediaries, clients who moved together), so that the employee can check the score and "
              "contradict it.",
    },
    "risk.audit.providers": {
        "nl": "Vóór elk gebruik toetst een eerlijkheidsaudit het model per groep van aanbieders ({attributes}, en "
              "combinaties van tot {max_depth} kenmerken): hoe vaak aanbieders geselecteerd en onterecht "
              "geselecteerd worden, en hoe goed het model per groep werkt. Verhoudingen tussen groepen buiten de "
              "band {low}-{high} worden gemeld (correctie voor meervoudig toetsen: {correction}); groepen met minder "
              "dan {min_group_size} verschillende aanbieders worden niet getoond. Worden nieuwe, kleine of "
              "eenmanszaken meer dan {high} keer zo vaak geselecteerd als hun vergelijkingsgroep, dan legt de audit "
              "dat als dilemma aan de ethische commissie voor. De audit zoekt ook naar kenmerken die voor een groep "
              "staan.",
        "en": "Before any use a fairness audit tests the model per group of providers ({attributes}, and "
              "combinations of up to {max_depth} attributes): how often providers are selected and wrongly "
              "selected, and how well the model works per group. Ratios between groups outside the band "
              "{low}-{high} are reported (correction for multiple testing: {correction}); groups of fewer than "
              "{min_group_size} distinct providers are not shown. When new, small or sole-trader providers are "
              "selected more than {high} times as often as their reference group, the audit puts that to the "
              "ethics committee as a dilemma. The audit also looks for features that stand in for a group.",
    },
    "risk.log.providers": {
        "nl": "Elke werklijst wordt vastgelegd in een logboek (wie, wanneer, welk besluit, welk model, hoeveel "
              "aanbieders) dat als hashketen elke latere wijziging zichtbaar maakt (AI-verordening, artikel 12).",
        "en": "Every worklist is recorded in a log (who, when, which decision, which model, how many providers) "
              "kept as a hash chain that reveals any later change (AI Act, article 12).",
    },
    "data.tables.providers": {
        "nl": "Het model gebruikt {n} tabellen uit de administratie van de gemeente: {tables}. Een rij is een "
              "aanbieder in een kwartaal, met alleen wat aan het begin van dat kwartaal bekend was. Of een "
              "aanbieder een overtreding had, komt uit eerdere onderzoeken naar aanbieders.",
        "en": "The model uses {n} tables from the municipality's records: {tables}. A row is a provider in a "
              "quarter, with only what was known when the quarter began. Whether a provider had a violation comes "
              "from earlier investigations of providers.",
    },
    "data.synthetic.providers": {
        "nl": "Deze versie is gemaakt en getest op een synthetische gemeente: er staat geen echte zorgaanbieder of "
              "persoon in.",
        "en": "This version was built and tested on a synthetic municipality: no real care provider or person "
              "appears in it.",
    },
    "data.protected.providers": {
        "nl": "Beschermde persoonskenmerken ({attributes}) zijn nooit invoer van het model: de training stopt als "
              "een kenmerk er een is of ernaar genoemd is. De beschermde kolommen van de persoonsgegevens staan in "
              "een aparte map, en de berekening van de kenmerken stopt als zo'n kolom in een andere tabel opduikt. "
              "Van de cliënten van een aanbieder leest alleen de eerlijkheidsaudit ze, samengevat per aanbieder als "
              "aandelen; de werklijst leest ze niet.",
        "en": "Protected personal attributes ({attributes}) are never inputs of the model: training stops when a "
              "feature is one of them or is named after one. The protected columns of the personal data are kept "
              "in a separate folder, and building the features stops when such a column turns up in another "
              "table. Of a provider's clients only the fairness audit reads them, summed up per provider as "
              "shares; the worklist does not read them.",
    },
    "data.audit_groups.providers": {"nl": "De eerlijkheidsaudit deelt aanbieders ook in naar: {groups}.",
                                    "en": "The fairness audit also groups providers by: {groups}."},
    "data.audit_not_inputs.providers": {
        "nl": "Geen invoer van het model: {groups}. De audit zoekt wel naar kenmerken die er indirect voor staan.",
        "en": "Not inputs of the model: {groups}. The audit does look for features that stand in for them.",
    },
    "data.audit_inputs.providers": {
        "nl": "Wel invoer van het model: {groups} (de kenmerken {features}). Zo kan het model nieuwe, kleine en "
              "eenmanszaken vaker selecteren; de audit moet laten zien of echte overtredingen dat verklaren.",
        "en": "Inputs of the model: {groups} (the features {features}). That way the model can select new, small "
              "and sole-trader providers more often; the audit has to show whether real violations explain that.",
    },
    "data.docs.providers": {
        "nl": "Betekenis, bron en rechtvaardiging van elk kenmerk staan in docs/features.md (het deel over "
              "zorgaanbieders).",
        "en": "The meaning, source and justification of every feature are in docs/features.md (the section on care "
              "providers).",
    },
    "table.applications.providers": {"nl": "aanvragen van cliënten die de aanbieder noemen",
                                     "en": "clients' applications that name the provider"},
    "table.investigations.providers": {"nl": "eerdere onderzoeken naar aanbieders",
                                       "en": "earlier investigations of providers"},
    "group.contracting": {"nl": "contractvereisten, inschrijving, rechtsvorm en omvang",
                          "en": "contracting requirements, registration, legal form and size"},
    "group.billing": {"nl": "declaraties in de vier kwartalen ervoor", "en": "billing in the four quarters before"},
    "group.location": {"nl": "de zorglocatie van de aanbieder", "en": "the provider's care location"},
    "group.network": {"nl": "het netwerk: bestuurder, adres, bemiddelaars en cliënten",
                      "en": "the network: director, address, intermediaries and clients"},
    "provider_group.size_band": {"nl": "aantal medewerkers", "en": "number of staff"},
    "provider_group.registration_age_band": {"nl": "inschrijfduur bij de KvK", "en": "time registered with the KvK"},
    "provider_group.legal_form": {"nl": "rechtsvorm", "en": "legal form"},
    "provider_group.district": {"nl": "wijk van de zorglocatie", "en": "district of the care location"},
    "provider_group.clients": {"nl": "aandeel {ground}", "en": "share of {ground}"},
    "tech.providers": {
        "nl": "Modelfamilie: {family}. Het model gebruikt {n_features} kenmerken. Het is getraind op kwartalen van "
              "vóór {validation_start}, gekalibreerd ({calibration}) op kwartalen van {validation_start} tot "
              "{test_start} en getest op kwartalen vanaf {test_start}. Dezelfde aanbieders zitten in alle drie de "
              "delen: de kwartalen van een aanbieder worden niet bij elkaar gehouden, omdat er dan geen "
              "trainingslabels overblijven (dezelfde aanbieders zijn in elke periode actief). De test meet dus hoe "
              "goed het model bekende aanbieders later rangschikt, niet nieuwe toetreders; een aanbieder die het "
              "model eerder onderzocht zag, kan het deels herkennen. Het leert van {labels}{ipw}. Ter vergelijking "
              "zijn ook getraind: {others}.",
        "en": "Model family: {family}. The model uses {n_features} features. It was trained on quarters before "
              "{validation_start}, calibrated ({calibration}) on quarters from {validation_start} to {test_start}, "
              "and tested on quarters from {test_start}. The same providers are in all three parts: a provider's "
              "quarters are not kept together, because that would leave no training labels (the same providers are "
              "active in every period). The test therefore measures how well the model ranks providers it already "
              "knows at a later time, not new entrants, and it can partly recognise a provider it saw investigated "
              "before. It learns from {labels}{ipw}. Also trained, for comparison: {others}.",
    },
    "tech.worklist.providers": {"nl": "Werklijst: per kwartaal de {capacity} aanbieders met de hoogste kans.",
                                "en": "Worklist: every quarter the {capacity} providers with the highest probability."},
    "tech.random_unknown.providers": {
        "nl": "Aselect deel van de werklijst: niet vastgelegd in params.yaml (provider_worklist.random_share).",
        "en": "Random share of the worklist: not set in params.yaml (provider_worklist.random_share).",
    },
    "labels.investigated.providers": {"nl": "alle eerder onderzochte aanbieder-kwartalen",
                                      "en": "all previously investigated provider-quarters"},
    "labels.random_only.providers": {"nl": "alleen aselect onderzochte aanbieder-kwartalen",
                                     "en": "randomly investigated provider-quarters only"},
}

TEXTS = Catalog("register", COMMON, ENTRIES)
text = TEXTS.text
own_key = TEXTS.own_key
