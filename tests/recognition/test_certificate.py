"""A mentor's certificate, rendered in both languages and read back: the PDF's text (names
with accents, the program, the skills, the dates as the reader writes them) and the PNG,
drawn with the fonts vendored in the repository (never the machine's)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.domain.recognition import CertificateFacts, certificate_filename
from dialogs.recognition import certificate
from dialogs.recognition.certificate import render_certificate

FACTS = {
    "fr": CertificateFacts(
        "fr", "Zoé Gauthier", "Mentorat inversé 2027", date(2027, 1, 4), date(2027, 6, 30),
        ("Référencement naturel (SEO)", "Publicité sur les réseaux sociaux"), date(2027, 7, 1), 1,
    ),
    "en": CertificateFacts(
        "en", "Léa Ærøskøbing-Núñez", "Reverse mentoring 2027", date(2027, 1, 4),
        date(2027, 6, 30), ("Search engine optimisation (SEO)", "Social ads"), date(2027, 7, 1), 9,
    ),
}  # fmt: skip
EXPECTED = {
    "fr": ["Certificat de mentorat inversé", "décerné à", "Zoé Gauthier", "Mentorat inversé 2027",
           "Du 4 janvier 2027 au 30 juin 2027", "1 séance tenue", "Compétences transmises",
           "Référencement naturel (SEO)", "Publicité sur les réseaux sociaux",
           "Délivré le 1 juillet 2027"],
    "en": ["Certificate of reverse mentoring", "awarded to", "Léa Ærøskøbing-Núñez",
           "Reverse mentoring 2027", "From January 4, 2027 to June 30, 2027", "9 sessions held",
           "Skills taught:", "Search engine optimisation (SEO), Social ads",
           "Issued on July 1, 2027"],
}  # fmt: skip


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1  # one page, whatever the length of the names
    return reader.pages[0].extract_text()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_certificate_says_who_what_and_when_in_the_reader_s_language(locale: str) -> None:
    made = render_certificate(FACTS[locale])
    text = pdf_text(made.pdf).replace("\n", " ")
    for expected in EXPECTED[locale]:
        assert expected in text, (expected, text)
    other = "Certificate of" if locale == "fr" else "Certificat de"
    assert other not in text
    image = Image.open(io.BytesIO(made.png))
    assert image.format == "PNG" and image.size == certificate.PNG_SIZE


def test_the_fonts_are_the_repository_s_own_and_embedded() -> None:
    assert certificate.REGULAR.is_file() and certificate.BOLD.is_file()
    assert (certificate.FONTS / "LICENSE.txt").is_file()
    assert "/usr/share" not in str(certificate.REGULAR)
    reader = PdfReader(io.BytesIO(render_certificate(FACTS["fr"]).pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert names and all("DejaVu" in name for name in names)
    for font in fonts.values():  # a TrueType subset travels with the file
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]


def test_a_long_name_and_many_skills_stay_on_one_page() -> None:
    long = CertificateFacts(
        "fr", "Marie-Héloïse " * 8, "Mentorat " * 25, date(2027, 1, 4), date(2027, 6, 30),
        tuple(f"Compétence très longue numéro {n}" for n in range(14)), date(2027, 7, 1), 30,
    )  # fmt: skip
    text = pdf_text(render_certificate(long).pdf)
    assert "Compétence très longue numéro 13" in text.replace("\n", " ")


def test_file_names() -> None:
    assert certificate_filename("rm-2027", "fr", "pdf") == "certificat-rm-2027.pdf"
    assert certificate_filename("rm/../x", "en", "png") == "certificate-rm----x.png"
