"""tips: seed the bilingual "try it this week" catalogue (two or three 15-minute actions
per skill of the taxonomy), and remember a pairing's "not for me" (``tips_declined_at``)

The rows are data, editable by admins (``admin tips``); the list is frozen here so that this
revision always inserts the same thing. Downgrading removes only the seeded rows.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# skill key, French, English: one concrete thing to try in about fifteen minutes.
TIPS: list[tuple[str, str, str]] = [
    (
        "social_media",
        (
            "Ouvrez LinkedIn et lisez les 10 premiers posts de votre fil. Notez celui qui "
            "vous a arrêté et pourquoi : l’accroche, l’image, le ton. Apportez-le à votre "
            "prochaine séance."
        ),
        (
            "Open LinkedIn and read the first 10 posts in your feed. Note the one that made "
            "you stop and why: the opening line, the picture, the tone. Bring it to your next "
            "session."
        ),
    ),
    (
        "social_media",
        (
            "Rédigez un post de 5 lignes sur une décision récente de votre équipe, sans le "
            "publier. Votre mentor le relira avec vous."
        ),
        (
            "Draft a five-line post about a recent decision in your team, without publishing "
            "it. Your mentor will go through it with you."
        ),
    ),
    (
        "social_media",
        (
            "Commentez avec une vraie phrase (pas un simple « bravo ») le post d’un "
            "collaborateur. Observez qui réagit dans la journée."
        ),
        (
            'Comment on a colleague\'s post with a real sentence (not just "well done"). Watch '
            "who reacts during the day."
        ),
    ),
    (
        "seo",
        (
            "Tapez dans Google les trois mots qu’un client utiliserait pour trouver votre "
            "activité. Notez où apparaît votre site et qui vous devance."
        ),
        (
            "Search Google for the three words a customer would use to find your business. "
            "Note where your site appears and who comes first."
        ),
    ),
    (
        "seo",
        (
            "Ouvrez une page de votre site et lisez son titre dans l’onglet du navigateur. "
            "Dit-il en moins de 60 caractères ce que la page offre ?"
        ),
        (
            "Open a page of your website and read its title in the browser tab. Does it say "
            "what the page offers in under 60 characters?"
        ),
    ),
    (
        "seo",
        (
            "Demandez à votre équipe web la page du site qui reçoit le plus de visites depuis "
            "Google, et demandez-vous pourquoi celle-là."
        ),
        (
            "Ask your web team which page of the site gets the most visits from Google, and "
            "ask yourself why that one."
        ),
    ),
    (
        "web_analytics",
        (
            "Demandez l’accès en lecture au tableau de bord d’audience du site et repérez un "
            "seul chiffre : les visites de la semaine dernière."
        ),
        (
            "Ask for read access to the website's audience dashboard and find one number "
            "only: last week's visits."
        ),
    ),
    (
        "web_analytics",
        (
            "Choisissez une page importante du site et trouvez d’où viennent ses visiteurs : "
            "recherche, réseaux sociaux, e-mail ou accès direct."
        ),
        (
            "Pick one important page of the site and find where its visitors come from: "
            "search, social media, email or direct."
        ),
    ),
    (
        "web_analytics",
        (
            "Écrivez la question que vous aimeriez poser aux données de votre site. Votre "
            "mentor vous montrera où chercher la réponse."
        ),
        (
            "Write down the question you would like to ask your website's data. Your mentor "
            "will show you where to look for the answer."
        ),
    ),
    (
        "social_ads",
        (
            "Ouvrez la bibliothèque publicitaire de Meta et regardez les publicités actives "
            "d’un concurrent. Notez leur format et leur message."
        ),
        (
            "Open Meta's Ad Library and look at a competitor's active ads. Note their format "
            "and their message."
        ),
    ),
    (
        "social_ads",
        (
            "Décrivez en trois lignes la personne que votre prochaine campagne devrait "
            "toucher : âge, métier, ce qui l’intéresse."
        ),
        (
            "Describe in three lines the person your next campaign should reach: age, job, "
            "what they care about."
        ),
    ),
    (
        "social_ads",
        (
            "Regardez les publicités qui s’affichent dans votre propre fil et demandez-vous "
            "pourquoi elles vous ciblent, vous."
        ),
        "Look at the ads in your own feed and ask yourself why they are targeting you.",
    ),
    (
        "e_reputation",
        (
            "Tapez le nom de votre entreprise dans un moteur de recherche et lisez les cinq "
            "premiers avis. Lequel mérite une réponse ?"
        ),
        (
            "Search for your company's name and read the first five reviews. Which one "
            "deserves an answer?"
        ),
    ),
    (
        "e_reputation",
        (
            "Créez une alerte Google sur le nom de votre entreprise ou de votre service, pour "
            "voir ce qui se dit cette semaine."
        ),
        (
            "Set up a Google Alert on the name of your company or your department, to see "
            "what is said this week."
        ),
    ),
    (
        "e_reputation",
        (
            "Relisez votre propre profil LinkedIn comme le ferait un candidat. Qu’apprend-il "
            "de vous en trente secondes ?"
        ),
        (
            "Read your own LinkedIn profile as a job candidate would. What do they learn "
            "about you in thirty seconds?"
        ),
    ),
    (
        "marketing_automation",
        (
            "Inscrivez-vous à la newsletter d’un concurrent et notez les e-mails reçus "
            "pendant la semaine : quand, combien, quel ton."
        ),
        (
            "Sign up for a competitor's newsletter and note the emails you receive during the "
            "week: when, how many, what tone."
        ),
    ),
    (
        "marketing_automation",
        (
            "Dessinez sur une feuille le parcours d’un nouveau client, du premier contact au "
            "premier achat. Où un message automatique aiderait-il ?"
        ),
        (
            "Sketch on paper a new customer's journey, from first contact to first purchase. "
            "Where would an automatic message help?"
        ),
    ),
    (
        "collaboration_tools",
        (
            "Remplacez un échange de mails de la semaine par un fil dans l’outil de "
            "discussion de l’équipe, et voyez qui répond."
        ),
        (
            "Replace one email thread this week with a thread in your team's chat tool, and "
            "see who answers."
        ),
    ),
    (
        "collaboration_tools",
        (
            "Ouvrez un document partagé et laissez un commentaire à un collègue au lieu "
            "d’envoyer vos remarques par mail."
        ),
        (
            "Open a shared document and leave a comment for a colleague instead of emailing "
            "your remarks."
        ),
    ),
    (
        "collaboration_tools",
        (
            "Épinglez dans le canal de votre équipe les trois liens que l’on vous demande le "
            "plus souvent."
        ),
        "Pin the three links people ask you for most often in your team's channel.",
    ),
    (
        "remote_work",
        (
            "Pour votre prochaine réunion à distance, envoyez l’ordre du jour la veille et "
            "commencez par deux minutes de nouvelles personnelles."
        ),
        (
            "For your next remote meeting, send the agenda the day before and start with two "
            "minutes of personal news."
        ),
    ),
    (
        "remote_work",
        (
            "Bloquez dans votre agenda deux heures sans réunion cette semaine et dites à "
            "votre équipe pourquoi."
        ),
        ("Block two hours without meetings in your calendar this week and tell your team why."),
    ),
    (
        "remote_work",
        (
            "Demandez à un collaborateur en télétravail ce qui lui fait perdre le plus de "
            "temps à distance. Écoutez sans proposer de solution."
        ),
        (
            "Ask a colleague who works remotely what wastes the most of their time. Listen "
            "without offering a fix."
        ),
    ),
    (
        "data_analysis",
        (
            "Prenez un tableau que vous recevez chaque mois et dites en une phrase ce qu’il "
            "montre. Si vous n’y arrivez pas, notez pourquoi."
        ),
        (
            "Take a spreadsheet you receive every month and say in one sentence what it "
            "shows. If you cannot, note why."
        ),
    ),
    (
        "data_analysis",
        (
            "Transformez un tableau de chiffres en un seul graphique simple, avec un titre "
            "qui dit la conclusion."
        ),
        (
            "Turn one table of figures into a single simple chart, with a title that states "
            "the conclusion."
        ),
    ),
    (
        "data_analysis",
        (
            "Demandez à votre mentor de vous montrer un filtre ou un tableau croisé sur un "
            "fichier que vous utilisez vraiment."
        ),
        "Ask your mentor to show you a filter or a pivot table on a file you really use.",
    ),
    (
        "generative_ai",
        (
            "Demandez à un assistant d’IA de résumer en cinq points un long document que vous "
            "deviez lire, puis vérifiez le résumé vous-même."
        ),
        (
            "Ask an AI assistant to summarise a long document you had to read in five points, "
            "then check the summary yourself."
        ),
    ),
    (
        "generative_ai",
        (
            "Faites rédiger par une IA le brouillon d’un mail difficile, puis réécrivez-le "
            "avec vos mots. Notez ce qui vous a aidé."
        ),
        (
            "Have an AI draft a difficult email, then rewrite it in your own words. Note what "
            "helped."
        ),
    ),
    (
        "generative_ai",
        (
            "Vérifiez la politique de votre entreprise sur l’IA : quelles données n’ont pas "
            "le droit d’y entrer ?"
        ),
        "Check your company's policy on AI: which data must never be pasted into it?",
    ),
    (
        "design_thinking",
        (
            "Interrogez un client ou un utilisateur pendant dix minutes sur son dernier "
            "problème avec votre service, sans rien lui vendre."
        ),
        (
            "Talk to a customer or a user for ten minutes about their last problem with your "
            "service, without selling anything."
        ),
    ),
    (
        "design_thinking",
        (
            "Dessinez à la main trois versions d’un écran ou d’un formulaire que vous trouvez "
            "compliqué, en cinq minutes chacune."
        ),
        (
            "Sketch by hand three versions of a screen or a form you find complicated, five "
            "minutes each."
        ),
    ),
    (
        "design_thinking",
        (
            "Reformulez un problème de votre équipe en commençant par « Comment "
            "pourrions-nous… » et partagez-le à la séance."
        ),
        (
            'Rephrase one of your team\'s problems starting with "How might we…" and share it '
            "at your session."
        ),
    ),
    (
        "digital_culture",
        (
            "Écoutez un épisode de podcast sur le numérique pendant un trajet et notez une "
            "idée à discuter avec votre mentor."
        ),
        (
            "Listen to a podcast episode about digital topics on a commute and note one idea "
            "to discuss with your mentor."
        ),
    ),
    (
        "digital_culture",
        (
            "Installez et testez pendant quinze minutes une application que vos enfants ou "
            "vos équipes utilisent et que vous ne connaissez pas."
        ),
        (
            "Install and try for fifteen minutes an app your children or your teams use and "
            "that you do not know."
        ),
    ),
    (
        "digital_culture",
        (
            "Cherchez la définition d’un mot numérique que vous avez entendu en réunion sans "
            "oser demander."
        ),
        "Look up a digital term you heard in a meeting and did not dare ask about.",
    ),
    (
        "younger_generations",
        (
            "Demandez à un jeune collègue quel outil ou quelle appli il ne pourrait plus "
            "quitter au travail, et pourquoi."
        ),
        ("Ask a young colleague which tool or app they could not do without at work, and why."),
    ),
    (
        "younger_generations",
        (
            "Invitez un nouvel arrivant à vous dire ce qui l’a surpris dans ses premières "
            "semaines. Remerciez, ne justifiez pas."
        ),
        ("Ask a newcomer what surprised them in their first weeks. Thank them; do not justify."),
    ),
    (
        "younger_generations",
        (
            "Passez dix minutes sur TikTok ou Instagram sur le thème de votre métier. "
            "Qu’est-ce qui y est dit de votre secteur ?"
        ),
        (
            "Spend ten minutes on TikTok or Instagram on the topic of your job. What is said "
            "about your sector?"
        ),
    ),
    (
        "sustainability",
        (
            "Lisez la page RSE de votre entreprise comme le ferait un candidat de 25 ans. "
            "Qu’est-ce qui le convaincrait, qu’est-ce qui sonnerait creux ?"
        ),
        (
            "Read your company's sustainability page as a 25-year-old candidate would. What "
            "would convince them, what would sound hollow?"
        ),
    ),
    (
        "sustainability",
        (
            "Choisissez une habitude de votre équipe (déplacements, impressions, mails "
            "lourds) et estimez ce qu’elle coûte à l’environnement."
        ),
        (
            "Pick one habit of your team (travel, printing, heavy emails) and estimate what "
            "it costs the environment."
        ),
    ),
    (
        "sustainability",
        (
            "Demandez à votre mentor quels engagements d’une entreprise comptent vraiment "
            "pour sa génération."
        ),
        ("Ask your mentor which commitments of a company really matter to their generation."),
    ),
    (
        "leadership",
        (
            "Notez une décision que votre mentee a prise récemment et préparez une question "
            "sur la façon dont il l’a prise."
        ),
        (
            "Note a decision your mentee made recently and prepare one question about how "
            "they made it."
        ),
    ),
    (
        "leadership",
        (
            "Observez une réunion cette semaine et notez qui parle le plus, qui ne parle pas, "
            "et ce que fait la personne qui anime."
        ),
        (
            "Watch one meeting this week and note who speaks most, who does not, and what the "
            "person chairing does."
        ),
    ),
    (
        "strategy",
        (
            "Lisez le dernier message de la direction sur la stratégie et résumez-le en trois "
            "phrases. Apportez vos questions à la séance."
        ),
        (
            "Read the latest message from leadership about strategy and sum it up in three "
            "sentences. Bring your questions to the session."
        ),
    ),
    (
        "strategy",
        (
            "Demandez-vous quel projet de votre équipe serait arrêté en premier si le budget "
            "baissait, et pourquoi."
        ),
        (
            "Ask yourself which project of your team would be stopped first if the budget "
            "fell, and why."
        ),
    ),
    (
        "network",
        (
            "Écrivez à une personne d’un autre service que vous aimeriez connaître et "
            "proposez-lui un café de quinze minutes."
        ),
        (
            "Write to someone in another department you would like to know and offer a "
            "fifteen-minute coffee."
        ),
    ),
    (
        "network",
        (
            "Demandez à votre mentee une personne qu’il vous conseillerait de rencontrer, et "
            "pourquoi elle."
        ),
        ("Ask your mentee for one person they would advise you to meet, and why that person."),
    ),
    (
        "career_advice",
        (
            "Écrivez en cinq lignes où vous aimeriez être dans trois ans. Partagez-le à la "
            "séance si vous le souhaitez."
        ),
        (
            "Write in five lines where you would like to be in three years. Share it at your "
            "session if you wish."
        ),
    ),
    (
        "career_advice",
        ("Préparez une question sur un choix de carrière difficile que votre mentee a dû faire."),
        "Prepare one question about a hard career choice your mentee had to make.",
    ),
]

tips = sa.table(
    "tips",
    sa.column("skill_key", sa.String),
    sa.column("text_fr", sa.Text),
    sa.column("text_en", sa.Text),
    sa.column("active", sa.Boolean),
    sa.column("created_by", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tips_declined_at", UTCDateTime(), nullable=True))
    now = datetime.now(UTC)
    op.bulk_insert(
        tips,
        [
            {
                "skill_key": key,
                "text_fr": text_fr,
                "text_en": text_en,
                "active": True,
                "created_by": None,
                "created_at": now,
                "updated_at": now,
            }
            for key, text_fr, text_en in TIPS
        ],
    )


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.delete(tips).where(
            tips.c.created_by.is_(None), tips.c.text_en.in_([en for _, _, en in TIPS])
        )
    )
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.drop_column("tips_declined_at")
