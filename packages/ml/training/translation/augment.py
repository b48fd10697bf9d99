"""Copy augmentation: extra training pairs that teach the translator to carry names and numbers
through unchanged.

Multi30k has almost none (300 of 29,000 English captions hold a digit, a few hundred a name), so
the model rewrites what it has not seen: "Anna and Tom play with 3 dogs" came out as "Eine Person
und Tam spielen drei Hunde". Each eligible training pair gets one altered copy (the original stays):
- a sentence that starts with a person ("A man ...", target "Ein Mann ...", "Un homme ...",
  "Muž ...") gets a given name in that place on both sides: half real names, half made-up ones;
- a number word said the same on both sides ("Two dogs" / "Zwei Hunde") becomes digits, for German
  and French sometimes a larger random number (Czech keeps the value: its noun forms follow it);
- a capitalised word or number the target repeats verbatim (a place, a brand) is swapped for a
  random name or number on both sides.
The names used here are disjoint from PROBE_NAMES, which the copy probe (make_copy_probe.py)
tests with, so the probe measures copying of names the model never saw.
The shipped weights were trained with this file as of commit a795cee; since then the third rule
skips what the first two inserted, Czech digits and one-letter capitals (a review found "Muž a dvě
ženy" becoming "Tom a 1734 ženy" and "T-Shirt" becoming "Lukas-Shirt"), and made-up names avoid
PROBE_NAMES.
"""
import random
import re

MALE = ("Tom Ben Lukas Jonas Paul Felix Leon Max Noah Elias Jakub Tomáš Petr Ondřej Marek Pierre Louis Hugo "
        "Jules Mathis Carlos Diego Mateo Ahmed Omar Yusuf Ali Wei Jun Hiroshi Kenji Raj Arjun Vikram Kwame "
        "Chidi Kofi Ivan Dmitri Sven Lars Finn Oscar Liam Ethan Mason Samuel Daniel David Michael Jan").split()
FEMALE = ("Emma Mia Hannah Lea Lena Sofia Marie Clara Ella Lina Tereza Eliška Anna Jana Lucie Chloé Manon Inès "
          "Camille Léa Lucía Valentina Isabella Fatima Aisha Layla Mei Yuki Sakura Priya Ananya Amara Zainab "
          "Olga Natalia Ingrid Freya Alice Grace Olivia Emily Sarah Laura Julia Nora Ida Maya Zoe").split()
PROBE_NAMES = ("Jürgen Matteo Rafael Mohammed Haruto Aarav Björn Kai Theo Anton Henrik Nikolai Santiago "
               "Amelie Greta Beatriz Leila Hana Siobhan Ingeborg Chiara Ximena Elif Noor Ayumi Daria").split()

SYLLABLE_ONSETS = "b c d f g h j k l m n p r s t v w y z br ch dr gr kr sh st th tr".split()
SYLLABLE_VOWELS = "a e i o u a e i o u ai ei ou é á ö ü í".split()


def random_name(rng):
    """A made-up given name ("Koraveli", "Shéto"): the model must copy it piece by piece, since it
    cannot learn it by heart as it can the ~100 real names above."""
    while True:
        syllables = [rng.choice(SYLLABLE_ONSETS) + rng.choice(SYLLABLE_VOWELS) for _ in range(rng.randint(2, 3))]
        # A third start with a vowel: with consonants only, "Amelie ..." still read as "A ..." and came
        # out as "Einmelie ..." / "Unmelie ...".
        if rng.random() < 0.35:
            syllables[0] = rng.choice("a e i o u".split())
        if rng.random() < 0.3:
            syllables.append(rng.choice("n r s l m".split()))
        name = "".join(syllables).capitalize()
        if name not in PROBE_NAMES:  # the probe's names stay unseen
            return name


def any_name(rng, names):
    return rng.choice(names) if rng.random() < 0.5 else random_name(rng)


# English sentence start -> the same subject at the start of each target, with the names that fit.
SUBJECTS = [
    ("A man ", {"de": "Ein Mann ", "fr": "Un homme ", "cs": "Muž "}, MALE),
    ("A boy ", {"de": "Ein Junge ", "fr": "Un garçon ", "cs": "Chlapec "}, MALE),
    ("A woman ", {"de": "Eine Frau ", "fr": "Une femme ", "cs": "Žena "}, FEMALE),
    ("A girl ", {"de": "Ein Mädchen ", "fr": "Une fille ", "cs": "Dívka "}, FEMALE),
]

NUMBERS = {
    "en": ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
    "de": ["zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn"],
    "fr": ["deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"],
    "cs": [("dva", "dvě"), "tři", "čtyři", "pět", "šest", "sedm", "osm", "devět", "deset"],
}


def _number_words(lang):
    """word (lower case) -> value."""
    out = {}
    for i, w in enumerate(NUMBERS[lang]):
        for form in (w if isinstance(w, tuple) else (w,)):
            out[form] = i + 2
    return out


NUMBER_WORDS = {lang: _number_words(lang) for lang in NUMBERS}
WORD_RE = re.compile(r"\w+", re.UNICODE)


def _only_number(text, lang):
    """(word as written, value) when the text says exactly one number word, else None."""
    found = [(w, NUMBER_WORDS[lang][w.lower()]) for w in WORD_RE.findall(text) if w.lower() in NUMBER_WORDS[lang]]
    return found[0] if len(found) == 1 else None


def _swap_word(text, old, new):
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, text)


def augment_pair(en, tgt, lang, rng):
    """One altered copy of (en, tgt), or None when nothing in it can be carried over."""
    original_en = en
    changed = False
    for en_start, starts, names in SUBJECTS:
        if en.startswith(en_start) and tgt.startswith(starts[lang]):
            name = any_name(rng, names)
            en, tgt = name + " " + en[len(en_start):], name + " " + tgt[len(starts[lang]):]
            changed = True
            break
    en_num, tgt_num = _only_number(en, "en"), _only_number(tgt, lang)
    if en_num and tgt_num and en_num[1] == tgt_num[1]:
        value = en_num[1]
        if lang != "cs" and rng.random() < 0.5:
            value = rng.randint(11, 999)
        en, tgt = _swap_word(en, en_num[0], str(value)), _swap_word(tgt, tgt_num[0], str(value))
        changed = True
    inserted = set(WORD_RE.findall(en)) - set(WORD_RE.findall(original_en))
    target_words = set(WORD_RE.findall(tgt))
    for word in dict.fromkeys(WORD_RE.findall(en)[1:]):
        # Places and brands the target repeats; not what the rules above put in, not a Czech number
        # (its noun's form follows it), not a one-letter capital ("T-shirt").
        if word in inserted or len(word) < 2 or (word.isdigit() and lang == "cs"):
            continue
        if word in target_words and (word[0].isupper() or word.isdigit()):
            new = str(rng.randint(2, 2030)) if word.isdigit() else any_name(rng, MALE + FEMALE)
            en, tgt = _swap_word(en, word, new), _swap_word(tgt, word, new)
            changed = True
    return (en, tgt) if changed else None


def copy_augmented(sources, targets, lang, seed):
    """The altered copies for one language's training pairs (a list of (en, tgt))."""
    rng = random.Random(f"{seed}-{lang}")
    out = []
    for en, tgt in zip(sources, targets):
        pair = augment_pair(en, tgt, lang, rng)
        if pair:
            out.append(pair)
    return out
