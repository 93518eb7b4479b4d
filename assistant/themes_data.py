"""The strategy's ten themes: titles in Danish and English, descriptions and
keywords (written from the strategy text as the shipped documents give it)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    number: int
    title_da: str
    title_en: str
    description_da: str
    description_en: str
    keywords_da: tuple[str, ...]      # words whose stems signal the theme's subject
    keywords_en: tuple[str, ...]
    names_da: tuple[str, ...]         # short names: "temaet om <name>", "<name>temaet"
    names_en: tuple[str, ...]         # "the <name> theme", "theme on <name>"


THEMES: tuple[Theme, ...] = (
    Theme(1, "Fokuseret fællesoffentligt samarbejde om digitalisering",
          "Focused joint public-sector cooperation on digitalisation",
          "Samarbejdet mellem staten, regionerne og kommunerne om digitalisering. Staten skal "
          "koncentrere sig om den grundlæggende digitale infrastruktur og sikre tilstrækkelig "
          "mobil- og bredbåndsdækning i hele landet og stille krav til teleselskabernes "
          "dækning. Videreudvikling af den fælles offentlige infrastruktur som NemID og "
          "Digital Post.",
          "Cooperation between the state, the regions and the municipalities on "
          "digitalisation. The state should concentrate on the basic digital infrastructure "
          "and secure sufficient mobile and broadband coverage across the country. Further "
          "development of the common public infrastructure such as NemID and Digital Post.",
          ("fællesoffentlig", "bredbånd", "bredbåndsdækning", "mobildækning", "dækning",
           "teleselskab", "nemid", "infrastruktur", "staten", "regionerne"),
          ("broadband", "coverage", "telecom", "nemid", "infrastructure", "state", "regions"),
          ("fællesoffentligt samarbejde", "samarbejde", "fællesoffentligt", "infrastruktur",
           "bredbånd"),
          ("cooperation", "collaboration", "joint public", "public-sector cooperation",
           "infrastructure", "broadband")),
    Theme(2, "Borgerbetjening 3.0", "Citizen service 3.0",
          "Den digitale borgerservice og selvbetjening. Brugervenlige, tidssvarende og "
          "tilgængelige digitale løsninger, hvor front-office og back-office hænger sammen. "
          "Virtuelle kontaktcentre og digital service der, hvor borgerne er på nettet.",
          "Digital citizen service and self-service. User-friendly, up-to-date and "
          "accessible digital solutions where front office and back office fit together. "
          "Virtual contact centres and digital service where citizens are online.",
          ("borgerbetjening", "borgerservice", "selvbetjening", "selvbetjeningsløsning",
           "brugervenlig", "brugervenlighed", "kontaktcenter", "kontaktcentre",
           "front-office", "back-office"),
          ("self-service", "citizen service", "user-friendly", "usability", "contact centre",
           "contact center", "front office"),
          ("borgerbetjening", "borgerservice", "selvbetjening", "betjening"),
          ("citizen service", "self-service", "service")),
    Theme(3, "Offentlige data skal skabe effektivitet og merværdi",
          "Public data should create efficiency and added value",
          "Data er digitaliseringens råstof. Deling og genbrug af data mellem myndigheder, "
          "udtræk af ny viden og ledelsesinformation, og åbne offentlige data stillet til "
          "rådighed for erhvervsliv, forskere og borgere.",
          "Data is the raw material of digitalisation. Sharing and reuse of data between "
          "authorities, extracting new knowledge and management information, and open public "
          "data made available to businesses, researchers and citizens.",
          ("data", "datadeling", "deling", "merværdi", "grunddata", "dataopsamling",
           "råstof", "udtræk", "open data"),
          ("data", "open data", "data sharing", "added value", "reuse"),
          ("data", "offentlige data", "åbne data", "datadeling"),
          ("data", "public data", "open data", "data sharing")),
    Theme(4, "Sikkerhed og tilgængelighed skal gå hånd i hånd",
          "Security and accessibility must go hand in hand",
          "Tryghed for borgerne om håndtering af personoplysninger og bedre datasikkerhed. "
          "It-sikkerhed og informationssikkerhed i den offentlige sektor, et højere "
          "sikkerhedsniveau og medarbejdernes opmærksomhed, så utilsigtede hændelser "
          "begrænses. Borgerne skal kunne se egne data og følge egen sag. Standarder som "
          "ISO 27001.",
          "Citizens' trust in how personal information is handled and better data security. "
          "IT and information security in the public sector, a higher security level and staff "
          "awareness to limit incidents. Citizens can see their own data and follow their own "
          "case. Standards such as ISO 27001.",
          ("sikkerhed", "datasikkerhed", "it-sikkerhed", "informationssikkerhed",
           "sikkerhedsniveau", "persondata", "personoplysninger", "tryghed", "iso",
           "27.001", "27001", "hændelser"),
          ("security", "data protection", "privacy", "personal data", "iso", "27001",
           "incident"),
          ("sikkerhed", "it-sikkerhed", "datasikkerhed", "informationssikkerhed",
           "tilgængelighed", "sikkerhed og tilgængelighed"),
          ("security", "it security", "data security", "information security", "privacy",
           "accessibility", "security and accessibility")),
    Theme(5, "Kommunernes rammearkitektur – fælles strategiske spilleregler",
          "The municipalities' framework architecture – common strategic rules of the game",
          "Den fælleskommunale rammearkitektur: it-løsninger skal hænge sammen på tværs, og "
          "data skal genbruges. Fælles it-arkitekturstyring gennem mål, organisering og "
          "kompetencer, fælles standarder og snitflader, og arbejdsdelingen om arkitektur "
          "mellem det fælles og den enkelte kommune.",
          "The joint-municipal framework architecture: IT solutions must work together across "
          "systems and data must be reused. Common IT architecture governance through goals, "
          "organisation and skills, common standards and interfaces.",
          ("rammearkitektur", "arkitektur", "it-arkitektur", "arkitekturstyring",
           "spilleregler", "snitflader", "standarder"),
          ("architecture", "framework architecture", "interoperability", "standards",
           "interfaces"),
          ("rammearkitektur", "arkitektur", "it-arkitektur", "spilleregler"),
          ("architecture", "framework architecture", "it architecture", "enterprise architecture")),
    Theme(6, "Smart digital beskæftigelsesindsats", "Smart digital employment services",
          "Den digitale beskæftigelsesindsats: den ledige kan tilrettelægge sit eget forløb "
          "sammen med jobcentret, og virksomheder kan finde den arbejdskraft, de har brug "
          "for, med digitale løsninger. Færre registreringskrav på arbejdsmarkedsområdet.",
          "Digital employment services: the unemployed plan their own course together with the "
          "job centre, and businesses find the labour they need through digital solutions. "
          "Fewer registration requirements in the employment area.",
          ("beskæftigelse", "beskæftigelsesindsats", "ledig", "ledige", "jobcenter",
           "jobcentret", "arbejdskraft", "arbejdsmarked", "registreringskrav"),
          ("employment", "unemployed", "job centre", "job center", "jobseeker", "labour",
           "labor market"),
          ("beskæftigelse", "beskæftigelsesindsats", "beskæftigelsesindsatsen", "jobcenter",
           "arbejdsmarked"),
          ("employment", "jobs", "job centre", "unemployment", "labour market")),
    Theme(7, "Borgerne skal videst muligt mestre eget liv",
          "Citizens should master their own lives as far as possible",
          "Velfærdsteknologi på social- og sundhedsområdet, så borgerne bliver mest muligt "
          "selvhjulpne med velfærdsteknologier og mobile løsninger. Digital "
          "sagsunderstøttelse, indsatser baseret på viden om effekt, telemedicin, "
          "rehabilitering, fremskudte indsatser og samarbejde med regionerne og de "
          "praktiserende læger.",
          "Welfare technology in social care and health, so citizens become as self-reliant as "
          "possible with welfare technologies and mobile solutions. Digital case support, "
          "evidence of effect, telemedicine, rehabilitation and cooperation with the regions "
          "and general practitioners.",
          ("velfærdsteknologi", "velfærdsteknologier", "sundhed", "sundhedsområdet",
           "telemedicin", "rehabilitering", "selvhjulpne", "ældre", "hjemmepleje", "handicap",
           "hjemløse", "læger", "socialområdet"),
          ("welfare technology", "health", "telemedicine", "telehealth", "rehabilitation",
           "elderly", "care", "self-reliant"),
          ("velfærdsteknologi", "velfærd", "sundhed", "mestre eget liv", "eget liv"),
          ("welfare technology", "welfare", "health", "own life", "own lives")),
    Theme(8, "Digital sammenhæng for børn og unge",
          "Digital coherence for children and young people",
          "Sammenhæng i børn og unges læring gennem digitale læremidler og digital "
          "understøttelse af samarbejdet mellem lærere, elever og forældre, på tværs af "
          "dagtilbud, folkeskole og fritidstilbud og i overgangen til ungdomsuddannelse "
          "(brugerportalsinitiativet).",
          "Coherent learning for children and young people through digital learning materials "
          "and digital support for cooperation between teachers, pupils and parents, across "
          "day care, school and leisure, and into upper secondary education.",
          ("børn", "unge", "læring", "læremidler", "lærere", "elever", "forældre",
           "dagtilbud", "folkeskole", "folkeskolen", "skole", "ungdomsuddannelse",
           "brugerportal", "brugerportalsinitiativet"),
          ("children", "young people", "school", "pupils", "teachers", "parents", "learning",
           "day care", "education"),
          ("børn og unge", "børn", "unge", "skole", "dagtilbud", "læring"),
          ("children", "young people", "children and young people", "school", "schools",
           "education", "learning")),
    Theme(9, "Teknologi giver bedre fysiske rammer og bæredygtig vækst",
          "Technology gives better physical surroundings and sustainable growth",
          "Gode fysiske rammer og vækstvilkår for borgere og virksomheder ved anvendelse af "
          "offentlige data og ny teknologi: smart city og Internet of Things, affald, "
          "forsyning og ressourceforbrug, bæredygtig adfærd og vækst.",
          "Good physical surroundings and conditions for growth for citizens and businesses "
          "using public data and new technology: smart city and the Internet of Things, waste, "
          "utilities and resource use, sustainable behaviour and growth.",
          ("vækst", "vækstvilkår", "bæredygtig", "bæredygtighed", "fysiske rammer", "smart city",
           "internet of things", "affald", "affaldsområdet", "forsyning", "fjernvarme",
           "ressourceforbrug", "klima", "miljø"),
          ("growth", "sustainable", "sustainability", "smart city", "internet of things", "iot",
           "waste", "utilities", "environment", "climate"),
          ("vækst", "bæredygtig vækst", "bæredygtighed", "fysiske rammer", "smart city",
           "teknologi"),
          ("growth", "sustainable growth", "sustainability", "smart city", "physical "
           "surroundings", "technology")),
    Theme(10, "Effektiv styring og administration", "Efficient management and administration",
          "Digitalisering skal give en mere effektiv og innovativ opgavevaretagelse og bedre "
          "udnyttelse af de offentlige ressourcer i administrationen: hurtigere og rigtige "
          "afgørelser via sammenhængende it-systemer, korrekte udbetalinger og kontrol med "
          "sociale ydelser, udnyttelse af ejendomsporteføljen, intelligent ledelsesinformation "
          "og professionel it-drift via fælles drift, indkøb og udbud.",
          "Digitalisation should make task handling more efficient and innovative and use public "
          "resources better in administration: faster and correct decisions through connected "
          "IT systems, correct payments and control of social benefits, better use of "
          "property, intelligent management information and professional IT operations through "
          "shared operations, procurement and tenders.",
          ("administration", "styring", "it-drift", "drift", "udbetalinger", "ydelser",
           "ejendomsportefølje", "ledelsesinformation", "indkøb", "udbud", "business cases",
           "effektiviseringsgevinster", "kombit"),
          ("administration", "management", "it operations", "payments", "benefits",
           "procurement", "tender", "property"),
          ("styring", "administration", "effektiv styring", "styring og administration",
           "effektiv administration"),
          ("management", "administration", "efficient administration", "management and "
           "administration")),
)

BY_NUMBER: dict[int, Theme] = {t.number: t for t in THEMES}


def theme_label(n: int, lang: str = "da", *, numbered: bool = True) -> str:
    """"Tema 4: Sikkerhed og tilgængelighed skal gå hånd i hånd" (``lang`` "da")
    or "Theme 4: Security and accessibility must go hand in hand" ("en")."""
    theme = BY_NUMBER[n]
    title = theme.title_en if lang == "en" else theme.title_da
    if not numbered:
        return title
    return f"{'Theme' if lang == 'en' else 'Tema'} {n}: {title}"


# --------------------------------------------------------------------------
# Matching titles and stems
# --------------------------------------------------------------------------
