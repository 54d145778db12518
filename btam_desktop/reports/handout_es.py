"""The Spanish wording of the "recognize and report" handouts for students and for families.

Written for families in this project's own words, from the English handouts and the facts in
PROTOCOLS.md; not a word-for-word translation.

TRANSLATION REVIEW: this Spanish text awaits review by a native-speaking school professional
(a bilingual counselor, family liaison or Spanish teacher). Record their name, role and the
date of the review here once it is done. Traducción pendiente de revisión por un profesional
escolar hispanohablante nativo.
"""

from __future__ import annotations

PLACES_ES = {
    "school": "nuestra escuela",
    "workplace": "nuestro lugar de trabajo",
    "campus": "nuestro campus",
    "community": "nuestra comunidad",
}

#: The handout's fixed words: English key, Spanish text.
LABELS_ES = {
    "Danger right now? Call 911.": "¿Hay peligro ahora mismo? Llame al 911.",
    "emergency": (
        "Si alguien está herido, tiene un arma o dice que está a punto de hacerle daño a "
        "alguien, llame primero al 911 (o al número de emergencias de su zona). Después, "
        "avísele al equipo."
    ),
    "What to look for": "Qué observar",
    "How to report": "Cómo avisar",
    "It is about help, not punishment": "Se trata de ayudar, no de castigar",
    "What happens after you report": "Qué pasa después de avisar",
    "Contact": "Contacto",
    "Phone": "Teléfono",
    "Email": "Correo",
    "Where": "Dónde",
    "Write the team's contact details here:": "Escriba aquí los datos de contacto del equipo:",
    "Please share and post this page.": "Por favor, comparta y publique esta hoja.",
    "title students": "¿Ves algo? Dilo.",
    "title parents": "Reconocer y avisar",
    "header students": "Para estudiantes",
    "header parents": "Para padres, madres y tutores",
}


def words_es(audience: str, place: str) -> dict[str, object]:
    """The Spanish words of the handout for ``audience`` ('students' or 'parents')."""
    if audience == "students":
        return {
            "subtitle": f"Ayuda a que {place} sea un lugar seguro. Si algo te preocupa, dilo.",
            "look_for_intro": "Habla con un adulto de confianza si alguien:",
            "signs": (
                "amenaza con hacerle daño a alguien, en voz alta, por escrito, con un dibujo, "
                "con un gesto o en internet, aunque parezca una broma o empiece con \u201csi\u201d",
                "dice que piensa hacerle daño a otras personas, o que algo malo va a pasar "
                "cierto día (\u201cno vengas el viernes\u201d)",
                "muestra mucho interés por las armas o por ataques pasados y, a la vez, está "
                "enojado con alguien o quiere vengarse",
                "les cuenta a sus amigos, o publica, planes o ideas de hacerle daño a otros",
                "cambia mucho: se aleja de todos, se enoja mucho más o regala cosas que le "
                "importan",
                "parece sin esperanza o desesperado, o habla de hacerse daño",
                "intenta conseguir un arma, o vigila o sigue a una persona o un lugar",
            ),
            "not_about": (
                "Avisar no es ser chismoso. No se trata de castigar ni de meter a nadie en "
                "problemas: se trata de conseguir ayuda a tiempo, para la persona que lo está "
                "pasando mal y para quien pudiera salir herido. La mayoría de las personas que "
                "dicen cosas que asustan nunca las hacen, pero muchas veces necesitan ayuda."
            ),
            "say_it": "Si ves algo o escuchas algo, dilo.",
            "next_steps": (
                "Un equipo de adultos preparados revisa cada aviso. Averiguan más, hablan con "
                "las personas involucradas y deciden qué ayuda hace falta. Solo comparten lo "
                "que les cuentas con quienes necesitan saberlo para que todos estén seguros."
            ),
            "extra_title": "",
            "extra": (),
        }
    return {
        "subtitle": (f"Para que {place} sea un lugar seguro: qué observar y cómo avisarnos."),
        "look_for_intro": "Avísenos si su hijo o hija, otro niño o cualquier persona:",
        "signs": (
            "hace una amenaza de cualquier forma: de palabra, por escrito, con un dibujo, con "
            "gestos, o por mensaje o redes sociales; directa, insinuada, o del tipo \u201csi "
            "pasa esto, voy a\u2026\u201d",
            "dice que quiere hacerle daño a alguien, o insinúa que algo va a pasar cierto día",
            "muestra un interés cada vez mayor por las armas, la violencia o ataques pasados, "
            "junto con un resentimiento, ganas de venganza o la sensación de haber sido "
            "tratado injustamente",
            "les cuenta a otros sus planes o pensamientos violentos (muchas veces así es como "
            "se descubre una preocupación)",
            "cambia de manera preocupante: se aísla, está mucho más enojado, deja sus "
            "actividades o regala sus cosas",
            "parece desesperado o sin esperanza, o habla del suicidio",
            "intenta conseguir un arma, o vigila, sigue o pone a prueba la seguridad de una "
            "persona o de un lugar",
        ),
        "not_about": (
            "Avisar no es para castigar. Es para conseguir ayuda a tiempo, para el joven que "
            "lo está pasando mal y para cualquiera que pudiera salir lastimado. La mayoría de "
            "las personas que hacen una amenaza nunca la cumplen; el equipo mira toda la "
            "situación, no solo las palabras."
        ),
        "say_it": "Si ve algo, dígalo. No hace falta estar seguro.",
        "next_steps": (
            "Un equipo preparado (por ejemplo, un consejero, un administrador y un oficial de "
            "seguridad escolar) revisa cada aviso, reúne información y decide qué apoyo y qué "
            "medidas de seguridad hacen falta. Por lo general, los padres y tutores forman "
            "parte del plan."
        ),
        "extra_title": "En casa",
        "extra": (
            "Hable con su hijo o hija sobre lo que ve y escucha en internet y en la escuela.",
            "Guarde las armas de fuego bajo llave y descargadas, con las municiones aparte, y "
            "guarde también los medicamentos en un lugar seguro.",
        ),
    }
