"""Writes bench/sentences.jsonl: the encoder benchmark's fixed multilingual set.

2,400 wire-style sentences in nine languages, composed from phrase banks the team wrote, with a
fixed seed, so every run measures the same input. Lengths are mixed on purpose (one to seven
clauses, roughly 8 to 200 tokens), as news sentences are.

    python3 bench/make_sentences.py
"""
import json
import os
import random

BANKS = {
    "en": {
        "subj": ["The foreign ministry", "A government spokesman", "The border service", "Officials in the capital",
                 "The opposition leader", "Residents of the region", "The defence minister", "A senior diplomat"],
        "verb": ["said", "warned", "insisted", "claimed", "stressed", "told reporters", "announced", "denied"],
        "obj": ["that the checkpoint was legal", "that talks would resume next week",
                "that the convoy had been stopped", "that no agreement had been reached",
                "that the decision violated the ceasefire", "that supplies were running low"],
        "tail": ["on Tuesday", "in a statement", "after the meeting", "late on Friday", "citing security concerns",
                 "according to local media", "despite international criticism", "without giving details"],
    },
    "ru": {
        "subj": ["Министерство иностранных дел", "Представитель правительства", "Пограничная служба",
                 "Власти региона", "Лидер оппозиции", "Местные жители", "Министр обороны", "Высокопоставленный дипломат"],
        "verb": ["заявил", "предупредил", "настаивал", "утверждал", "подчеркнул", "сообщил журналистам", "объявил", "опроверг"],
        "obj": ["что пункт пропуска законен", "что переговоры возобновятся на следующей неделе",
                "что колонна была остановлена", "что соглашение не достигнуто",
                "что решение нарушает режим прекращения огня", "что запасы на исходе"],
        "tail": ["во вторник", "в заявлении", "после встречи", "поздно вечером в пятницу", "ссылаясь на соображения безопасности",
                 "по данным местных СМИ", "несмотря на международную критику", "не уточнив подробностей"],
    },
    "uk": {
        "subj": ["Міністерство закордонних справ", "Речник уряду", "Прикордонна служба", "Влада регіону",
                 "Лідер опозиції", "Місцеві мешканці", "Міністр оборони", "Високопосадовий дипломат"],
        "verb": ["заявив", "попередив", "наполягав", "стверджував", "наголосив", "повідомив журналістам", "оголосив", "спростував"],
        "obj": ["що пункт пропуску законний", "що переговори відновляться наступного тижня",
                "що колону зупинили", "що згоди не досягнуто", "що рішення порушує режим припинення вогню",
                "що запаси закінчуються"],
        "tail": ["у вівторок", "у заяві", "після зустрічі", "пізно ввечері в п'ятницю", "посилаючись на безпеку",
                 "за даними місцевих ЗМІ", "попри міжнародну критику", "не уточнивши деталей"],
    },
    "de": {
        "subj": ["Das Außenministerium", "Ein Regierungssprecher", "Der Grenzschutz", "Die Behörden der Region",
                 "Die Oppositionsführerin", "Anwohner", "Der Verteidigungsminister", "Eine hochrangige Diplomatin"],
        "verb": ["sagte", "warnte", "betonte", "behauptete", "erklärte", "teilte Journalisten mit", "kündigte an", "bestritt"],
        "obj": ["dass der Kontrollpunkt rechtmäßig sei", "dass die Gespräche nächste Woche weitergehen",
                "dass der Konvoi gestoppt worden sei", "dass keine Einigung erzielt wurde",
                "dass die Entscheidung gegen die Waffenruhe verstoße", "dass die Vorräte knapp würden"],
        "tail": ["am Dienstag", "in einer Mitteilung", "nach dem Treffen", "am späten Freitagabend",
                 "unter Verweis auf Sicherheitsbedenken", "laut örtlichen Medien", "trotz internationaler Kritik", "ohne Details zu nennen"],
    },
    "fr": {
        "subj": ["Le ministère des Affaires étrangères", "Un porte-parole du gouvernement", "Le service des frontières",
                 "Les autorités de la région", "La cheffe de l'opposition", "Des habitants", "Le ministre de la Défense",
                 "Un diplomate de haut rang"],
        "verb": ["a déclaré", "a averti", "a insisté", "a affirmé", "a souligné", "a dit aux journalistes", "a annoncé", "a démenti"],
        "obj": ["que le poste de contrôle était légal", "que les pourparlers reprendraient la semaine prochaine",
                "que le convoi avait été arrêté", "qu'aucun accord n'avait été trouvé",
                "que la décision violait le cessez-le-feu", "que les réserves s'épuisaient"],
        "tail": ["mardi", "dans un communiqué", "après la réunion", "tard vendredi soir", "invoquant des raisons de sécurité",
                 "selon les médias locaux", "malgré les critiques internationales", "sans donner de détails"],
    },
    "es": {
        "subj": ["El Ministerio de Exteriores", "Un portavoz del Gobierno", "El servicio de fronteras",
                 "Las autoridades de la región", "La líder de la oposición", "Los vecinos", "El ministro de Defensa",
                 "Un diplomático de alto rango"],
        "verb": ["dijo", "advirtió", "insistió", "afirmó", "subrayó", "declaró a la prensa", "anunció", "negó"],
        "obj": ["que el puesto de control era legal", "que las conversaciones se reanudarían la próxima semana",
                "que el convoy había sido detenido", "que no se había alcanzado ningún acuerdo",
                "que la decisión violaba el alto el fuego", "que los suministros escaseaban"],
        "tail": ["el martes", "en un comunicado", "tras la reunión", "el viernes por la noche", "alegando motivos de seguridad",
                 "según medios locales", "pese a las críticas internacionales", "sin dar detalles"],
    },
    "it": {
        "subj": ["Il ministero degli Esteri", "Un portavoce del governo", "Il servizio di frontiera",
                 "Le autorità della regione", "La leader dell'opposizione", "Gli abitanti", "Il ministro della Difesa",
                 "Un diplomatico di alto livello"],
        "verb": ["ha detto", "ha avvertito", "ha insistito", "ha sostenuto", "ha sottolineato", "ha riferito ai giornalisti",
                 "ha annunciato", "ha smentito"],
        "obj": ["che il posto di blocco era legale", "che i colloqui riprenderanno la prossima settimana",
                "che il convoglio era stato fermato", "che non era stato raggiunto alcun accordo",
                "che la decisione violava il cessate il fuoco", "che le scorte stavano finendo"],
        "tail": ["martedì", "in una nota", "dopo l'incontro", "venerdì sera tardi", "citando motivi di sicurezza",
                 "secondo i media locali", "nonostante le critiche internazionali", "senza fornire dettagli"],
    },
    "ar": {
        "subj": ["وزارة الخارجية", "متحدث باسم الحكومة", "حرس الحدود", "سلطات المنطقة", "زعيم المعارضة",
                 "سكان المنطقة", "وزير الدفاع", "دبلوماسي رفيع"],
        "verb": ["قال", "حذر", "أكد", "زعم", "شدد", "أبلغ الصحفيين", "أعلن", "نفى"],
        "obj": ["أن نقطة التفتيش قانونية", "أن المحادثات ستستأنف الأسبوع المقبل", "أن القافلة أوقفت",
                "أنه لم يتم التوصل إلى اتفاق", "أن القرار ينتهك وقف إطلاق النار", "أن الإمدادات تنفد"],
        "tail": ["يوم الثلاثاء", "في بيان", "بعد الاجتماع", "في وقت متأخر من يوم الجمعة", "متذرعا بمخاوف أمنية",
                 "وفقا لوسائل إعلام محلية", "رغم الانتقادات الدولية", "دون تقديم تفاصيل"],
    },
    "zh": {
        "subj": ["外交部", "政府发言人", "边防部门", "地区当局", "反对派领导人", "当地居民", "国防部长", "一名高级外交官"],
        "verb": ["表示", "警告说", "坚称", "声称", "强调", "对记者说", "宣布", "否认"],
        "obj": ["检查站是合法的", "谈判将于下周恢复", "车队已被拦下", "尚未达成协议", "该决定违反了停火协议", "物资即将耗尽"],
        "tail": ["周二", "在一份声明中", "会后", "周五深夜", "以安全为由", "据当地媒体报道", "尽管遭到国际批评", "但未透露细节"],
    },
}
JOIN = {"en": "; ", "ru": "; ", "uk": "; ", "de": "; ", "fr": " ; ", "es": "; ", "it": "; ", "ar": "؛ ", "zh": "；"}
END = {"zh": "。"}


def sentence(rng, lang):
    b = BANKS[lang]
    clauses = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 7])):
        parts = [rng.choice(b["subj"]), rng.choice(b["verb"]), rng.choice(b["obj"])]
        if rng.random() < 0.6:
            parts.append(rng.choice(b["tail"]))
        clauses.append(("" if lang == "zh" else " ").join(parts))
    return JOIN[lang].join(clauses) + END.get(lang, ".")


def main():
    rng = random.Random(20261127)
    langs = sorted(BANKS)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sentences.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for i in range(2400):
            lang = langs[i % len(langs)]
            f.write(json.dumps({"id": f"b{i:04d}", "lang": lang, "text": sentence(rng, lang)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
