"""Word lists for the statement judgement in English, Spanish, Portuguese, French, Italian
and German: a cheap language guess, negations, numbers written as digits or words, and
names folded so the same name agrees across languages ("Kuba"/"Cuba", "Ucrania"/"Ukraine").

A translation must not look negated, numbered or named differently from its original
just because it is in another language: the guards in :mod:`quotetrack.grouping.variants` read
these tables, for the language each side is written in.
"""
from __future__ import annotations

import functools
import re

from ..text import fold_accents

__all__ = ["LANGS", "guess_language", "negated", "numbers", "name_key", "names", "stopwords", "clause_windows",
           "fold", "words"]

LANGS = ("en", "es", "pt", "fr", "it", "de")

# Function words, by language: the language guess counts them, and overlap measures skip them.
_STOP = {
    "en": """a an the and or but if then so as of at by for from in into on onto to with about over under
        this that these those it its it's is are was were be been being am do does did doing have has had
        having will would shall should can could may might must i me my we us our you your he him his she
        her they them their there here which who whom whose what when where why how all any both each few
        more most other some such only own same than too very just also s t""",
    "es": """el la los las un una unos unas y o pero si entonces como de del al en a por para con sobre
        este esta estos estas ese esa eso esto es son era fue ser sido está están estar ha han había haber
        se su sus lo le les me mi mis nos nuestro nuestra tu te que quien cual cuando donde porque muy
        más también ya todo toda todos todas otro otra hay entre sin hasta desde durante""",
    "pt": """o a os as um uma uns umas e ou mas se então como de do da dos das ao aos em no na nos nas por
        pelo pela pelos pelas para com sobre este esta estes estas esse essa isso isto é são era foi ser
        sido está estão estar tem têm tinha há seu sua seus suas lhe me meu minha nós nosso nossa que
        quem qual quando onde porque muito mais também já todo toda todos todas outro outra entre até
        desde durante""",
    "fr": """le la les l un une des du de d et ou mais si alors comme au aux en dans par pour avec sur
        sous ce cet cette ces c ça est sont était été être a ont avait avoir se s son sa ses leur leurs
        lui me m mon ma mes nous notre vous votre il elle ils elles on qui que qu quel quelle quand où
        parce très plus aussi déjà tout toute tous toutes autre entre jusqu depuis pendant""",
    "it": """il lo la i gli le un uno una e o ma se allora come di del della dei degli delle al alla ai
        agli alle in nel nella nei nelle per con su sul sulla questo questa questi queste quello quella
        è sono era stato essere ha hanno aveva avere si suo sua suoi sue gli mi mio mia noi nostro nostra
        che chi quale quando dove perché molto più anche già tutto tutta tutti tutte altro altra tra fra
        fino da dal dalla durante""",
    "de": """der die das den dem des ein eine einer eines einem einen und oder aber wenn dann so als wie
        von zu zum zur in im an am auf aus bei mit nach für über unter vor durch dieser diese dieses ist
        sind war waren sein gewesen hat haben hatte wird werden wurde sich sein seine ihr ihre er sie es
        wir uns unser unsere ich mich mein meine du dass daß wer was wann wo warum weil sehr mehr auch
        schon alle alles andere zwischen bis seit während""",
}
STOPWORDS = {lang: frozenset(ws.split()) for lang, ws in _STOP.items()}

# "without" and its translations are left out: languages say it in too many ways
# ("homeless" / "sin hogar" / "sans abri" / "ohne Obdach") for a guard to compare it.
NEGATIONS = {
    "en": frozenset("no not never none nobody nothing neither nor nowhere cannot".split()),
    "es": frozenset("no nunca jamás jamas nadie nada ninguno ninguna ningún ningun ni tampoco".split()),
    "pt": frozenset("não nao nunca jamais ninguém ninguem nada nenhum nenhuma nem tampouco".split()),
    "fr": frozenset("ne pas jamais aucun aucune rien ni nullement guère".split()),
    "it": frozenset("non mai nessuno nessuna nessun niente nulla né neanche nemmeno neppure".split()),
    "de": frozenset("nicht kein keine keinen keinem keiner keines nie niemals niemand nichts weder".split()),
}

# Numbers written as words (the word for "one" is left out everywhere: it is also an
# article or a pronoun, "un", "ein", "one of them").
_NUMBER_WORDS = {
    "en": "zero:0 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 "
          "thirteen:13 fourteen:14 fifteen:15 sixteen:16 seventeen:17 eighteen:18 nineteen:19 twenty:20 "
          "thirty:30 forty:40 fifty:50 sixty:60 seventy:70 eighty:80 ninety:90 hundred:100 thousand:1000 "
          "million:1000000 billion:1000000000 dozen:12",
    "es": "cero:0 dos:2 tres:3 cuatro:4 cinco:5 seis:6 siete:7 ocho:8 nueve:9 diez:10 once:11 doce:12 "
          "trece:13 catorce:14 quince:15 veinte:20 treinta:30 cuarenta:40 cincuenta:50 sesenta:60 "
          "setenta:70 ochenta:80 noventa:90 cien:100 mil:1000 millón:1000000 millones:1000000 "
          "docena:12",
    "pt": "zero:0 dois:2 duas:2 três:3 quatro:4 cinco:5 seis:6 sete:7 oito:8 nove:9 dez:10 onze:11 "
          "doze:12 treze:13 catorze:14 quinze:15 vinte:20 trinta:30 quarenta:40 cinquenta:50 sessenta:60 "
          "setenta:70 oitenta:80 noventa:90 cem:100 mil:1000 milhão:1000000 milhões:1000000 "
          "dúzia:12",
    "fr": "zéro:0 deux:2 trois:3 quatre:4 cinq:5 six:6 sept:7 huit:8 neuf:9 dix:10 onze:11 douze:12 "
          "treize:13 quatorze:14 quinze:15 seize:16 vingt:20 trente:30 quarante:40 cinquante:50 "
          "soixante:60 mille:1000 million:1000000 millions:1000000 milliard:1000000000 "
          "milliards:1000000000 douzaine:12",
    "it": "zero:0 due:2 tre:3 quattro:4 cinque:5 sei:6 sette:7 otto:8 nove:9 dieci:10 undici:11 "
          "dodici:12 tredici:13 quattordici:14 quindici:15 venti:20 trenta:30 quaranta:40 cinquanta:50 "
          "sessanta:60 settanta:70 ottanta:80 novanta:90 mille:1000 mila:1000 milione:1000000 "
          "milioni:1000000 miliardo:1000000000 miliardi:1000000000 dozzina:12",
    "de": "null:0 zwei:2 drei:3 vier:4 fünf:5 sechs:6 sieben:7 acht:8 neun:9 zehn:10 elf:11 zwölf:12 "
          "zwanzig:20 dreißig:30 vierzig:40 fünfzig:50 sechzig:60 siebzig:70 achtzig:80 neunzig:90 "
          "hundert:100 tausend:1000 million:1000000 millionen:1000000 milliarde:1000000000 "
          "milliarden:1000000000 dutzend:12",
}
NUMBER_WORDS = {lang: dict(p.split(":") for p in ws.split()) for lang, ws in _NUMBER_WORDS.items()}
# English also has "billion" = 10^9 while Spanish/Portuguese "billón" is 10^12: left out.
# Multipliers after a digit ("2.5 million") are part of that number, not a number of their own.
_MULTIPLIERS = frozenset({"hundred", "thousand", "million", "billion", "mil", "millón", "millones",
                          "milhão", "milhões", "millions", "milliard", "milliards", "mila", "milione",
                          "milioni", "miliardo", "miliardi", "tausend", "hundert", "millionen",
                          "milliarde", "milliarden", "cien", "mille"})

_WORD = re.compile(r"(?<!\d)\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?![\d.,]\d)"
                   r"|\d+(?:[.,\u00a0\u202f]\d+)*|[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
# European thousands "1.000.000" / "1 000", English "1,000,000"; decimals "3,5" / "3.5"
_THOUSANDS = re.compile(r"^\d{1,3}[.,]\d{3}$")


#: lower case without accents ("Rodríguez" -> "rodriguez"); shared with the quotation normalisation
fold = fold_accents


def words(text: str) -> list[str]:
    """The words and digit groups of ``text``, lower-cased (accents kept)."""
    return [w.casefold().replace("\u2019", "'") for w in _WORD.findall(text or "")]


# English function words that are not words of es/pt/fr/it/de ("was" and "will" are German)
_ENGLISH_ONLY = frozenset("the and of to is that with for it this have we they be are not he she has "
                          "would there their our been which".split())


@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's bundled model (character n-grams, naive Bayes), restricted to :data:`LANGS`."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    ident.set_languages(list(LANGS))
    return ident


@functools.lru_cache(maxsize=16384)
def guess_language(text: str) -> str:
    """The most likely of :data:`LANGS` for ``text`` (py3langid, which reads short
    sentences well: "Um homem toca violão." is Portuguese); English for a text with no
    letters, or with no function word of the language guessed."""
    if not text or not any(c.isalpha() for c in text):
        return "en"
    ws = words(text)
    if sum(w in _ENGLISH_ONLY for w in ws) >= 2:
        return "en"     # most quotes: two English function words no other language has
    lang = _identifier().classify(text)[0]
    if lang != "en" and not any(w in STOPWORDS[lang] or w in NEGATIONS[lang] or w in NUMBER_WORDS[lang]
                                for w in ws):
        return "en"     # no function word of that language: a name, a title, made-up words
    return lang


def stopwords(lang: str) -> frozenset[str]:
    return STOPWORDS.get(lang, STOPWORDS["en"])


def negated(text: str, lang: str | None = None) -> bool:
    """Does ``text`` hold a negation in its language ("not", "n't", "no", "não",
    "nicht", "ne … pas", "non", ...)? Portuguese "no" ("in the") and Italian "no"
    are not negations; "no" is one in English and Spanish."""
    lang = lang or guess_language(text)
    neg = NEGATIONS.get(lang, NEGATIONS["en"])
    ws = words(text)
    for i, w in enumerate(ws):
        if w in neg:
            if lang == "es" and w == "no" and i + 1 < len(ws) and ws[i + 1] == "obstante":
                continue
            return True
        if lang == "en" and (w.endswith("n't") or w in _EN_NT):
            return True
        if lang == "fr" and w.startswith("n'"):
            return True
    return False


_EN_NT = frozenset("dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt havent hasnt "
                   "hadnt mustnt neednt aint".split())


def numbers(text: str, lang: str | None = None) -> frozenset[str]:
    """The numbers a text mentions, as digit strings ("1,000" = "1.000" = "1000",
    "3,5" = "3.5", "three" = "tres" = "drei" = "3"). A multiplier word after a digit
    ("2.5 million", "3 mil") is part of that number."""
    lang = lang or guess_language(text)
    table = NUMBER_WORDS.get(lang, NUMBER_WORDS["en"])
    out = set()
    ws = words(text)
    for i, w in enumerate(ws):
        if w[0].isdigit():
            out.add(_number(w))
        elif w in table:
            if w in _MULTIPLIERS and i > 0 and (ws[i - 1][0].isdigit() or ws[i - 1] in table):
                continue
            out.add(table[w])
    out.discard("1")
    return frozenset(out)


def _number(token: str) -> str:
    """A digit group as a plain number: the last of two kinds of separator is the
    decimal point ("1,912.36", "1.912,36"); one kind used twice, or once before exactly
    three digits, separates thousands ("1,000", "1.000", "1 000"); else it is the
    decimal point ("3,5")."""
    t = token.replace("\u00a0", " ").replace("\u202f", " ")
    seps = [c for c in t if not c.isdigit()]
    if " " in seps:
        t = t.replace(" ", "")
        seps = [c for c in seps if c != " "]
    if len(set(seps)) == 2:
        dec = seps[-1]
        t = t.replace("," if dec == "." else ".", "").replace(dec, ".")
    elif seps and (len(seps) > 1 or _THOUSANDS.match(t)):
        t = t.replace(seps[0], "")
    elif seps:
        t = t.replace(seps[0], ".")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return t.lstrip("0") or "0"


# Spelling differences of one name across languages, applied in order to its folded form.
_NAME_RULES = [(re.compile(p), r) for p, r in (
    (r"ph", "f"), (r"th", "t"), (r"k", "c"), (r"qu", "c"), (r"y", "i"), (r"z", "s"), (r"w", "v"),
    (r"j", "i"), (r"sch", "s"), (r"sh", "s"), (r"ch", "c"), (r"([a-z])\1", r"\1"), (r"h", ""),
)]


@functools.lru_cache(maxsize=65536)
def name_key(word: str) -> str:
    """A name folded so its renderings in the six languages mostly agree: accents,
    case and spelling variants folded, then cut to four letters ("Kuba", "Cuba",
    "Cuban", "cubano" -> "cuba"; "Ucrania", "Ukraine" -> "ucra")."""
    k = fold(word)
    if k.endswith("'s"):
        k = k[:-2]
    for pattern, repl in _NAME_RULES:
        k = pattern.sub(repl, k)
    return k[:4]


_CAPITALISED = re.compile(r"(?<![\w'\u2019-])([A-Z\u00c0-\u00de][\w'\u2019-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"'\u201c\u2018\u00ab(]\s*)$")


def names(text: str, lang: str | None = None) -> set[str]:
    """Name keys (:func:`name_key`) of the capitalised words inside a sentence (not
    the first word of a sentence, not a function word or negation). German writes
    every noun with a capital, so a German text gives none: its names cannot be told
    from its nouns this way."""
    lang = lang or guess_language(text)
    if lang == "de":
        return set()
    stop = stopwords(lang) | NEGATIONS.get(lang, frozenset()) | STOPWORDS["en"]
    out = set()
    for m in _CAPITALISED.finditer(text or ""):
        word = m.group(1)
        if _SENTENCE_START.search(text[:m.start()]):
            continue
        if word.isupper() and len(word) > 4:
            continue
        low = word.casefold()
        if low in stop or low in NUMBER_WORDS.get(lang, {}) or low == "i":
            continue
        out.add(name_key(word))
    return out


# Where a sentence divides into clauses: punctuation, and before a coordinating word or a
# relative pronoun of one of the six languages ("y", "and", "et", "und", "que", "which", "che").
_CLAUSE = re.compile(
    r"\s*[,;:()\u2013\u2014]\s*|\s+(?=(?:y|e|and|et|und|ou|o|ma|pero|but|mais|aber|mas|que|who|which|qui|che|"
    r"die|der|das|dass)\s)", re.IGNORECASE)


def clause_windows(text: str, min_words: int = 3, max_clauses: int = 12) -> list[str]:
    """Every run of consecutive clauses of ``text`` of at least ``min_words`` words, the
    whole sentence excepted: the parts of a long sentence that an outlet may have quoted
    alone ("... and even some in Cuba, ..."). Long sentences keep their first
    ``max_clauses`` clauses' runs only (the number of runs grows with its square)."""
    parts = [p.strip() for p in _CLAUSE.split(text or "") if p and p.strip()]
    out = []
    for i in range(min(len(parts), max_clauses)):
        for j in range(i + 1, min(len(parts), max_clauses) + 1):
            if (i, j) == (0, len(parts)):
                continue
            window = " ".join(parts[i:j])
            if len(words(window)) >= min_words:
                out.append(window)
    return list(dict.fromkeys(out))
