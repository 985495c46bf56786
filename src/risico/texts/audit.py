"""Texts of the fairness audit (``audit`` stage, :mod:`risico.audit`): report, dilemmas, trade-offs and
the provider audit. ``dilemma.<kind>.title``/``.text`` is one family per dilemma kind.
"""

from __future__ import annotations

from risico.texts import Catalog
from risico.texts.common import ENTRIES as COMMON
from risico.texts.network import ENTRIES as NETWORK

__all__ = ["ENTRIES", "TEXTS", "text", "own_key"]

ENTRIES: dict[str, dict[str, str]] = {
    # column headers
    "col.attribute": {"nl": "kenmerk", "en": "attribute"},
    "col.gap": {"nl": "verschil", "en": "gap"},
    "col.difference": {"nl": "verschil (groep - referentie)", "en": "difference (group - reference)"},
    # -- fairness audit ----------------------------------------------------------------
    "audit.title": {"nl": "Fairness-audit voor de ethische commissie", "en": "Fairness audit for the ethics committee"},
    "audit.verdict.not_ready": {"nl": "Niet klaar voor gebruik", "en": "Not ready for use"},
    "audit.verdict.committee_decision": {
        "nl": "Alleen gebruiken na een besluit van de commissie over de genoemde dilemma's",
        "en": "Use only after a committee decision on the listed dilemmas"},
    "audit.verdict.no_blocking_findings": {"nl": "Geen blokkerende bevindingen", "en": "No blocking findings"},
    "audit.verdict_note": {
        "nl": "Dit oordeel zegt nooit dat het model 'eerlijk' is: het zegt wat de commissie moet besluiten voordat "
              "een score gebruikt mag worden.",
        "en": "This verdict never says the model is 'fair': it says what the committee must decide before any "
              "score may be used."},
    "audit.summary": {"nl": "Samenvatting", "en": "Summary"},
    "audit.on_difference": {"nl": "oordeel op het verschil", "en": "judged on the difference"},
    "audit.key_numbers": {"nl": "De cijfers die ertoe doen", "en": "The numbers that matter"},
    "audit.dilemmas": {"nl": "Dilemma's: vragen die de commissie moet beantwoorden",
                       "en": "Dilemmas: questions the committee must answer"},
    "audit.detail": {"nl": "Details", "en": "Details"},
    "audit.groups": {"nl": "Maten per groep (met 95%-intervallen)", "en": "Metrics per group (with 95% intervals)"},
    "audit.disparities": {"nl": "Verschillen tussen groepen", "en": "Disparities between groups"},
    "audit.funnel": {"nl": "Selectietrechter", "en": "Selection funnel"},
    "audit.routes": {"nl": "Aselecte steekproef tegenover risicoselectie", "en": "Random sample versus risk selection"},
    "audit.truth_gap": {"nl": "Waargenomen tegenover werkelijke overtreding", "en": "Observed versus true violation"},
    "audit.input": {"nl": "Invoerbestand", "en": "Input file"},
    "audit.stage_comparison": {"nl": "Fasen vergeleken", "en": "Stages compared"},
    "audit.stage_alarms": {"nl": "Verschillen die van richting veranderen tussen opeenvolgende fasen",
                           "en": "Disparities that change direction between consecutive stages"},
    "audit.stage_no_alarms": {"nl": "Geen verschil verandert van richting tussen opeenvolgende fasen.",
                              "en": "No disparity changes direction between consecutive stages."},
    "audit.missing_measures": {"nl": "Niet te beoordelen zonder uitkomsten", "en": "Not judged without outcomes"},
    "audit.missing_measures_text": {
        "nl": "Zonder uitkomsten (--label) beoordeelt de audit alleen selectiekansen en scoreverdelingen per groep. "
              "Deze maten ontbreken: {measures}.",
        "en": "Without outcomes (--label) the audit judges only selection rates and score distributions per group. "
              "These measures are missing: {measures}."},
    "audit.score_distribution": {"nl": "Scoreverdeling per groep", "en": "Score distribution per group"},
    "audit.duplicates": {
        "nl": "Kolom '{column}' staat {count} keer in het bestand (posities {positions}) met gelijke inhoud; "
              "positie {used} is gebruikt.",
        "en": "Column '{column}' appears {count} times in the file (positions {positions}) with identical "
              "content; position {used} was used."},
    "audit.proxies": {"nl": "Kenmerken die beschermde gronden verraden (proxies)",
                      "en": "Features that stand in for protected grounds (proxies)"},
    "audit.tradeoffs": {"nl": "Afwegingen: wat kost het herstellen van een verschil?",
                        "en": "Trade-offs: what does fixing a disparity cost?"},
    "audit.feedback": {"nl": "Terugkoppeling: wat gebeurt er na een paar rondes gebruik?",
                       "en": "Feedback: what happens after a few rounds of use?"},
    "audit.clusters": {"nl": "Groepen met veel onterechte selecties die geen vooraf gekozen groep vangt",
                       "en": "Groups with many wrong selections that no predefined group captures"},
    "audit.stages": {"nl": "Dezelfde audit per periode", "en": "The same audit per period"},
    "audit.method": {"nl": "Methode en grenzen van deze audit", "en": "Method and limits of this audit"},
    "audit.method_text": {
        "nl": "Een aanvraag is geselecteerd als haar score bij de hoogste {k} hoort (de capaciteit). Maten per groep "
              "volgen de gebruikelijke definities (docs/audit-metrics.md); intervallen komen uit {n_boot} "
              "bootstrap-trekkingen, gecorrigeerd voor meervoudig toetsen ({correction}). Een verschil 'faalt' als "
              "het hele interval buiten de band {low}-{high} valt. Groepen kleiner dan {min_size} worden niet "
              "getoond. Grenzen: de labels komen uit eerdere, niet-willekeurige onderzoeken; een audit op "
              "historische gegevens voorspelt niet hoe het model zich in gebruik gedraagt (Amsterdam zag de "
              "vertekening van richting veranderen): herhaal de audit in elke fase.",
        "en": "An application is selected when its score is among the highest {k} (the capacity). Group metrics "
              "follow the usual definitions (docs/audit-metrics.md); intervals come from {n_boot} bootstrap "
              "resamples, corrected for multiple comparisons ({correction}). A disparity 'fails' when its whole "
              "interval lies outside the band {low}-{high}. Groups smaller than {min_size} are not shown. Limits: "
              "the labels come from earlier, non-random investigations; an audit on historical data does not "
              "predict how the model behaves in use (Amsterdam saw its bias change direction): repeat the audit "
              "at every stage."},
    "audit.suppressed": {"nl": "onderdrukt (n < {min_size})", "en": "suppressed (n < {min_size})"},
    "dilemma.disparity.title": {"nl": "Ongelijke onterechte selectie", "en": "Unequal wrongful selection"},
    "dilemma.too_little_evidence.title": {"nl": "Te weinig gegevens om te oordelen", "en": "Too little evidence to judge"},
    "dilemma.too_little_evidence.text": {
        "nl": "Bij {groups} ligt de verhouding met de referentiegroep buiten de band {low}-{high}, maar het "
              "interval loopt van onder {low} tot boven {high}: deze groepen hebben in de testperiode te weinig "
              "selecties om te zeggen of het model ze anders behandelt, in welke richting dan ook. Besluit u "
              "zonder dit bewijs, of eist u het eerst (een langere testperiode, of toezicht op de uitkomsten via "
              "het aselecte deel van de werklijst)?",
        "en": "For {groups} the ratio to the reference group lies outside the band {low}-{high}, but its interval "
              "runs from below {low} to above {high}: these groups have too few selections in the test period to "
              "tell whether the model treats them differently, in either direction. Do you decide without this "
              "evidence, or do you require it first (a longer test period, or monitoring the outcomes through the "
              "random part of the worklist)?"},
    "dilemma.too_little_evidence.more": {"nl": " en {n} andere", "en": " and {n} others"},
    "dilemma.disparity.text": {
        "nl": "Bij {attribute} heeft de groep '{group}' een {metric} van {ratio} keer die van '{reference}' "
              "(interval {lo}-{hi}). Is dit verschil te rechtvaardigen (legitiem doel, noodzakelijk, "
              "proportioneel), en is het ethisch wenselijk? Zo niet: niet gebruiken, of welke aanpassing eist u?",
        "en": "For {attribute}, group '{group}' has a {metric} of {ratio} times that of '{reference}' "
              "(interval {lo}-{hi}). Can this disparity be justified (legitimate aim, necessary, proportionate), "
              "and is it ethically desirable? If not: do not use it, or which change do you require?"},
    "dilemma.disparity.text_difference": {
        "nl": "Bij {attribute} heeft de groep '{group}' een {metric} van {value} tegen {reference_value} bij "
              "'{reference}': een verschil van {difference} (interval {lo} tot {hi}). De verhouding ({ratio}) draagt "
              "hier geen oordeel, omdat de referentiegroep (bijna) geen gevallen heeft; het verschil valt buiten de "
              "marge van {tolerance}. Is dit verschil te rechtvaardigen (legitiem doel, noodzakelijk, proportioneel), "
              "en is het ethisch wenselijk? Zo niet: niet gebruiken, of welke aanpassing eist u?",
        "en": "For {attribute}, group '{group}' has a {metric} of {value} against {reference_value} for "
              "'{reference}': a difference of {difference} (interval {lo} to {hi}). The ratio ({ratio}) carries no "
              "verdict here because the reference group has (almost) no cases; the difference lies outside the "
              "margin of {tolerance}. Can this disparity be justified (legitimate aim, necessary, proportionate), "
              "and is it ethically desirable? If not: do not use it, or which change do you require?"},
    "dilemma.label_bias.title": {"nl": "Scheve labels uit het verleden", "en": "Skewed labels from the past"},
    "dilemma.label_bias.text": {
        "nl": "De labels waarop het model leerde komen uit onderzoeken die sommige groepen vaker troffen: {findings}. "
              "Aanvaardt de commissie een model dat op deze labels is getraind, en onder welke voorwaarden "
              "(bijvoorbeeld alleen leren van de aselecte steekproef)?",
        "en": "The labels the model learned from come from investigations that hit some groups more often: "
              "{findings}. Does the committee accept a model trained on these labels, and on what terms (for "
              "example learning only from the random sample)?"},
    "dilemma.detection.title": {"nl": "Ongelijke ontdekkans", "en": "Unequal detection"},
    "dilemma.detection.text": {
        "nl": "Bij {attribute} vonden onderzoeken een werkelijke overtreding van '{group}' in {high} van de gevallen, "
              "van '{reference}' in {low}. Labels van de ene groep zijn dus 'strenger' dan van de andere, en een model "
              "leert dat verschil. Hoe moet de gemeente haar onderzoeken gelijk trekken voordat deze labels gebruikt "
              "worden?",
        "en": "For {attribute}, investigations found a true violation of '{group}' in {high} of cases, of "
              "'{reference}' in {low}. One group's labels are 'stricter' than another's, and a model learns that "
              "difference. How must the municipality level its investigations before these labels are used?"},
    "dilemma.proxies.title": {"nl": "Kenmerken die voor beschermde gronden staan",
                              "en": "Features that stand in for protected grounds"},
    "dilemma.proxies.text": {
        "nl": "{count} kenmerk(en) voorspellen een beschermde grond goed ({examples}). Mogen deze kenmerken "
              "blijven, omdat ze zelf een legitiem signaal zijn, of moeten ze eruit, met verlies aan detectie?",
        "en": "{count} feature(s) predict a protected ground well ({examples}). May these features stay, because "
              "they are a legitimate signal in themselves, or must they go, at a loss of detection?"},
    "dilemma.data_proxies.title": {"nl": "Gegevens die voor beschermde gronden staan",
                                   "en": "Data that stand in for protected grounds"},
    "dilemma.data_proxies.text": {
        "nl": "{count} beschikbare kolom(men) die het model nu niet gebruikt, voorspellen een beschermde grond goed "
              "({examples}). Legt de commissie vast dat deze nooit kenmerk mogen worden, of onder welke voorwaarden wel?",
        "en": "{count} available column(s) the model does not use now predict a protected ground well ({examples}). "
              "Does the committee rule that these may never become features, or on what terms they may?"},
    "dilemma.impossibility.title": {"nl": "Niet alles tegelijk gelijk", "en": "Not everything equal at once"},
    "dilemma.impossibility.text": {
        "nl": "De basisfrequenties verschillen tussen groepen ({findings}). Dan kan een score niet tegelijk binnen "
              "elke groep even goed gekalibreerd zijn én gelijke foutkansen geven. Welke eigenschap weegt voor de "
              "commissie zwaarder: gelijke kans op onterechte selectie, of een score die voor iedereen hetzelfde "
              "betekent?",
        "en": "Base rates differ between groups ({findings}). A score then cannot both be equally well calibrated "
              "within every group and give equal error rates. Which weighs more for the committee: an equal chance "
              "of wrongful selection, or a score that means the same for everyone?"},
    "dilemma.impossibility.conflict": {
        "nl": "In deze tabel, bij {attribute}: de positief voorspellende waarde is {ppv}, de kans op onterechte "
              "selectie {fpr} en de kans op een gemiste overtreding {fnr}. Deze score koos dus voor het een en "
              "betaalt met het ander.",
        "en": "In this table, for {attribute}: the positive predictive value is {ppv}, the false-positive rate "
              "{fpr} and the false-negative rate {fnr}. This score has chosen one and pays with the other."},
    "dilemma.impossibility.equal": {"nl": "vrijwel gelijk (verhouding {ratio}: {rates})",
                                    "en": "nearly equal (ratio {ratio}: {rates})"},
    "dilemma.impossibility.unequal": {"nl": "ongelijk (verhouding {ratio}: {rates})",
                                      "en": "unequal (ratio {ratio}: {rates})"},
    "dilemma.tradeoff.title": {"nl": "Wat gelijkheid kost", "en": "What equality costs"},
    "dilemma.tradeoff.text": {
        "nl": "Gelijke fout-positieven ({strategy}) brengt de verhouding van {before} naar {after}, en de precisie "
              "bij de capaciteit van {precision_before} naar {precision_after}. Is die prijs aanvaardbaar?",
        "en": "Equal false positives ({strategy}) moves the ratio from {before} to {after}, and precision at "
              "capacity from {precision_before} to {precision_after}. Is that price acceptable?"},
    "dilemma.feedback.title": {"nl": "Het model voedt zichzelf", "en": "The model feeds itself"},
    "dilemma.feedback.text": {
        "nl": "Als het model alleen leert van zijn eigen selecties, verschuift na {rounds} rondes de verhouding "
              "tussen groepen van {start} naar {end_none}; met een aselecte steekproef naar {end_random}. Welke "
              "aselecte steekproef eist de commissie naast de risicoselectie?",
        "en": "If the model learns only from its own selections, after {rounds} rounds the ratio between groups "
              "moves from {start} to {end_none}; with a random sample to {end_random}. Which random sample does the "
              "committee require beside the risk selection?"},
    "dilemma.stage_flip.title": {"nl": "Vertekening verandert van richting", "en": "Bias changes direction"},
    "dilemma.stage_flip.text": {
        "nl": "Het verschil in {metric} tussen '{group}' en '{reference}' ({attribute}) keert om tussen {stages}. "
              "Zo ging het in Amsterdam mis. Wat is hier de verklaring, en mag het model zo gebruikt worden?",
        "en": "The {metric} disparity between '{group}' and '{reference}' ({attribute}) reverses between "
              "{stages}. That is how Amsterdam's pilot went wrong. What explains it here, and may the model be used?"},
    "dilemma.direction_flip.title": {"nl": "Vertekening lijkt van richting te veranderen",
                                     "en": "Bias may change direction"},
    "dilemma.direction_flip.text": {
        "nl": "Het verschil in {metric} tussen '{group}' en '{reference}' ({attribute}) ligt in de ene fase boven 1 "
              "en in de volgende eronder ({stages}), maar de intervallen bewijzen de omkering niet. Wacht de "
              "commissie meer gegevens af, en hoe wordt deze groep in de tussentijd bewaakt?",
        "en": "The {metric} disparity between '{group}' and '{reference}' ({attribute}) lies above 1 in one stage "
              "and below it in the next ({stages}), but the intervals do not prove the reversal. Does the committee "
              "wait for more data, and how is this group watched meanwhile?"},
    "dilemma.missing_outcomes.title": {"nl": "Nog geen uitkomsten", "en": "No outcomes yet"},
    "dilemma.missing_outcomes.text": {
        "nl": "De tabel bevat geen uitkomsten, dus deze maten kunnen niet beoordeeld worden: {measures}. Hoe worden "
              "de uitkomsten verzameld, en welk aselect deel van de gevallen wordt los van de score onderzocht "
              "zodat foutpercentages per groep later eerlijk te meten zijn?",
        "en": "The table holds no outcomes, so these measures cannot be judged: {measures}. How will the outcomes "
              "be gathered, and which random share of cases is investigated regardless of the score so that error "
              "rates per group can be measured fairly later?"},
    "dilemma.suppressed.title": {"nl": "Te kleine groepen", "en": "Groups too small to assess"},
    "dilemma.suppressed.text": {
        "nl": "{count} groep(en) zijn kleiner dan {min_size} en kunnen niet beoordeeld worden ({examples}). Hoe "
              "bewaakt de commissie de gevolgen voor deze groepen?",
        "en": "{count} group(s) are smaller than {min_size} and cannot be assessed ({examples}). How will the "
              "committee watch the effect on these groups?"},
    # -- trade-off figure and the impossibility statement ---------------------------
    "tradeoff.x.fpr_ratio": {"nl": "verhouding fout-positieven (laagste/hoogste groep)",
                    "en": "false-positive ratio (lowest/highest group)"},
    "tradeoff.x.selection_rate_ratio": {"nl": "verhouding selectiekansen (laagste/hoogste groep)",
                               "en": "selection-rate ratio (lowest/highest group)"},
    "tradeoff.y.precision": {"nl": "detectie (precisie bij capaciteit)", "en": "detection (precision at capacity)"},
    "tradeoff.band": {"nl": "tolerantieband (0,8-1)", "en": "tolerance band (0.8-1)"},
    "tradeoff.strategy.unconstrained": {"nl": "zonder correctie", "en": "unconstrained"},
    "tradeoff.strategy.demographic_parity": {"nl": "gelijke selectiekans (fairlearn)", "en": "demographic parity (fairlearn)"},
    "tradeoff.strategy.equalized_odds": {"nl": "gelijke fout- en trefkansen (fairlearn)", "en": "equalized odds (fairlearn)"},
    "tradeoff.strategy.false_positive_rate_parity": {"nl": "gelijke fout-positieven (fairlearn)",
                                            "en": "equal false-positive rates (fairlearn)"},
    "tradeoff.shift.demographic_parity": {"nl": "stapsgewijs naar gelijke selectiekans",
                                 "en": "step by step to equal selection rates"},
    "tradeoff.shift.false_positive_rate_parity": {"nl": "stapsgewijs naar gelijke fout-positieven",
                                         "en": "step by step to equal false-positive rates"},
    "tradeoff.title": {"nl": "Wat kost gelijkheid bij een capaciteit van {capacity}?",
              "en": "What does equality cost at a capacity of {capacity}?"},
    "tradeoff.statement": {
        "nl": "De basisfrequenties verschillen tussen de groepen (p = {p:.3g}). Dan kan een score niet tegelijk in "
              "elke groep even goed gekalibreerd zijn en gelijke fout-positieve en fout-negatieve kansen geven "
              "(Chouldechova 2017; Kleinberg e.a. 2016). Er moet gekozen worden.",
        "en": "Base rates differ between the groups (p = {p:.3g}). A score then cannot be equally well calibrated "
              "within every group and give equal false-positive and false-negative rates at the same time "
              "(Chouldechova 2017; Kleinberg et al. 2016). A choice has to be made."},
    "tradeoff.statement_equal": {
        "nl": "Er is geen aantoonbaar verschil in basisfrequenties tussen de groepen (p = {p:.3g}); de stelling "
              "van Chouldechova en Kleinberg dwingt hier (nog) geen keuze af.",
        "en": "No demonstrable difference in base rates between the groups (p = {p:.3g}); the Chouldechova and "
              "Kleinberg result does not (yet) force a choice here."},
    # -- provider audit (issue 7): the audit of care providers, its own dilemmas ------------------------
    "audit.title.providers": {"nl": "Fairness-audit van het risicomodel voor zorgaanbieders",
                              "en": "Fairness audit of the care-provider risk model"},
    "audit.method_text.providers": {
        "nl": "Een zorgaanbieder is in een kwartaal geselecteerd als zijn score bij de hoogste {k} van dat kwartaal "
              "hoort (de capaciteit van contractmanagers en toezichthouders). Maten per groep volgen de "
              "gebruikelijke definities (docs/audit-metrics.md); intervallen komen uit {n_boot} bootstrap-trekkingen, "
              "gecorrigeerd voor meervoudig toetsen ({correction}). Een verschil 'faalt' als het hele interval buiten "
              "de band {low}-{high} valt. Groepen met minder dan {min_size} verschillende aanbieders worden niet "
              "getoond. Een rij is een aanbieder in een kwartaal; omdat de kwartalen van één aanbieder samen bewegen, "
              "tellen de intervallen aanbieders in plaats van rijen en zijn ze eerder te breed dan te smal. "
              "De samenstelling van de cliënten is een groep: "
              "'mostly' bij een aandeel van minstens 50%, 'partly' bij meer dan 0%, 'none' bij 0% en 'no clients' "
              "als de aanbieder (nog) geen cliënten had. Grenzen: de labels komen uit eerdere, niet-willekeurige "
              "onderzoeken; herhaal de audit in elke fase.",
        "en": "A care provider is selected in a quarter when its score is among the highest {k} of that quarter (the "
              "capacity of contract managers and inspectors). Group metrics follow the usual definitions "
              "(docs/audit-metrics.md); intervals come from {n_boot} bootstrap resamples, corrected for multiple "
              "comparisons ({correction}). A disparity 'fails' when its whole interval lies outside the band "
              "{low}-{high}. Groups of fewer than {min_size} distinct providers are not shown. A row is a provider "
              "in a quarter; as the quarters of one provider move together, the intervals count providers instead "
              "of rows and are rather too wide than too narrow. The clients' composition is a group: 'mostly' at a share of at least 50%, 'partly' "
              "above 0%, 'none' at 0% and 'no clients' when the provider had no clients (yet). Limits: the labels "
              "come from earlier, non-random investigations; repeat the audit at every stage."},
    "audit.history": {"nl": "Wie werd onderzocht, en wie overtrad werkelijk (historie)",
                      "en": "Who was investigated, and who really violated (history)"},
    "audit.skipped": {"nl": "Niet gedaan, en waarom", "en": "Not done, and why"},
    "audit.skipped.data_proxies": {
        "nl": "Kolommen die het model niet gebruikt als proxy controleren gebeurt alleen voor aanvragen: de kolommen "
              "van de aanbiederstabellen buiten het model zijn hier de auditgroepen zelf (wijk, rechtsvorm, omvang) "
              "of sleutels en adressen.",
        "en": "Checking columns the model does not use as proxies is done for applications only: the provider "
              "tables' columns outside the model are the audit groups themselves (district, legal form, size) or "
              "keys and addresses."},
    "dilemma.label_bias.finding": {
        "nl": "{attribute} '{group}' {rate}% onderzocht vs '{reference}' {reference_rate}%, werkelijke overtreding "
              "{true}% vs {reference_true}%",
        "en": "{attribute} '{group}' {rate}% investigated vs '{reference}' {reference_rate}%, true violation "
              "{true}% vs {reference_true}%"},
    "dilemma.label_bias.finding_no_violation": {
        "nl": "{attribute} '{group}': van wie niets overtrad {rate}% onderzocht ({route}) vs '{reference}' "
              "{reference_rate}% ({ratio}x, interval {lo}-{hi}), werkelijke overtreding {true}% vs {reference_true}%",
        "en": "{attribute} '{group}': of those without a violation {rate}% investigated ({route}) vs '{reference}' "
              "{reference_rate}% ({ratio}x, interval {lo}-{hi}), true violation {true}% vs {reference_true}%"},
    "audit.route.all": {"nl": "alle routes", "en": "all routes"},
    "dilemma.market_access.title": {"nl": "Markttoegang van nieuwkomers tegenover bescherming van cliënten",
                                    "en": "Market access of new entrants versus protection of clients"},
    "dilemma.market_access.finding": {
        "nl": "{attribute} '{group}' {selection} zo vaak geselecteerd als '{reference}' (overtredingen {violation}, "
              "geselecteerd zonder overtreding {fpr})",
        "en": "{attribute} '{group}' selected {selection} as often as '{reference}' (violations {violation}, "
              "selected without a violation {fpr})"},
    "dilemma.market_access.text": {
        "nl": "Nieuwe, kleine en eenmanszaken komen vaker op de lijst: {findings}. De kenmerken {features} vertellen "
              "het model rechtstreeks hoe oud of hoe groot een aanbieder is of welke rechtsvorm hij heeft. Is die "
              "extra aandacht een legitiem risico (overtreden deze aanbieders werkelijk vaker, om redenen die het "
              "model ziet?), of leert het model 'jong bedrijf = verdacht' en houdt het zo nieuwkomers buiten de "
              "markt? Weegt de bescherming van cliënten op tegen die drempel, en zo ja, onder welke voorwaarden: "
              "alleen selecteren op concrete signalen (declaraties, huisvesting, netwerk), een grens aan het aandeel "
              "nieuwkomers op de lijst, of een kennismakingsgesprek in plaats van een controle?",
        "en": "New, small and sole-trader providers are put on the list more often: {findings}. The features "
              "{features} tell the model directly how old or how large a provider is, or its legal form. Is that "
              "extra attention a legitimate risk (do these providers truly violate more often, for reasons the "
              "model sees?), or does the model learn 'young company = suspicious' and so keep new entrants out of "
              "the market? Does the protection of clients outweigh that barrier, and if so on what terms: selecting "
              "only on concrete signals (billing, housing, network), a cap on the share of new entrants on the "
              "list, or an introductory visit instead of an inspection?"},
    "dilemma.client_composition.title": {"nl": "Samenstelling van de cliënten", "en": "The clients' composition"},
    "dilemma.client_composition.text": {
        "nl": "Aanbieders met overwegend {clients} worden {selection} zo vaak geselecteerd als aanbieders in de groep "
              "'{reference}', en {fpr} zo vaak zonder dat er een overtreding is (overtredingen: {violation}). "
              "Kenmerken die deze groep voorspellen: {features}. Een controle bij een aanbieder raakt ook zijn "
              "cliënten. Geeft het model zo de herkomst, het geslacht of de leeftijd van cliënten door aan hun "
              "aanbieder? Aanvaardt de commissie dit verschil omdat het uit legitieme signalen komt (declaraties, "
              "huisvesting, netwerk), of eist zij dat het verdwijnt, en tegen welk verlies aan detectie?",
        "en": "Providers serving mostly {clients} are selected {selection} as often as providers in group "
              "'{reference}', and {fpr} as often without a violation (violations: {violation}). Features that "
              "predict this group: {features}. A check on a provider also reaches its clients. Does the model pass "
              "the clients' origin, sex or age on to their provider? Does the committee accept this disparity "
              "because it comes from legitimate signals (billing, housing, network), or does it require it gone, "
              "and at what loss of detection?"},
    "audit.network": {"nl": "Netwerk van geselecteerde zorgaanbieders", "en": "Network of selected providers"},
    "audit.network_text": {
        "nl": "Voor de hoogst gerangschikte aanbieders van het laatste testkwartaal met een eerdere aanbieder onder "
              "dezelfde bestuurder of op hetzelfde adres (ten hoogste {n}): het 'loopbaanpad' dat de toezichthouder "
              "ook op de werklijst ziet. Rood: die eerdere aanbieder ging failliet of werd gesanctioneerd.",
        "en": "For the highest-ranked providers of the last test quarter with an earlier provider under the same "
              "director or at the same address (at most {n}): the 'career path' the inspector also sees on the "
              "worklist. Red: that earlier provider failed or was sanctioned."},
    "audit.network_none": {"nl": "Geen van de geselecteerde aanbieders heeft zo'n verband.",
                           "en": "None of the selected providers has such a link."},
}

TEXTS = Catalog("audit", COMMON, NETWORK, ENTRIES)
text = TEXTS.text
own_key = TEXTS.own_key
