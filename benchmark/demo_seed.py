"""The real budget-measure rows of seed 004 ("Status tiltak - budsjett 2024", per March 2024).

Transcribed from the trust's monthly status report to the board, division by division, exactly as
the sheets state them: department (Område/avdeling), description (Beskrivelse), progress
(Fremdrift, blank where the sheet is blank), planned FTE reduction (negative = more FTE), start
(Innslagstidspunkt, a date or text such as "andre halvår"), yearly effect in kNOK (Virkning 2024)
and risk (Risikovurdering). Section rows give ``kind``. The demo trust replays these rows month by
month through 2024 with realised effects.

Where the Gjøvik-Lillehammer table lost its descriptions in the text extraction, the descriptions
listed under the table in the seed are used in order; this is stated so nobody mistakes it for
the original sheet.
"""

from __future__ import annotations

# (division, kind, department, description, progress, fte_reduction, start, effect_kNOK, risk)
Row = tuple[str, str, str, str, str, float | None, str, float, str]

EH = "Elverum-Hamar"
GL = "Gjøvik-Lillehammer"
TY = "Tynset"
PH = "Prehospitale tjenester"
MS = "Medisinsk service"
HR = "Habilitering og rehabilitering"
EI = "Eiendom og internservice"
J1 = "01.01.2024"

SEED_2024: list[Row] = [
    # Divisjon Elverum-Hamar — Sum inntektsøkende 23 200, kostnadsreduserende 58 559, sum 81 759, 28,0 årsverk
    (EH, "income", "Kirurgisk avdeling Hamar", "Endret pasientmiks/økt DRG og poliklinikk", "Pågår", None, J1, 2700, "Høy"),
    (EH, "income", "Ombygging Kir H skiftestue", "Økt aktivitet urologi", "Pågår", -0.8, J1, 1600, "Lav"),
    (EH, "income", "Øye avdeling Lillehammer", "Økt aktivitet AMD - ny OCT", "Forsinket", None, J1, 1500, "Lav"),
    (EH, "income", "Øye avdeling Elverum", "Økt aktivitet AMD og poliklinikk", "Pågår", -0.6, J1, 1400, "Lav"),
    (EH, "income", "Indremedisin Hamar", "Økt aktivitet poliklinikk - KEF", "Pågår", -1.0, J1, 500, "Lav"),
    (EH, "income", "Indremedisin Elverum", "Økt aktivitet poliklinikk lunge og hematologi", "Pågår", -0.6, J1, 300, "Lav"),
    (EH, "income", "Ortopedisk avdeling", "Økt antall operasjoner fredager", "Pågår", None, J1, 800, "Lav"),
    (EH, "income", "Kirurgisk avdeling Hamar", "Screening aorta", "Forsinket", -2.0, J1, 400, "Lav"),
    (EH, "income", "Flere avdelinger", "Økt inntekt fra aktivitet, befolkningsvekst 0,8%", "Pågår", None, J1, 14000, "Høy"),
    (EH, "cost", "Akuttmedisinsk avdeling EH", "Reduksjon i bruk av legevikarer fra byrå", "Pågår", None, J1, 5000, "Middels"),
    (EH, "cost", "Akuttmedisinsk avdeling EH", "Reduksjon i bruk av legevikarer fra byrå", "Pågår", None, J1, 5000, "Høy"),
    (EH, "cost", "Øye avdeling", "Redusert antall fristbrudd", "Pågår", None, J1, 6000, "Lav"),
    (EH, "cost", "Øye avd og indremedisisnke avdelinger", "Patentfall medikamemter", "Ikke startet", None, J1, 1000, "Lav"),
    (EH, "cost", "Øye avdeling", "Bedret logistikk og redusert svinn AMD medikamenter", "", None, J1, 2000, "Middels"),
    (EH, "cost", "Øye avdeling", "Økt andel Avastin - medikament AMD behandling", "", None, J1, 4000, "Middels"),
    (EH, "cost", "Flere avdelinger", "Reduksjon forskyvning og utrykning på vakt", "", None, J1, 3300, "Middels"),
    (EH, "cost", "Flere avdelinger", "Reduksjon forskyvning og utrykning på vakt", "", None, J1, 5700, "Høy"),
    (EH, "cost", "Flere avdelinger", "Reduksjon uforutsette vakter", "Pågår", 2.0, J1, 3959, "Middels"),
    (EH, "cost", "Flere avdelinger", "Reduksjon annen variabel lønn", "Pågår", None, J1, 4000, "Høy"),
    (EH, "cost", "Flere avdelinger", "Reduksjon sykefravær 0,5%", "Pågår", 7.0, J1, 4400, "Høy"),
    (EH, "cost", "Flere avdelinger", "Reduksjons turnover 1%", "Pågår", 14.0, J1, 8500, "Høy"),
    (EH, "cost", "Flere avdelinger", "Reduksjon - økt fokus fra ressursrådgivere", "Pågår", 6.0, J1, 3000, "Høy"),
    (EH, "cost", "Flere avdelinger", "Reduksjon innleie i forhold til aktivitet", "Pågår", 4.0, J1, 2700, "Høy"),
    # Divisjon Gjøvik-Lillehammer — Sum inntektsøkende 41 890
    (GL, "income", "Flere avdelinger", "Økt ISF-aktivitet/-inntekt", "Pågår", None, J1, 8800, "Lav"),
    (GL, "income", "Flere avdelinger", "Økt ISF-aktivitet/-inntekt", "Pågår", None, J1, 6000, "Middels"),
    (GL, "income", "Flere avdelinger", "Økt ISF-aktivitet/-inntekt", "Pågår", None, J1, 27090, "Høy"),
    (GL, "cost", "Flere avdelinger", "Halvere innleie fra vikarbyrå fra 2023", "Pågår", None, J1, 6000, "Lav"),
    (GL, "cost", "Flere avdelinger", "Redusere innleie fra vikarbyrå til null", "Pågår", None, J1, 9957, "Høy"),
    (GL, "cost", "Nevrologi", "Høykostmedisiner Nevrologi - bytte fra Tysabri til Tyruko", "Forsinket", None, J1, 1100, "Lav"),
    (GL, "cost", "Bildediagnostikk", "Redusere kjøp av tjenester fra Unilabs til 0", "Pågår", None, J1, 1500, "Høy"),
    (GL, "cost", "Flere avdelinger", "Fristbrudd reduseres til null i 2024", "Pågår", None, J1, 2600, "Middels"),
    (GL, "cost", "Flere avdelinger", "Redusere bruk av PCR hurtigtester", "Pågår", None, "01.05.2024", 2000, "Middels"),
    (GL, "cost", "Avdelingsledelse", "Reduksjon av drosje til Hadeland/Valdres med cytostatika", "Pågår", None, "01.06.2024", 50, "Middels"),
    (GL, "cost", "Flere avdelinger", "Reduksjon varekost - uspesifisert", "Ikke startet", None, J1, 7817, "Høy"),
    (GL, "cost", "Gyn-Føde", "Felles kontorleder på tvers av geografi", "Fullført", 1.0, J1, 889, "Lav"),
    (GL, "cost", "Gyn-Føde", "Redusere 0,5 årsverk stab", "Fullført", 0.5, J1, 567, "Middels"),
    (GL, "cost", "Gyn-Føde", "Felles avdelingssjef på tvers av geografi", "Fullført", 1.0, "01.06.2024", 679, "Lav"),
    (GL, "cost", "Kirugi GVK/ØNH", "Felles avdelingssjef ortopedi/ØNH", "Fullført", 0.7, "01.06.2024", 520, "Lav"),
    (GL, "cost", "Divisjonsledelse", "Midlertidig kompensasjon omstillingseffekter", "Fullført", -2.0, "01.06.2024", -1599, "Lav"),
    (GL, "cost", "Alle avdelinger", "Endret organisasjons- og ledelsesmodell, bedre samordning av ressursbruk på ledelse/stab/støttefunksjoner på tvers av geografi", "Pågår", 1.1, "01.06.2024", 2000, "Middels"),
    (GL, "cost", "Alle avdelinger", "Endret organisasjons- og ledelsesmodell, bedre samordning av ressursbruk på ledelse/stab/støttefunksjoner på tvers av geografi", "Pågår", 1.0, "01.06.2024", 1845, "Høy"),
    (GL, "cost", "Divisjonsledelse", "Red. lønnskostnad omstillingskandidater som går av med pensjon", "Fullført", 1.0, J1, 2350, "Høy"),
    (GL, "cost", "Bildediagnostikk", "Red. lønnskostnad omstillingskandidater som går av med pensjon", "Fullført", 0.8, "01.03.2024", 360, "Lav"),
    (GL, "cost", "Divisjonsledelse", "Økt fokus på kompetanseheving - utdanning av akuttsykepleiere", "Ikke startet", -0.7, J1, -570, "Lav"),
    (GL, "cost", "Kreft/strålen", "Redusert overtid/kveldspoliklinikk strålen pga. nytt doseplansystem", "Forsinket", 0.5, J1, 2000, "Høy"),
    (GL, "cost", "Flere avdelinger", "Reduksjon lønnskostnader - kalenderplan samt bruk av ekstravakt og forskyvning i stedet for overtid", "Pågår", 2.1, J1, 2500, "Lav"),
    (GL, "cost", "Flere avdelinger", "Reduksjon lønnskostnader - kalenderplan samt bruk av ekstravakt og forskyvning i stedet for overtid", "Pågår", 1.7, J1, 2000, "Middels"),
    (GL, "cost", "Flere avdelinger", "Reduksjon lønnskostnader - kalenderplan samt bruk av ekstravakt og forskyvning i stedet for overtid", "Pågår", 4.7, J1, 5500, "Høy"),
    (GL, "cost", "Flere avdelinger", "Implementering av talegjenkjenning", "Pågår", 1.0, J1, 1613, "Middels"),
    (GL, "cost", "Flere avdelinger", "Implementering av talegjenkjenning", "Pågår", 1.0, J1, 2737, "Høy"),
    (GL, "cost", "Flere avdelinger", "Feriebemanning, bl.a ekstra virkemidler", "Pågår", None, J1, 3000, "Høy"),
    (GL, "cost", "Flere avdelinger", "Redusert sykefravær", "Pågår", 2.1, J1, 2500, "Lav"),
    (GL, "cost", "Flere avdelinger", "Redusert sykefravær", "Pågår", 3.0, J1, 3500, "Høy"),
    (GL, "cost", "Flere avdelinger", "Reduksjon lønnskostnader - nødvendighet av innleie første vakt", "Pågår", 7.5, J1, 8750, "Høy"),
    (GL, "cost", "Divisjonsledelse", "Rådgiver går ned til 60% stilling fra 01.09. - erstattes ikke", "Pågår", 0.4, "01.09.2024", 181, "Lav"),
    (GL, "cost", "Flere avdelinger", "Redusert turnover", "Pågår", 2.0, J1, 2500, "Middels"),
    (GL, "cost", "Flere avdelinger", "Redusert turnover", "Pågår", 2.0, "01.05.2024", 2500, "Høy"),
    (GL, "cost", "Indremedisin", "Endring i bemanningsplan", "Ikke startet", None, "01.09.2024", 1000, "Middels"),
    (GL, "cost", "Flere avdelinger", "Reduksjon lønnskostnader - uspesifisert", "Pågår", 0.8, J1, 2504, "Høy"),
    (GL, "cost", "Divisjons.ledelse/HLMS", "Oppsigelse leieavtale  autoklave ved Hadeland spesialistsenter", "Pågår", None, "01.08.2024", 79, "Lav"),
    (GL, "cost", "Flere avdelinger", "Reduksjon andre driftskostnader - uspesifisert", "Pågår", None, J1, 1921, "Middels"),
    (GL, "cost", "Flere avdelinger", "Reduksjon andre driftskostnader - uspesifisert", "Pågår", None, J1, 3515, "Høy"),
    # Divisjon Tynset — 1 520 + 2 100 = 3 620
    (TY, "income", "Kirurgisk avdeling Tynset", "Reforhandle avtaler med kommunene om jordmortjeneste", "Ikke startet", None, J1, 200, "Middels"),
    (TY, "income", "Kirurgisk avdeling Tynset", "Økning operasjoner kirurgiske fag for elektive pasienter", "Pågår", None, J1, 1320, "Middels"),
    (TY, "cost", "Overvåkningsenhet", "Bedre styring av personellressurser", "Pågår", None, J1, 2100, "Middels"),
    # Divisjon Prehospitale tjenester — 19 200, 14,5 årsverk
    (PH, "cost", "Divisjon", "Redusere variabel lønn", "Pågår", 4.5, J1, 5000, "Høy"),
    (PH, "cost", "Divisjon", "Redusere variabel lønn", "Pågår", 3.0, J1, 3200, "Middels"),
    (PH, "cost", "Divisjon", "Redusere variabel lønn", "Pågår", 1.0, J1, 1000, "Lav"),
    (PH, "cost", "Ambulanse/AMK", "Begrense aktivitet", "Pågår", 0.5, J1, 2600, "Middels"),
    (PH, "cost", "Pasientreiser/AMK", "Rett transport til rett pasient - etablering av seksjon for planlagt tilrettelagt transport", "Pågår", 1.0, J1, 1000, "Middels"),
    (PH, "cost", "Ambulanse", "Felles turnus Trysil/Drevsjø med mål om lettere tilgang til personell og mindre overtid", "Pågår", 1.0, "andre halvår", 1200, "Middels"),
    (PH, "cost", "Ambulanse", "Ta ned en ressurs på to bilstasjon med lav aktivitet", "Ikke startet", 3.5, "senere i året", 4200, "Lav"),
    (PH, "cost", "Ambulanse/AMK", "Redusere behov for bruk av FORF", "Pågår", None, J1, 1000, "Høy"),
    # Divisjon Medisinsk service — 1 000
    (MS, "income", "Avd. blodbank og med.biokjemi", "Nettoeffekt økt aktivitet utover inngangsfart. Inntekter fra HELFO", "Pågår", None, J1, 1000, "Middels"),
    # Divisjon Habilitering og rehabilitering — 300
    (HR, "cost", "Flere avdelinger", "Mange mindre reduserte utgifter", "Pågår", None, J1, 300, "Lav"),
    # Divisjon Eiendom og internservice — 3 000 + 1 000 = 4 000
    (EI, "income", "Divisjon", "Øke resultatene i kantine, tilbake til nivå før pandemi", "Pågår", None, J1, 2000, "Middels"),
    (EI, "income", "Divisjon", "Øke inntekter til parkering. tilbake til nivå før pandemi.", "Pågår", None, J1, 1000, "Middels"),
    (EI, "cost", "Divisjon", "Konvolutteringsmaskin, redusert portokostnad", "Pågår", 0.0, J1, 1000, "Lav"),
]

# Remaining challenge (restutfordring) for budget 2024 and results accumulated per March 2024,
# from the seed's text (kNOK). Divisions without a stated challenge have 0.
CHALLENGE_2024 = {EH: 50_000, GL: 90_000}
RESULT_MARCH_2024 = {EH: -24_000, GL: -34_000, TY: -700, PH: -8_000, "Psykisk helsevern": 1_200,
                     MS: 500, HR: -600, EI: -1_500}
