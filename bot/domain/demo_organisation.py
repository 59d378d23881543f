"""The demo organisation: a bilingual company across Paris, Lyon, Montréal and Singapore.

Pure data, so that the demo, the screenshots and the tests all meet the same people. The
management tree lists every manager before their reports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

ORGANISATION_NAME = "Tandem Démo"
EMAIL_DOMAIN = "tandem-demo.example"
CONSOLE_TENANT = "demo"

TIME_ZONES = {
    "Paris": "Europe/Paris",
    "Lyon": "Europe/Paris",
    "Montréal": "America/Montreal",
    "Singapour": "Asia/Singapore",
}


def email_for(first_name: str, last_name: str) -> str:
    def part(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z-]", "", ascii_text.lower())

    return f"{part(first_name)}.{part(last_name)}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    title: str
    department: str
    manager: str | None  # the manager's email
    stage: str  # a career stage key of the default ladder
    location: str
    locale: str
    other_languages: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return email_for(self.first_name, self.last_name)

    @property
    def timezone(self) -> str:
        return TIME_ZONES[self.location]

    @property
    def languages(self) -> list[str]:
        return [self.locale, *(lang for lang in self.other_languages if lang != self.locale)]


# first name | last name | title | department | manager (first name) | stage | location |
# locale and other spoken languages. First names are unique here, so they name managers.
PEOPLE_TABLE = """
Catherine|Lefèvre|Présidente-directrice générale|Direction générale|-|executive|Paris|fr en
Nathalie|Girard|Directrice des ressources humaines|RH|Catherine|director|Paris|fr en
Philippe|Moreau|Directeur marketing|Marketing|Catherine|director|Paris|fr en
Jean-François|Tremblay|Directeur des ventes|Ventes|Catherine|director|Montréal|fr en
Wei Ling|Tan|Chief Financial Officer|Finance|Catherine|director|Singapour|en zh
Marc-André|Gagnon|Directeur des systèmes d'information|IT|Catherine|director|Montréal|fr en
Isabelle|Roux|Directrice des opérations|Opérations|Catherine|director|Lyon|fr
Amélie|Fournier|Cheffe de cabinet|Direction générale|Catherine|senior|Paris|fr en
Claire|Dupont|Responsable développement des talents|RH|Nathalie|manager|Paris|fr en
Sophie|Bernard|Responsable communication digitale|Marketing|Philippe|manager|Paris|fr en
Geneviève|Côté|Directrice de comptes principale|Ventes|Jean-François|manager|Montréal|fr en
Kelvin|Lim|Sales Manager APAC|Ventes|Jean-François|manager|Singapour|en zh
Laurent|Dubois|Contrôleur de gestion principal|Finance|Wei Ling|manager|Paris|fr en
Mélanie|Bouchard|Gestionnaire des applications|IT|Marc-André|manager|Montréal|fr en
Nur Aisyah|Osman|IT Infrastructure Manager|IT|Marc-André|manager|Singapour|en ms
Thierry|Fontaine|Responsable logistique|Opérations|Isabelle|manager|Lyon|fr
Léa|Martin|Chargée de communication digitale|Marketing|Sophie|junior|Paris|fr en
Hugo|Petit|Alternant community manager|Marketing|Sophie|apprentice|Paris|fr en
Camille|Laurent|Cheffe de projet marketing|Marketing|Sophie|confirmed|Paris|fr en
Zoé|Gauthier|Coordonnatrice marketing|Marketing|Sophie|junior|Montréal|en fr
Émilie|Roy|Content strategist|Marketing|Sophie|confirmed|Montréal|en fr
Olivier|Pelletier|Directeur de comptes|Ventes|Geneviève|senior|Montréal|fr en
Justine|Lavoie|Représentante aux ventes|Ventes|Geneviève|junior|Montréal|fr en
Samuel|Bélanger|Stagiaire aux ventes|Ventes|Geneviève|apprentice|Montréal|fr en
Jia Hui|Lee|Sales Analyst|Ventes|Kelvin|junior|Singapour|en zh
Darren|Ong|Account Executive|Ventes|Kelvin|confirmed|Singapour|en zh
Antoine|Mercier|Contrôleur financier|Finance|Laurent|senior|Paris|fr en
Inès|Benali|Analyste financière|Finance|Laurent|junior|Paris|fr en
Mei Ling|Goh|Financial Analyst|Finance|Wei Ling|confirmed|Singapour|en zh
Maxime|Caron|Développeur|IT|Mélanie|junior|Montréal|fr en
Félix|Morin|Stagiaire en développement|IT|Mélanie|apprentice|Montréal|fr en
Thomas|Garnier|Architecte logiciel|IT|Mélanie|senior|Paris|fr en
Arjun|Pillai|Data Engineer|IT|Nur Aisyah|junior|Singapour|en ta
Hannah|Teo|Cloud Engineer|IT|Nur Aisyah|confirmed|Singapour|en zh
Julien|Faure|Responsable qualité|Opérations|Thierry|senior|Lyon|fr en
Manon|Chevalier|Planificatrice|Opérations|Thierry|junior|Lyon|fr en
Lucas|Blanc|Alternant supply chain|Opérations|Thierry|apprentice|Lyon|fr
Chloé|Gingras|Analyste des opérations|Opérations|Isabelle|confirmed|Montréal|fr en
Sarah|Haddad|Chargée de recrutement|RH|Claire|junior|Paris|fr en
Yasmine|Ouellet|Conseillère en ressources humaines|RH|Nathalie|confirmed|Montréal|fr en
"""


def _people(table: str) -> tuple[DemoPerson, ...]:
    rows = [line.split("|") for line in table.strip().splitlines()]
    email_of = {first: email_for(first, last) for first, last, *_ in rows}
    return tuple(
        DemoPerson(
            first_name=first,
            last_name=last,
            title=title,
            department=department,
            manager=None if manager == "-" else email_of[manager],
            stage=stage,
            location=location,
            locale=languages.split()[0],
            other_languages=tuple(languages.split()[1:]),
        )
        for first, last, title, department, manager, stage, location, languages in rows
    )


PEOPLE = _people(PEOPLE_TABLE)


ADMIN_EMAIL = email_for("Nathalie", "Girard")
_m = email_for


@dataclass(frozen=True)
class DemoProgram:
    slug: str
    name: str
    timezone: str
    starts_on: date
    ends_on: date
    enrollment_closes_on: date
    cadence: str
    session_minutes: int
    rules: dict[str, object]


def demo_program(today: date) -> DemoProgram:
    """The demo's program, dated from ``today`` so that the demo is always a living program:
    enrollment open for three more weeks, sessions from the Monday six weeks out, six months.
    """
    starts_on = today + timedelta(days=42 - today.weekday())
    return DemoProgram(
        slug="mentorat-inverse",
        name=f"Mentorat inversé {starts_on.year}",
        timezone="Europe/Paris",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=26) - timedelta(days=3),
        enrollment_closes_on=starts_on - timedelta(weeks=3),
        cadence="biweekly",
        session_minutes=45,
        rules={
            "eligibility": {
                "mentor": ["apprentice", "junior", "confirmed"],
                "mentee": ["senior", "manager", "director", "executive"],
            },
            "cross_department": True,
            "reverse_career_order": True,
        },
    )


PROGRAM_SLUG = "mentorat-inverse"


CHARTER = {
    "fr": """Charte du mentorat inversé

Dans ce programme, une personne plus jeune dans sa carrière partage ses compétences \
numériques avec un·e dirigeant·e, qui partage en retour son expérience. Pour que cela \
fonctionne, chacun·e s'engage à :

1. La confiance. Nous nous parlons franchement et nous tenons ce que nous promettons.
2. La confidentialité. Ce qui se dit en séance reste entre nous. Rien ne remonte à la \
hiérarchie, ni à l'évaluation annuelle.
3. Le non-jugement. Il n'y a pas de question bête. Chacun·e peut avouer ne pas savoir.
4. L'engagement. Une séance de 45 minutes toutes les deux semaines pendant six mois ; \
si un empêchement survient, on prévient et on reprogramme.
5. La réciprocité. On apprend dans les deux sens : le ou la mentor·e aussi repart avec \
quelque chose.""",
    "en": """Reverse mentoring charter

In this programme, someone earlier in their career shares digital skills with a leader, \
who shares their experience in return. To make it work, each of us commits to:

1. Trust. We speak frankly and keep our promises.
2. Confidentiality. What is said in a session stays between us. Nothing goes up the \
management line or into the annual review.
3. No judgement. There are no silly questions. Anyone may say they do not know.
4. Commitment. One 45-minute session every two weeks for six months; if something comes \
up, we say so and reschedule.
5. Reciprocity. Learning runs both ways: the mentor takes something away too.""",
}

PRIVACY = {
    "fr": """Notice d'information sur vos données

Tandem utilise vos nom, adresse électronique, poste, service, manager, niveau de carrière, \
fuseau horaire et langues (issus du SIRH), ainsi que ce que vous indiquez à l'inscription, \
pour former les binômes, planifier les séances et mesurer les résultats du programme.
Les réponses aux questionnaires sont vues par l'équipe RH du programme sous forme agrégée ; \
vos commentaires ne sont jamais montrés à votre binôme ni à votre manager.
Les données sont conservées pendant le programme puis un an. Vous pouvez demander l'accès, \
la rectification ou l'effacement de vos données auprès de l'équipe RH ou du DPO \
(dpo@tandem-demo.example).""",
    "en": """Privacy notice

Tandem uses your name, email address, job title, department, manager, career stage, \
time zone and languages (from the HR system), and what you tell it when you enrol, to form \
pairs, schedule sessions and measure the programme's results.
Survey answers are seen by the programme's HR team in aggregate; your comments are never \
shown to your partner or your manager.
Data is kept for the programme and one year after. You may ask for access, correction or \
erasure of your data from the HR team or the DPO (dpo@tandem-demo.example).""",
}


@dataclass(frozen=True)
class DemoEnrollment:
    email: str
    role: str  # mentor | mentee | both
    skills_offered: tuple[tuple[str, int], ...] = ()  # (skill key, proficiency 1–5)
    skills_wanted: tuple[tuple[str, int], ...] = ()  # (skill key, current level 1–5)
    offers_back: tuple[str, ...] = ()
    goals: str | None = None
    motivation: str | None = None
    # (weekday 0 = Monday, "HH:MM", "HH:MM") in the person's own time zone
    windows: tuple[tuple[int, str, str], ...] = ()
    format: str = "remote"
    capacity: int = 1


E = DemoEnrollment
ENROLLMENTS: tuple[DemoEnrollment, ...] = (
    E(
        _m("Léa", "Martin"),
        "mentor",
        (("social_media", 5), ("e_reputation", 4), ("social_ads", 4)),
        motivation="Montrer que les réseaux sociaux sont un vrai levier pour la marque.",
        windows=((1, "12:00", "14:00"), (3, "17:00", "18:30")),
        format="either",
    ),
    E(
        _m("Hugo", "Petit"),
        "mentor",
        (("generative_ai", 5), ("design_thinking", 3)),
        motivation="J'utilise l'IA générative tous les jours : j'aimerais en faire profiter.",
        windows=((0, "10:00", "12:00"), (4, "14:00", "16:00")),
    ),
    E(
        _m("Maxime", "Caron"),
        "mentor",
        (("collaboration_tools", 5), ("remote_work", 4), ("generative_ai", 4)),
        motivation="Aider nos leaders à mieux travailler avec des équipes réparties.",
        windows=((0, "08:30", "10:30"), (2, "08:30", "10:30")),
    ),
    E(
        _m("Jia Hui", "Lee"),
        "mentor",
        (("web_analytics", 5), ("data_analysis", 4)),
        motivation="I want to help leaders read dashboards with confidence.",
        windows=((1, "15:00", "17:30"), (3, "15:00", "17:30")),
    ),
    E(
        _m("Arjun", "Pillai"),
        "mentor",
        (("generative_ai", 5), ("data_analysis", 4)),
        motivation="Sharing what I know about AI tools and learning how decisions are made.",
        windows=((2, "16:00", "18:00"),),
    ),
    E(
        _m("Justine", "Lavoie"),
        "mentor",
        (("younger_generations", 5), ("sustainability", 4), ("social_media", 4)),
        motivation="Faire entendre ce que ma génération attend d'un employeur.",
        windows=((1, "09:00", "11:00"), (3, "09:00", "11:00")),
        capacity=2,
    ),
    E(
        _m("Inès", "Benali"),
        "mentor",
        (("seo", 4), ("marketing_automation", 4)),
        motivation="Le SEO n'est pas que technique : je veux le rendre concret.",
        windows=((2, "12:30", "14:00"),),
        format="in_person",
    ),
    E(
        _m("Philippe", "Moreau"),
        "mentee",
        skills_wanted=(("generative_ai", 1), ("data_analysis", 2)),
        offers_back=("strategy", "leadership"),
        goals="Préparer un comité de direction avec un assistant d'IA générative.",
        windows=((0, "11:00", "12:30"), (3, "16:00", "18:00")),
        format="either",
    ),
    E(
        _m("Wei Ling", "Tan"),
        "mentee",
        skills_wanted=(("collaboration_tools", 2), ("remote_work", 2)),
        offers_back=("career_advice", "network"),
        goals="Run my quarterly review with a fully remote team in three countries.",
        windows=((1, "17:00", "19:00"), (3, "17:00", "19:00")),
    ),
    E(
        _m("Jean-François", "Tremblay"),
        "mentee",
        skills_wanted=(("social_media", 1), ("e_reputation", 1)),
        offers_back=("network", "leadership"),
        goals="Publier chaque mois sur LinkedIn et suivre l'image de nos produits en ligne.",
        windows=((0, "09:00", "11:00"), (2, "09:00", "11:00")),
    ),
    E(
        _m("Isabelle", "Roux"),
        "mentee",
        skills_wanted=(("data_analysis", 2), ("web_analytics", 1)),
        offers_back=("strategy",),
        goals="Construire moi-même le tableau de bord hebdomadaire des opérations.",
        windows=((1, "10:00", "12:00"), (2, "12:30", "14:00")),
        format="in_person",
    ),
    E(
        _m("Catherine", "Lefèvre"),
        "mentee",
        skills_wanted=(("younger_generations", 2), ("sustainability", 2)),
        offers_back=("leadership", "strategy", "career_advice"),
        goals="Comprendre ce que nos jeunes talents attendent de l'entreprise d'ici 2030.",
        windows=((1, "08:30", "09:30"), (3, "15:00", "16:00")),
    ),
    # The pair already under way (ACTIVE_PAIR): their hours meet on Paris afternoons,
    # Montréal mornings.
    E(
        _m("Zoé", "Gauthier"),
        "mentor",
        (("social_media", 5), ("younger_generations", 4)),
        motivation="Showing how my generation gets its news and talks online.",
        windows=((0, "08:30", "11:30"), (1, "08:30", "11:30"), (3, "08:30", "11:30")),
    ),
    E(
        _m("Laurent", "Dubois"),
        "mentee",
        skills_wanted=(("social_media", 1), ("younger_generations", 2)),
        offers_back=("career_advice", "strategy"),
        goals="Comprendre LinkedIn assez bien pour y présenter nos résultats financiers.",
        windows=((0, "14:30", "17:30"), (1, "14:30", "17:30"), (3, "14:30", "17:30")),
    ),
    E(
        _m("Thierry", "Fontaine"),
        "mentee",
        skills_wanted=(("generative_ai", 1),),
        offers_back=("career_advice",),
        goals="Automatiser la préparation des plannings hebdomadaires.",
        windows=((4, "10:00", "12:00"),),
    ),
)


# One pair already under way, so that a newcomer meets sessions at once: a junior mentor in
# Montréal who reads English and a Paris leader who reads French, both accepted (mentor,
# mentee), in different departments and management chains. Their first slot cards are
# queued when the demo is seeded.
ACTIVE_PAIR = (_m("Zoé", "Gauthier"), _m("Laurent", "Dubois"))
# Laurent's second mentor (Montréal, reads French; her hours meet his on Tuesday and
# Thursday afternoons in Paris): a leader with items from two pairs the same week gets one
# weekly digest instead of several nudges, and the demo shows it.
SECOND_PAIR = (_m("Justine", "Lavoie"), _m("Laurent", "Dubois"))
ACTIVE_PAIRS = (ACTIVE_PAIR, SECOND_PAIR)
